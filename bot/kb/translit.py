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

import heapq
import re
import unicodedata

from bot.kb.kk_stem import KK_FOLD

__all__ = ["cyrillic_readings", "romanize", "slug", "translit_key_normalized"]

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


# --------------------------------------------------------------------------
# Latin back to Cyrillic: Kazakh or Russian typed in Latin letters
# --------------------------------------------------------------------------

_RU_KK_LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"

#: Latin spellings with no counterpart in _CYR's romanisation: the Kazakh Latin
#: alphabets (2018 acute: á ǵ ń ó ú ū ý ı; 2021: ä ğ ñ ö ü ş ç ı; 2017 apostrophes:
#: a' g' n' o' u' i' s' c') and informal habits (j, h, c, w, x, ' for ь).
_LATIN_EXTRA = {
    "á": "ә", "ä": "ә", "ǵ": "ғ", "ğ": "ғ", "ń": "ң", "ñ": "ң", "ó": "ө", "ö": "ө",
    "ú": "ү", "ü": "ү", "ū": "ұ", "ý": "у", "ı": "ы", "í": "і", "ş": "ш", "ç": "ч",
    "é": "е", "ž": "ж", "š": "ш", "č": "ч",
    "a'": "ә", "g'": "ғ", "n'": "ң", "o'": "ө", "u'": "ү", "i'": "і", "s'": "ш", "c'": "ч",
    "j": "ж й дж", "h": "х", "c": "ц к ч", "w": "у в", "x": "х кс", "'": "ь ъ",
    "ja": "я", "ju": "ю", "jo": "е", "sch": "щ", "tch": "ч", "ye": "е",
}  # fmt: skip


def _latin_readings() -> dict[str, tuple[str, ...]]:
    """Latin letter or digraph -> the Cyrillic it may stand for, the inverse of _CYR's
    romanisation (a -> а ә, y -> ы й, kh -> х, q -> қ ...) plus _LATIN_EXTRA."""
    readings: dict[str, list[str]] = {}
    for cyr in _RU_KK_LETTERS:
        if _CYR[cyr]:
            readings.setdefault(_CYR[cyr], []).append(cyr)
    for latin, cyr in _LATIN_EXTRA.items():
        readings.setdefault(latin, []).extend(cyr.split())
    readings["yo"] = ["е"]  # ё, normalised to е
    readings["y"] = ["ы", "й", "и"]  # ы first; й after a vowel (see below)
    readings["i"] = ["і", "и", "й"]
    readings["h"] = ["х", "һ"]
    return {k: tuple(dict.fromkeys(v)) for k, v in readings.items()}


_READINGS = _latin_readings()
_MAX_KEY = max(map(len, _READINGS))
_LATIN_VOWELS = frozenset("aeiouyáäóöúüūýıé")


_SOFT = frozenset("бвдзлмнпрстфч")  # Russian consonants often written without their ь
_VOWELS_AFTER = _LATIN_VOWELS | {"'"}  # (ь not before a vowel or an apostrophe)


def _options(word: str, i: int, lang: str) -> list[tuple[int, str, int]]:
    """Readings of the letters at word[i]: (cost, cyrillic, length). The longest key is
    free; a shorter key where a longer one matched costs 1, every less likely letter 1.
    Letters that Kazakh folding merges (а ә, о ө, у ұ ү, и і, х һ) are one reading; in
    Russian they are Russian letters, and a consonant may take a dropped ь."""
    out: list[tuple[int, str, int]] = []
    longest = 0
    for n in range(min(_MAX_KEY, len(word) - i), 0, -1):
        cyrs = _READINGS.get(word[i : i + n])
        if cyrs is None:
            continue
        longest = longest or n
        split = 0 if n == longest else 1
        if n == 1 and word[i] in "yi" and i > 0 and word[i - 1] in _LATIN_VOWELS:
            cyrs = ("й", *cyrs)  # qandai, kakoy: a glide
        if lang == "ru":
            cyrs = tuple(c.translate(KK_FOLD) for c in cyrs)
        folded: set[str] = set()
        for cyr in cyrs:
            if cyr.translate(KK_FOLD) in folded:
                continue
            folded.add(cyr.translate(KK_FOLD))
            cost = split + len(folded) - 1
            out.append((cost, cyr, n))
            if lang == "ru" and cyr[-1:] in _SOFT and word[i + n : i + n + 1] not in _VOWELS_AFTER:
                out.append((cost + 1, cyr + "ь", n))
    if not out:  # an unknown letter: its base letter, or nothing
        base = unicodedata.normalize("NFKD", word[i])[0]
        cyrs = _READINGS.get(base, ("",)) if base != word[i] else ("",)
        out.append((0, cyrs[0], 1))
    return out


def cyrillic_readings(word: str, lang: str, limit: int = 64) -> list[str]:
    """The Cyrillic spellings a Latin word (normalised: lower case, diacritics kept) may
    stand for in `lang` ("kk" or "ru"), most likely first: Kazakh Latin (Qazaq,
    kóshesi, Taldyqorğan) and informal romanisation (zh, kh, sh, ch, ts, ya, y...).

    ("qazaq", "kk") -> ["қазақ"]; ("ulitsa", "ru") -> ["улица", "улитса", ...].
    Candidates are ranked by how many less likely readings they use (at most `limit`);
    Kazakh ones differ only where Kazakh folding (see `bot.kb.kk_stem.kk_fold`) would
    tell them apart."""
    heap: list[tuple[int, int, str]] = [(0, 0, "")]
    out: list[str] = []
    seen: set[str] = set()
    pops = 0
    while heap and len(out) < limit and pops < 50 * limit:
        cost, i, prefix = heapq.heappop(heap)
        pops += 1
        if i == len(word):
            if prefix not in seen:
                seen.add(prefix)
                out.append(prefix)
            continue
        for extra, cyr, n in _options(word, i, lang):
            heapq.heappush(heap, (cost + extra, i + n, prefix + cyr))
    return out
