"""Domain query expansion: words a user asks with that the sources say differently.

Keys and values are *stems* (as `bot.kb.text.stem` returns them) in one language.
Kazakh entries are written as words with their Kazakh letters and go through `stem`
here, which folds those letters (қызмет -> кызмет).
A question word with an entry here is satisfied by any of the listed stems, so
"генконсул" finds the one that says "генеральный консул". Keep entries general to the
domain (consular work, diplomacy, the war and its memory), never tied to one
document, and add a test question when you add a line.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from bot.kb.text import stem

_RU = {
    "генконсул": ("консул",),
    "генконсульств": ("консульств",),
    "замаким": ("аким", "заместител"),
    "посольств": ("посол",),
    "вов": ("велик", "отечествен"),
    "рк": ("казахста",),
    "рф": ("росс",),
    "погибш": ("пал", "погибл"),
    "пропа": ("пропавш",),
    "губернатор": ("глав",),
}
_KK = {
    "паспорт": ("төлқұжат",),
    "консулдық": ("консул",),
    "елшілік": ("елші",),
    "қр": ("қазақстан",),
    "рф": ("ресей",),
    "губернатор": ("басшы", "әкім"),
}
_EN = {
    "consular": ("consul",),
    "embassi": ("ambassador",),
    "wwii": ("great", "patriot"),
    "die": ("kill", "fallen", "perish"),
    "dead": ("kill", "fallen", "perish"),
    "lost": ("miss",),
    "governor": ("head",),
}


def _kk(words: Iterable[str]) -> frozenset[str]:
    return frozenset(stem(word, "kk") for word in words)


# (консулдық and елшілік stem to консул and елші: those entries fall away)
_KK = {
    key: tuple(sorted(terms))
    for key, terms in ((stem(k, "kk"), _kk(v) - {stem(k, "kk")}) for k, v in _KK.items())
    if terms
}

#: Words that ask for consular services in general ("what services…", "which documents…"):
#: they are satisfied by the name of any service the consular data lists, taken from its
#: labels when the KB is loaded (`KnowledgeBase.service_terms`), not written here.
SERVICE_WORDS = MappingProxyType(
    {
        "ru": frozenset({"услуг", "документ"}),
        "kk": _kk(["қызмет", "құжат"]),
        "en": frozenset({"servic", "document"}),
    }
)

THESAURUS: MappingProxyType[str, MappingProxyType[str, tuple[str, ...]]] = MappingProxyType(
    {"ru": MappingProxyType(_RU), "kk": MappingProxyType(_KK), "en": MappingProxyType(_EN)}
)

#: Words that frame a question rather than say what it is about ("what is the *name*
#: of ..."): they still count, but for little.
WEAK = MappingProxyType(
    {
        "ru": frozenset({"назва", "называ", "зовут", "имя", "год", "дат", "мест", "город"}),
        "kk": _kk({"ата", "атау", "атал", "жыл", "күн", "орын", "қала"}),
        "en": frozenset({"name", "call", "year", "date", "place", "citi", "held", "take"}),
    }
)
WEAK_FACTOR = 0.3


def expand(term: str, lang: str) -> tuple[str, ...]:
    return THESAURUS.get(lang, MappingProxyType({})).get(term, ())
