"""Script-independent keys for names and places.

``translit_key`` maps a word written in Cyrillic (Russian or Kazakh
letters) or Latin (English-style romanisation, Kazakh Latin with ``ğ q ñ ö
ü ū ı ä ş ç``, or the older ``zh``/``kh``/``sh`` digraphs) to one
*consonant skeleton*, so that

    Кошербаев / Көшербаев / Kosherbayev / Kosherbaev       -> kxrbv
    Талдыкорган / Талдықорған / Taldykorgan / Taldyqorğan  -> tldkrgn
    Жетысу / Жетісу / Zhetysu / Jetisu                     -> jts
    Есдаулетов / Есдәулетов / Yesdauletov / Esdauletov     -> asdltv

Algorithm
---------
1. Cyrillic is romanised letter by letter (ж -> zh, ш -> sh, ч -> ch,
   щ -> shch, ц -> ts, х -> kh, ң -> ng, ғ -> gh, қ -> q, дж -> dzh ...);
   Kazakh Latin letters are spelt out the same way (ş -> sh, ç -> ch,
   ğ -> gh, ñ -> ng); other Latin diacritics are removed.
2. Digraphs and equivalent letters collapse to one consonant class:
   ``zh j dzh dj`` -> j, ``kh h x(ks)``: kh/h -> h, ``sh`` -> x, ``ch`` -> c,
   ``shch``/``sch`` -> xc/x, ``q c ck k`` -> k, ``gh g`` -> g,
   ``ng ñ n`` -> n, ``ph f`` -> f, ``w v`` -> v, ``th`` -> t.
3. Vowels (including the glides й/y/i and у/u) are dropped; a word that
   starts with a vowel (or ye/yu/ya/yo) gets the marker ``a`` instead, so
   Есдаулетов = Yesdauletov = Esdauletov and Алматы (almt) keeps its
   initial vowel apart from Лматы.
4. Runs of the same consonant collapse (Kassymov = Касымов).

The output alphabet is ``a`` (initial vowel) plus ``b c d f g h j k l m n
p r s t v x z`` and digits.

Trade-off
---------
Dropping the vowels maximises recall across spellings, which for Kazakh
names differ mostly in vowels: Кунаев/Қонаев, Туркестан/Түркістан,
Караганда/Қарағанды, Джамбул/Жамбыл all meet.  The price is collisions
between names that differ only in vowels: Марат/Мурат (mrt), Омар/Амир
(amr), Асан/Осень, Ерлан/Орлан.  Keys of long surnames (4+ consonants)
are distinctive in practice; for short keys callers should confirm a hit
with the other words of the name or with the full text, or use
``keep_vowels=True``, which keeps one vowel class per vowel run
(a/e/i/o/u; Кунаев and Қонаев then differ, Марат and Мурат too).
Known misses either way: ч/ш swaps (Чимкент/Шымкент), renamed places
(Алма-Ата/Алматы) and Russian endings (Петропавловск/Петропавл).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["romanize", "slug", "translit_key_normalized"]

_CYR = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "gh", "д": "d",
    "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y", "і": "i",
    "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ng", "о": "o",
    "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # letters of other Cyrillic alphabets that show up in names
    "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ј": "y", "ѓ": "g", "ќ": "k",
    "њ": "n", "љ": "l", "џ": "dzh", "ђ": "dj", "ћ": "ch", "ӏ": "",
}  # fmt: skip

# Latin letters with a phonetic value of their own (Kazakh/Turkic Latin,
# Central European); the rest just lose their diacritics.
_LATIN = {
    "ş": "sh", "ș": "sh", "š": "sh", "ç": "ch", "č": "ch", "ğ": "gh",
    "ñ": "ng", "ž": "zh", "ı": "i", "ə": "a", "æ": "ae", "œ": "oe",
    "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ß": "ss",
}  # fmt: skip

_DIGRAPHS = {
    "shch": "XC", "sch": "X", "dzh": "J", "tch": "C", "zh": "J", "dj": "J",
    "kh": "H", "gh": "G", "ch": "C", "sh": "X", "ph": "F", "th": "T",
    "ck": "K", "ng": "N", "j": "J", "q": "K", "c": "K", "x": "KS", "w": "V",
    "h": "H",
}  # fmt: skip
_DIGRAPH_RE = re.compile("|".join(sorted(_DIGRAPHS, key=len, reverse=True)))

_VOWEL_CLASS = {"a": "a", "e": "e", "i": "i", "y": "i", "o": "o", "u": "u"}
_CONSONANTS = frozenset("bdfgklmnprstvz")
_WORD_RE = re.compile(r"[^\W_]+")
_YOTATED = ("ye", "yo", "yu", "ya")


# For ids, Kazakh letters read as their nearest Russian ones (қ -> k, not q), so a
# Kazakh and a Russian spelling of a name give the same, plain-ASCII id.
_ID_LETTERS = {**_CYR, "ғ": "g", "қ": "k", "ң": "n"}


def romanize(text: str) -> str:
    """Plain-ASCII Latin for ids: Cyrillic letter by letter, other letters without
    their diacritics; anything else (spaces, punctuation, other scripts) becomes "-".

    "Ермек Көшербаев" -> "ermek-kosherbaev", "Талдықорған" -> "taldykorgan".
    """
    out: list[str] = []
    for ch in text.lower():
        if ch in _ID_LETTERS:
            out.append(_ID_LETTERS[ch])
        else:
            base = unicodedata.normalize("NFKD", ch)[0]
            out.append(base if base.isascii() and base.isalnum() else "-")
    return "".join(out)


def slug(text: str, max_len: int = 80) -> str:
    """An id made from a name or a file name: "Встреча в Астане" -> "vstrecha-v-astane"."""
    result = re.sub(r"-+", "-", romanize(text)).strip("-")
    return result[:max_len].rstrip("-")


def _latinise(word: str) -> str:
    out: list[str] = []
    for ch in word:
        if ch in _CYR:
            out.append(_CYR[ch])
        elif ch in _LATIN:
            out.append(_LATIN[ch])
        elif "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch)[0]
            if "a" <= base <= "z" or "0" <= base <= "9":
                out.append(base)
    # Cyrillic "дж" already became "dzh"; Kazakh "ң"+"г" etc. need no care
    return "".join(out)


def _skeleton(latin: str, keep_vowels: bool) -> str:
    if latin.startswith(_YOTATED):
        latin = latin[1:]  # Yesdauletov = Esdauletov = Есдаулетов
    folded = _DIGRAPH_RE.sub(lambda m: _DIGRAPHS[m.group()], latin)
    out: list[str] = []
    for i, ch in enumerate(folded):
        vowel = _VOWEL_CLASS.get(ch)
        if vowel is not None:
            if i == 0:
                out.append("a")
            elif keep_vowels and not (out and out[-1] in "aeiou"):
                out.append(vowel)
            continue
        if ch.isupper():
            sym = ch.lower()
        elif ch in _CONSONANTS or ch.isdigit():
            sym = ch
        else:
            continue
        if out and out[-1] == sym:
            continue
        out.append(sym)
    return "".join(out)


def translit_key_normalized(text: str, keep_vowels: bool = False) -> str:
    """Key for already normalised text (see ``bot.kb.text.translit_key``).

    Every word gets its own key; keys are joined with single spaces.
    """
    keys = []
    for word in _WORD_RE.findall(text):
        key = _skeleton(_latinise(word), keep_vowels)
        if key:
            keys.append(key)
    return " ".join(keys)
