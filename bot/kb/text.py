"""Text processing for the knowledge base: normalisation, tokenisation,
language detection, stemming and name keys for ru / kk / en.

Public API::

    normalize(text) -> str
    tokenize(text) -> list[str]
    detect_lang(text, default="ru") -> "ru" | "kk" | "en"
    stem(token, lang) -> str
    stems(text, lang) -> list[str]
    is_stop(token, lang) -> bool
    translit_key(word, keep_vowels=False) -> str
    STOP_WORDS: Mapping[str, frozenset[str]]

Tokens produced here consist only of ``[0-9a-z]`` or Cyrillic letters, so
they never carry FTS5 syntax (quotes, ``*``, ``:``, ``^``, parentheses);
upper-case ``AND``/``OR``/``NOT``/``NEAR`` cannot survive either, because
tokens are case-folded and FTS5 operators are case-sensitive.  Quoting each
token in a MATCH expression is still recommended.

Everything is pure Python and thread-safe; ``stem`` is memoised.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

import snowballstemmer

from bot.kb.kk_stem import kk_fold, kk_stem
from bot.kb.translit import translit_key_normalized

__all__ = [
    "LANGS",
    "MAX_TOKEN_LEN",
    "STOP_WORDS",
    "detect_lang",
    "is_stop",
    "normalize",
    "stem",
    "stems",
    "tokenize",
    "translit_key",
]

LANGS: Final = ("ru", "kk", "en")
MAX_TOKEN_LEN: Final = 64
"""Longer letter/digit runs are truncated (they are garbage, not words)."""

# --------------------------------------------------------------------------
# character classes
# --------------------------------------------------------------------------

# Cyrillic letters after case folding (U+0430..U+052F without the combining
# marks U+0483..U+0489 and the thousands sign U+0482).
_CYR_CLASS = "\u0430-\u0481\u048a-\u052f"
_KK_LETTERS = "әғқңөұүһі"
_KK_LETTER_SET = frozenset(_KK_LETTERS)

# Invisible characters removed outright: combining marks left over after NFKC
# (stress accents etc.; precomposed й, ё, Kazakh letters are not affected),
# variation selectors, soft hyphen, zero-width characters, bidi controls, BOM.
_INVISIBLE_RE = re.compile(
    "["
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u064b-\u065f\u1ab0-\u1aff"
    "\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f"
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0"
    "]+"
)
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f]")

_PUNCT_MAP = {
    # dashes and minus -> "-"
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58", "-"),
    # double quotes and guillemets -> '"'
    **dict.fromkeys("«»„“”‟″‶〝〞〟", '"'),
    # single quotes, apostrophes, primes -> "'"
    **dict.fromkeys("‘’‚‛′‵`ʹʻʼʽˈꞌ‹›", "'"),
    "ё": "е",
}
_PUNCT_RE = re.compile("[" + re.escape("".join(_PUNCT_MAP)) + "]")

# Latin <-> Cyrillic homoglyphs, applied inside mixed-script words only
# ("Жеңiс" typed with a Latin i, "Мoсква" with a Latin o).
_LAT2CYR = str.maketrans(
    "AaBCcEeHhIiKkMOoPpTXxYyƏə",
    "АаВСсЕеНһІіКкМОоРрТХхУуӘә",
)
_CYR2LAT = str.maketrans(  # ё too: normalize folds it into е, a look-alike of e
    "АаВЕеЁёКкМНһОоРрСсТХхУуІі",
    "AaBEeEeKkMHhOoPpCcTXxYyIi",
)
_HOMOGLYPH_LAT = frozenset("AaBCcEeHhIiKkMOoPpTXxYyƏə")
_HOMOGLYPH_CYR = frozenset("АаВЕеЁёКкМНһОоРрСсТХхУуІі")
# a Latin letter directly before/after a Cyrillic one: cheap gate for the
# (rare) mixed-script words
_LATIN_RE = re.compile("[A-Za-z\u018f\u0259]")
_LAT_CYR_RE = re.compile("[A-Za-z\u018f\u0259][\u0400-\u052f]")
_CYR_LAT_RE = re.compile("[\u0400-\u052f][A-Za-z\u018f\u0259]")
_MIXED_WORD_RE = re.compile(
    r"\b(?=[^\W\d_]*[A-Za-z\u018f\u0259])(?=[^\W\d_]*[\u0400-\u052f])[^\W\d_]+"
)
_LATIN_LETTER_RE = re.compile(r"[A-Za-z\u018f\u0259]")
_CYR_LETTER_RE = re.compile("[\u0400-\u052f]")

# tokenisation
_TOKEN_RE = re.compile(f"[{_CYR_CLASS}]+|[a-z]+|[0-9]+")
# anything beyond ASCII, Cyrillic and common typographic punctuation
_EXOTIC_RE = re.compile("[^\x00-\x7f\u0400-\u052f«»„“”‘’–—…№]")
_LATIN_EXT_RE = re.compile("[\u00c0-\u024f\u0259\u1e00-\u1eff]")
_NONASCII_DIGIT_RE = re.compile(r"(?![0-9])\d")


def _build_latin_fold() -> dict[int, str]:
    """Latin letters with diacritics -> plain a-z (é -> e, ş -> s, ß -> ss)."""
    special = {
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
        "ð": "d", "þ": "th", "ı": "i", "ə": "a", "ħ": "h", "ŧ": "t",
        "ŋ": "n", "ſ": "s", "ƒ": "f", "ĸ": "k",
    }  # fmt: skip
    table: dict[int, str] = {}
    for cp in [*range(0x00C0, 0x0250), 0x0259, *range(0x1E00, 0x1F00)]:
        ch = chr(cp).casefold()
        if ch in special:
            out = special[ch]
        else:
            out = "".join(c for c in unicodedata.normalize("NFKD", ch) if "a" <= c <= "z")
        table[cp] = out or " "
    return table


_LATIN_FOLD = _build_latin_fold()


def _fix_homoglyphs(match: re.Match[str]) -> str:
    word = match.group()
    n_lat = len(_LATIN_LETTER_RE.findall(word))
    n_cyr = len(_CYR_LETTER_RE.findall(word))
    if n_cyr >= n_lat:
        if all(ch in _HOMOGLYPH_LAT for ch in word if not "\u0400" <= ch <= "\u052f"):
            return word.translate(_LAT2CYR)
    elif all(ch in _HOMOGLYPH_CYR for ch in word if "\u0400" <= ch <= "\u052f"):
        return word.translate(_CYR2LAT)
    return word


def _nonascii_digit(match: re.Match[str]) -> str:
    return str(unicodedata.digit(match.group(), 0))


# --------------------------------------------------------------------------
# normalisation and tokenisation
# --------------------------------------------------------------------------


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def repair(text: str) -> str:
    """`text` with every lone surrogate (a half of a UTF-16 pair, which JSON can carry
    alone) replaced by U+FFFD: such a string cannot be encoded, so storing, searching or
    sending it would fail."""
    return _SURROGATE_RE.sub("\ufffd", text) if _SURROGATE_RE.search(text) else text


def _pre_normalize(text: str) -> str:
    """NFKC, invisible characters removed, homoglyphs fixed; case is kept."""
    if "№" in text:
        text = text.replace("№", "#")  # NFKC would turn it into "No"
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text)
    if _LATIN_RE.search(text) and (_LAT_CYR_RE.search(text) or _CYR_LAT_RE.search(text)):
        text = _MIXED_WORD_RE.sub(_fix_homoglyphs, text)
    return text


def normalize(text: str) -> str:
    """Canonical form of a text for matching.

    NFKC (full-width forms, ligatures, compatibility digits), case folding,
    ``ё`` -> ``е``, all dashes -> ``-``, all double quotes/guillemets ->
    ``"``, single quotes/apostrophes -> ``'``, combining marks and
    zero-width/bidi/format characters removed, Latin look-alike letters
    inside Cyrillic words (and vice versa) replaced, whitespace collapsed to
    single spaces and stripped.  Kazakh letters ә ғ қ ң ө ұ ү һ і are kept
    as they are; Latin letters keep their diacritics (``tokenize`` removes
    them).
    """
    text = _pre_normalize(text).casefold()
    if "\u0307" in text:  # "İ".casefold() == "i̇"
        text = _INVISIBLE_RE.sub("", text)
    text = _PUNCT_RE.sub(lambda m: _PUNCT_MAP[m.group()], text)
    if not text.isprintable():
        text = _CONTROL_RE.sub(" ", text)
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    """Split ``text`` into normalised word tokens.

    Tokens are maximal runs of ASCII digits, of Latin letters (diacritics
    removed: ``café`` -> ``cafe``, ``Taldyqorğan`` -> ``taldyqorgan``) or of
    Cyrillic letters (Russian and Kazakh).  Everything else separates tokens,
    so hyphenated words and numbers split (``27-я`` -> ``27``, ``я``;
    ``80-летие`` -> ``80``, ``летие``; ``1941г`` -> ``1941``, ``г``) and
    punctuation, FTS5 operators, emoji and other scripts vanish.  Tokens are
    truncated to :data:`MAX_TOKEN_LEN` characters.
    """
    # normalize() minus what cannot change tokens (quotes, dashes, spaces)
    s = _pre_normalize(text).casefold()
    if "\u0307" in s:
        s = _INVISIBLE_RE.sub("", s)
    if "ё" in s:
        s = s.replace("ё", "е")
    if _EXOTIC_RE.search(s):  # rare: Latin diacritics, non-ASCII digits
        if _LATIN_EXT_RE.search(s):
            s = s.translate(_LATIN_FOLD)
        s = _NONASCII_DIGIT_RE.sub(_nonascii_digit, s)
    tokens = _TOKEN_RE.findall(s)
    if tokens and max(map(len, tokens)) > MAX_TOKEN_LEN:
        tokens = [t[:MAX_TOKEN_LEN] for t in tokens]
    return tokens


# --------------------------------------------------------------------------
# language detection
# --------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.replace("ё", "е").split())


# Frequent Kazakh function words and question words (Cyrillic, normalised).
_KK_FUNCTION = _words(
    """
    және мен үшін бойынша қай қайда қайдан қашан қалай қандай қанша неше
    нешінші неге неліктен нені неден кім кімнің кімге кімді кімдер қайсы
    бар жоқ ма ме ба бе па пе ғой ғана тек бұл осы сол ол олар біз сіз сен
    менің сенің оның біздің сіздің олардың маған оған сізге бізге туралы
    жайлы арқылы дейін кейін бері бірге сияқты ретінде немесе бірақ әлде
    яғни екен еді болды болады болған болып өтті өтеді керек тиіс мүмкін
    деген деп дейді жылы сағат күні айы арасындағы кезінде қатысты жөнінде
    рахмет сәлем салем сәлеметсіз иә жоқ білесіз айтыңызшы
    """
)
# ... and as typed with Russian letters (қандай -> кандай), where that changes them
_KK_FUNCTION |= frozenset(
    kk_fold(w) for w in _KK_FUNCTION if len(w) >= 4 and not _KK_LETTER_SET.isdisjoint(w)
)
# Frequent Russian function words that do not exist in Kazakh.
_RU_FUNCTION = _words(
    """
    в во на и с со по из к ко о об обо от до за для при про без под над у
    что кто как какой какая какое какие каких каком какую каким где когда
    куда откуда почему зачем сколько чей чья чьё который которая которое
    которые это этот эта эти был была было были есть будет будут или но
    также тоже его ее её их он она они мы вы я мне меня можно нужно надо
    ли же бы чем чего кого кому ли уже еще ещё очень все всё такой такая
    является являются ли привет здравствуйте спасибо пожалуйста
    подскажите скажите расскажите
    """
)
_RU_ENDINGS = (
    "ый", "ий", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому",
    "ему", "ыми", "ими", "ых", "ться", "тся", "ешь", "ишь", "ает", "яет",
    "ует", "ются", "ится",
)  # fmt: skip
_KK_SUFFIX_ENDINGS = ("лар", "лер", "дар", "дер", "тар", "тер", "мен", "бен", "пен")
_RU_ONLY_LETTERS = frozenset("ёъэщь")
_CYR_WORD_RE = re.compile("[\u0400-\u052f]+")
_LAT_WORD_RE = re.compile("[A-Za-z\u00c0-\u024f]+")
_DETECT_CHARS = 2000  # long texts: the beginning is enough
_DETECT_WORDS = 200


def detect_lang(text: str, default: str = "ru") -> str:
    """Guess the language of a (short) text: ``"ru"``, ``"kk"`` or ``"en"``.

    * Latin letters outnumber Cyrillic ones -> ``"en"``;
    * Cyrillic: Kazakh evidence (words with ә ғ қ ң ө ұ ү һ і, Kazakh
      function words, plural/instrumental endings, the sequences жы/шы that
      Russian spelling forbids) is weighed against Russian evidence (Russian
      function words, adjective/verb endings, ъ э щ ь ё).  Capitalised
      words after the first count less, since Kazakh names often appear in
      Russian questions (``... Бауыржана Момышұлы``).  Kazakh wins if its
      score is higher; a tie goes to ``default`` when that is ``"kk"``,
      otherwise to ``"ru"``;
    * no letters at all (empty, digits, emoji) -> ``default``.

    Only the first 2000 characters (200 Cyrillic words) are looked at.
    """
    s = _pre_normalize(text[:_DETECT_CHARS])
    words = _CYR_WORD_RE.findall(s)
    n_cyr = sum(map(len, words))
    n_lat = sum(map(len, _LAT_WORD_RE.findall(s)))
    if n_lat == 0 and n_cyr == 0:
        return default
    if n_lat > n_cyr:
        return "en"
    kk = ru = 0
    text_start = s.lstrip()[:1]
    for word in words[:_DETECT_WORDS]:
        name_like = word[0].isupper() and not (word[0] == text_start and word is words[0])
        w = word.casefold()
        if not _RU_ONLY_LETTERS.isdisjoint(w):
            ru += 1
            w = w.replace("ё", "е")
        if w in _KK_FUNCTION:
            kk += 3
        elif w in _RU_FUNCTION:
            ru += 3
        if not _KK_LETTER_SET.isdisjoint(w):
            kk += 1 if name_like else 2
            continue
        if len(w) >= 4 and w.endswith(_RU_ENDINGS):
            ru += 1
        if len(w) >= 5 and w.endswith(_KK_SUFFIX_ENDINGS):
            kk += 1
        if "жы" in w or "шы" in w:
            kk += 1
        if abs(kk - ru) >= 60:  # decided; saves time on long passages
            break
    if kk > ru:
        return "kk"
    if kk == ru and default == "kk":
        return "kk"
    return "ru"


# --------------------------------------------------------------------------
# stop words
# --------------------------------------------------------------------------

_RU_STOP = _words(
    """
    а без более бы был была были было быть в вам вас весь во вот все всего
    всех всё вы г гг где да даже для до его ее её если есть еще ещё же за
    здесь и из или им их к как какая какие каким каких како какое каком
    какой какую ко когда кого кому который которая которое которые которых
    котором которой кто куда ли либо между меня мне может можно мой мы на
    над надо наш не него нее неё нет ни них но ну о об обо однако он она
    они оно от откуда очень по под подскажите пожалуйста почему при про
    раз расскажите с сам свой себя сколько скажите со так также такая такое
    такой такие там те тем то того тоже той только том ту тут ты у уже
    хотя чего чей чем через что чтобы чья чьи чьё эта эти это этого этой
    этом этот эту я являлся являлась являлось являлись является являются
    будет будут бывает
    """
)
_KK_STOP = _words(
    """
    және мен менің маған мені менен да де та те ма ме ба бе па пе ғой ғана
    тек бұл бұның бұған осы осының осыған сол соның оған ол оның оны олар
    олардың оларға біз біздің бізге сіз сіздің сізге сен сенің не нені
    неге неден немене неше нешінші нешеде кім кімнің кімге кімді кімдер
    кімнен қай қайда қайдан қайсы қайсысы қашан қалай қандай қанша қаншада
    неліктен туралы жайлы жөнінде бойынша үшін арқылы дейін кейін бері
    сияқты ретінде немесе бірақ әлде яғни екен еді болды болады болған
    болып бар жоқ әр өз өзі өзінің мұнда онда осында деген деп дейді ия иә
    айтыңызшы айтып беріңізші білесіз ме
    """
)
_KK_STOP |= frozenset(kk_fold(w) for w in _KK_STOP)  # typed with Russian letters
_EN_STOP = _words(
    """
    a about after all also am an and any are as at be been before being
    between both but by can could did do does doing during each for from
    had has have having he her here hers him his how i if in into is it
    its itself just me more most my no nor not of on only or other our
    ours out over own please s same she should so some such t tell than
    that the their theirs them then there these they this those through
    to too under until up very was we were what when where which while who
    whom whose why will with would you your yours know
    """
)

STOP_WORDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {"ru": _RU_STOP, "kk": _KK_STOP, "en": _EN_STOP}
)
"""Stop words per language (normalised tokens).

Policy: prepositions/postpositions, conjunctions, particles, pronouns,
auxiliaries and *question words* (кто, какой, сколько / кім, қай, неше,
қандай / who, what, which ...) are dropped -- they carry the intent of a
question, not the content to match.  Numbers are never stop words, nor are
content words that merely look generic (год/жыл/year, день/күн/day,
улица/көше/street).  Negation (не/нет, жоқ, not) is dropped as well: FTS
ranking cannot use it.  The lists are short on purpose.
"""

_CYR_STOP_FOR_EN = _RU_STOP | _KK_STOP
# Latin and Cyrillic tokens never overlap, so one set per language suffices
_STOP_ANY_SCRIPT = {
    "ru": _EN_STOP | _RU_STOP,
    "kk": _EN_STOP | _KK_STOP,
    "en": _EN_STOP | _CYR_STOP_FOR_EN,
}
_STOP_FOR_OTHER = _STOP_ANY_SCRIPT["en"]

# --------------------------------------------------------------------------
# stemming
# --------------------------------------------------------------------------

_SNOWBALL_LOCK = threading.Lock()
_SNOWBALL: dict[str, Any] = {}  # one stemmer instance per algorithm


def _snowball_stem(algorithm: str, word: str) -> str:
    # Snowball stemmer objects keep per-call state: serialise access so that
    # indexing in a worker thread cannot interleave with query stemming.
    # Only cache misses of _stem_cached get here.
    with _SNOWBALL_LOCK:
        stemmer = _SNOWBALL.get(algorithm)
        if stemmer is None:
            stemmer = _SNOWBALL[algorithm] = snowballstemmer.stemmer(algorithm)
        return str(stemmer.stemWord(word))


_LANG_ALIASES = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en"}


def _canon_lang(lang: str) -> str:
    lang = lang.lower().replace("_", "-").split("-", 1)[0]
    return _LANG_ALIASES.get(lang, lang)


@lru_cache(maxsize=1 << 17)
def _stem_cached(token: str, lang: str) -> str:
    if not token or token.isdigit():
        return token
    if not token.islower() or "ё" in token:  # tolerate raw input
        token = token.casefold().replace("ё", "е")
    if token.isascii():
        # Latin tokens get Porter2 whatever the text language: the Russian
        # and Kazakh stemmers leave Latin untouched, and English names must
        # stem the same way in every index.
        return _snowball_stem("english", token)
    if lang == "kk":
        # Kazakh letters are folded first (қ -> к, ө -> о, і -> и ...), so a word typed
        # with Russian letters stems exactly as its proper spelling does
        return kk_stem(kk_fold(token))
    if lang != "ru" and _KK_LETTER_SET.intersection(token):
        return kk_stem(token)
    return _snowball_stem("russian", token)


def stem(token: str, lang: str) -> str:
    """Stem one token (normally from :func:`tokenize`; raw case is tolerated).

    ``lang`` selects the stemmer for Cyrillic tokens: Snowball Russian for
    ``"ru"``, :func:`bot.kb.kk_stem.kk_stem` for ``"kk"``, applied to the word with
    its Kazakh letters folded to the Russian ones people type for them
    (ә ғ қ ң ө ұ ү һ і -> а г к н о у у х и: ``қызметтер`` and ``кызметтер`` both
    give ``кызмет``); under ``"en"``
    (or an unknown language) a Cyrillic token uses the Kazakh stemmer if it
    contains Kazakh letters, else Russian.  Latin tokens always use Snowball
    English (Porter2); digit tokens are returned unchanged.  Region suffixes
    and aliases are accepted (``"ru-RU"``, ``"kz"``).  Results are cached.
    """
    return _stem_cached(token, _canon_lang(lang))


def is_stop(token: str, lang: str) -> bool:
    """Whether a normalised token is a stop word for ``lang``.

    Latin tokens are checked against the English list, Cyrillic tokens
    against the list of ``lang`` (Russian and Kazakh lists for ``"en"``).
    """
    return token in _STOP_ANY_SCRIPT.get(_canon_lang(lang), _STOP_FOR_OTHER)


def stems(text: str, lang: str) -> list[str]:
    """Tokenize ``text``, drop stop words (see :data:`STOP_WORDS`) and stem.

    Numbers are kept.  The order of the remaining tokens is preserved and
    duplicates are not removed.
    """
    lang = _canon_lang(lang)
    stop = _STOP_ANY_SCRIPT.get(lang, _STOP_FOR_OTHER)
    return [_stem_cached(tok, lang) for tok in tokenize(text) if tok not in stop]


# --------------------------------------------------------------------------
# names across scripts
# --------------------------------------------------------------------------


@lru_cache(maxsize=1 << 14)
def _translit_key_cached(word: str, keep_vowels: bool) -> str:
    return translit_key_normalized(normalize(word), keep_vowels)


def translit_key(word: str, keep_vowels: bool = False) -> str:
    """Script-independent key of a name: equal for its Cyrillic (ru/kk) and
    Latin spellings, e.g. Кошербаев / Көшербаев / Kosherbayev -> ``kxrbv``.

    A consonant skeleton: vowels dropped except a leading ``a`` marker for
    vowel-initial words, ж/zh/j/dzh -> j, х/kh/h -> h, ш/sh/ş -> x,
    ч/ch/ç -> c, қ/к/k/q -> k, ғ/г/g/ğ -> g, ң/н/n/ñ -> n, doubled letters
    collapsed.  Several words give space-separated keys
    (``Атамның аманаты`` -> ``atmn amnt``).  ``keep_vowels=True`` keeps one
    vowel class per vowel run for fewer collisions (Марат/Мурат) at the cost
    of recall (Кунаев/Қонаев).  See :mod:`bot.kb.translit` for the
    trade-offs.  Results are cached.
    """
    return _translit_key_cached(word, keep_vowels)
