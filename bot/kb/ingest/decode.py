"""Bytes to text, and the checks that reject what is not an article.

Moderators upload files from anywhere: Windows cp1251, UTF-16 from Word, or a
photo renamed to .txt. Each failure gets a short reason code the bot can
explain, instead of a wrongly decoded or garbage document in the KB.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.kb.ingest.chars import LETTER_RE

__all__ = ["IngestError", "check_text", "decode_upload", "too_many_controls"]


class IngestError(Exception):
    """A document that cannot be ingested; `reason` is a short code for the UI."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


_CONTROL_BYTES = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_CYR_RE = re.compile("[\u0400-\u052f]")


def too_many_controls(chars: Iterable[int], total: int) -> bool:
    controls = sum(1 for c in chars if c in _CONTROL_BYTES)
    return controls > max(2, total // 100)


def _plausible_cyrillic(text: str) -> bool:
    """Whether cp1251-decoded bytes read as Russian/Kazakh text, not as garbage.

    Any byte >= 0xC0 is a Cyrillic letter in cp1251, so Latin-1 text ("café")
    and random bytes decode "successfully"; real text has mostly Cyrillic
    letters, few symbols, capitals only at word starts and no words mixing
    Latin and Cyrillic letters.
    """
    letters = LETTER_RE.findall(text)
    visible = sum(1 for ch in text if not ch.isspace())
    if len(letters) < 20 or len(letters) < 0.7 * visible:
        return False
    cyr = sum(1 for ch in letters if "\u0400" <= ch <= "\u052f")
    if cyr < 0.6 * len(letters):
        return False
    words = re.findall(r"[^\W\d_]+", text)
    inner_caps = sum(sum(1 for ch in w[1:] if ch.isupper()) for w in words if not w.isupper())
    mixed = sum(1 for w in words if _CYR_RE.search(w) and re.search("[A-Za-z]", w))
    return inner_caps <= 0.05 * len(letters) and mixed <= 0.05 * len(words)


def decode_upload(data: bytes, max_bytes: int = 1_000_000) -> str:
    """Decode an uploaded text file: UTF-8 (BOM or not), UTF-16 with a BOM, or cp1251.

    Raises `IngestError` with reason "too_large" (over `max_bytes`), "empty",
    "binary" (NUL bytes or many control characters) or "encoding" (not UTF-8 and
    not plausible cp1251 Cyrillic text). Line ends are normalised to "\\n".
    """
    if len(data) > max_bytes:
        raise IngestError("too_large", f"{len(data)} bytes > {max_bytes}")
    if not data.strip():
        raise IngestError("empty")
    text: str | None = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError("encoding", "invalid UTF-16") from exc
        if "\x00" in text or too_many_controls(map(ord, text), len(text)):
            raise IngestError("binary")
    else:
        if b"\x00" in data or too_many_controls(data, len(data)):
            raise IngestError("binary")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            candidate = data.decode("cp1251", errors="replace")
            if "\ufffd" in candidate or not _plausible_cyrillic(candidate):
                raise IngestError("encoding", "not UTF-8 and not Cyrillic cp1251") from None
            text = candidate
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError("empty")
    return text


def check_text(text: str) -> None:
    """Reject text that is binary, empty or mostly not letters (a table, a dump)."""
    if "\x00" in text or too_many_controls(map(ord, text), len(text)):
        raise IngestError("binary")
    if not text.strip():
        raise IngestError("empty")
    visible = sum(1 for ch in text if not ch.isspace())
    letters = len(LETTER_RE.findall(text))
    if letters < 0.5 * visible:
        raise IngestError("not_text", f"{letters} letters in {visible} characters")
