"""Letter classes and a word-list helper that several ingest steps share."""

from __future__ import annotations

import re

LETTER_RE = re.compile(r"[^\W\d_]")
UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"  # for character classes: capitals of en, ru and kk
LOWER = "a-zа-яёәғқңөұүһі"


def word_set(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string."""
    return frozenset(text.split())
