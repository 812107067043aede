"""Questions typed in Latin letters that are not English: Kazakh Latin ("Qazaq kóshesi
degen ne?", "Taldyqorğanda qandai qyzmetter boldy?") and Russian in Latin letters
("gde nahoditsya konsulstvo").

`respell` reads the question three ways: as English, as Kazakh and as Russian (each
Latin word turned into its most likely Cyrillic spelling that the knowledge base knows,
see `bot.kb.translit.cyrillic_readings`). A word counts for a reading when it is a stop
word of that language or its stem is in the KB's vocabulary for that language. The
reading with the larger share of such words wins; English keeps ties, and a Kazakh or
Russian reading must account for at least half of the words, at least two of them, and
include a content word the KB knows. Nothing is hand-listed here: the evidence is the
KB's own vocabulary and the stop-word lists of `bot.kb.text`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from bot.kb.text import is_stop, normalize, stem, tokenize
from bot.kb.translit import cyrillic_readings

__all__ = ["Known", "respell"]

#: known(stem, lang): whether `stem` occurs in the KB's vocabulary for `lang`.
Known = Callable[[str, str], bool]

_LATIN_WORD_RE = re.compile(r"[a-zA-Z\u00c0-\u024f]+(?:'[a-zA-Z\u00c0-\u024f]+)*'?")
_APOSTROPHES = str.maketrans(dict.fromkeys("‘’ʼʻ`´", "'"))
_READINGS = ("kk", "ru")
MIN_SHARE = 0.5
MIN_KNOWN = 2  # one word alone ("Kosherbaev") is a name, in any language


def _english(text: str, known: Known) -> float:
    tokens = [t for t in tokenize(text) if not t.isdigit()]
    if not tokens:
        return 0.0
    hits = sum(is_stop(t, "en") or known(stem(t, "en"), "en") for t in tokens)
    return hits / len(tokens)


def _read(word: str, lang: str, known: Known) -> tuple[str, bool, bool]:
    """The Cyrillic reading of one word in `lang`: (spelling, known, content word)."""
    candidates = cyrillic_readings(word, lang)
    for cyr in candidates:
        if is_stop(cyr, lang):
            return cyr, True, False
        if known(stem(cyr, lang), lang):
            return cyr, True, True
    return (candidates[0] if candidates else word), False, False


def respell(text: str, known: Known, prefer: str | None = None) -> tuple[str, str] | None:
    """The Cyrillic Kazakh or Russian a Latin-typed question most likely is, with its
    language, or None when it reads best as English (or as nothing the KB knows).
    `prefer` ("kk" or "ru", the user's language) breaks a tie between the two."""
    norm = normalize(text)
    words = _LATIN_WORD_RE.findall(norm)
    if not words:
        return None
    best: tuple[float, bool, str, dict[str, str]] | None = None
    for lang in _READINGS:
        spelt: dict[str, str] = {}
        hits = content = 0
        for word in words:
            cyr, hit, is_content = _read(word.rstrip("'"), lang, known)
            spelt[word] = cyr + ("ь" if lang == "ru" and word.endswith("'") else "")
            hits += hit
            content += is_content
        share = hits / len(words)
        if not content or hits < MIN_KNOWN or share < MIN_SHARE:
            continue
        key = (share, lang == prefer, lang, spelt)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None or best[0] <= _english(norm, known):
        return None
    _share, _preferred, lang, spelt = best
    return _LATIN_WORD_RE.sub(lambda m: _cased(m.group(), spelt), _pre_case(text)), lang


def _pre_case(text: str) -> str:
    """`text` normalised but with its case kept (the dense model reads capitals)."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return " ".join(text.split())


def _cased(word: str, spelt: dict[str, str]) -> str:
    cyr = spelt.get(normalize(word), word)
    return cyr[:1].upper() + cyr[1:] if word[:1].isupper() else cyr
