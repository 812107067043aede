"""What a document is about: its kind, the kind of event, and whether it was online.

Keyword rules, not a model: the corpus is small, the rules are easy to audit,
and a wrong kind only moves a document between browsing sections.
"""

from __future__ import annotations

import re

__all__ = ["event_kind_of", "is_online", "kind_of"]

_CONSULAR_RE = re.compile(r"консул|consul|паспорт|passport")
_HERITAGE_RE = re.compile(
    r"велик\w* отечественн\w*|сталинград|stalingrad|мемориал|memorial|missing soldiers"
    r"|search movement|поисков\w* движени|great patriotic war|ұлы отан соғыс"
    r"|бессмертн\w* полк|immortal regiment"
)
_VICTORY_RE = re.compile(r"\bПобед|\bЖеңіс|\bVictory\b")
_EVENT_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("agreement", re.compile(r"\b(?:меморандум|соглашени|memorand|agreement|келісім)")),
    ("conference", re.compile(r"\b(?:конференц|conference|форум|forum)")),
    ("reception", re.compile(r"\b(?:при[её]м|reception|қабылдау)")),
    ("meeting", re.compile(r"\b(?:встреч|встрет|meeting|met with|кездес)")),
    ("visit", re.compile(r"\b(?:визит|visit|сапар)")),
)
_ONLINE_RE = re.compile(
    r"\b(?:онлайн|online|вебинар|webinar|видеоконференц|videoconferenc|video conferenc"
    r"|в режиме видеосвязи|zoom)"
)


def kind_of(norm: str, original: str) -> str:
    """consular, heritage or event: which browsing section the document belongs to."""
    if _CONSULAR_RE.search(norm):
        return "consular"
    if _HERITAGE_RE.search(norm) or _VICTORY_RE.search(original):
        return "heritage"
    return "event"


def event_kind_of(norm_text: str, norm_title: str) -> str | None:
    """The kind with the most keyword hits (title hits count 3x); ties by priority."""
    best: tuple[int, str] | None = None
    for kind, pattern in _EVENT_KINDS:
        score = len(pattern.findall(norm_text)) + 2 * len(pattern.findall(norm_title))
        if score and (best is None or score > best[0]):
            best = (score, kind)
    return best[1] if best else None


def is_online(norm_text: str) -> bool:
    """Whether the (normalised) text describes an online event: then it has no place."""
    return bool(_ONLINE_RE.search(norm_text))
