"""The gazetteer ingest uses: `data/places.toml` merged with GeoNames cities.

`data/places.toml` wins where both have a place: its id, names and coordinates
stay, and the GeoNames city (matched by `geonames_id` if the record has one,
else by a shared name within `MATCH_KM`) only adds its alternate names, id and
population. The other GeoNames cities are added with ids "<slug>-<geonameid>".

Matching differs by origin, because the curated names are few and checked while
GeoNames has thousands of towns, some called like ordinary words:

- curated names match as `Gazetteer` matches them, plus the Russian case forms of
  names ending in -а/-я ("в Москве", "Караганде", "Уфой"), which prefix matching
  cannot find;
- GeoNames names match only in capitalised words (a hyphenated name may have
  lower-case parts: Ростов-на-Дону), not in Title Case lines (English
  headlines), and not in the names of people the text mentions ("Абай
  Кунанбаев" is not the town of Abay);
- at one position the longer name wins, and on the same span the curated place.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

from bot.kb.entities import Mention, word_key
from bot.kb.geonames import geonames_cities
from bot.kb.places import Gazetteer, haversine_km
from bot.kb.sources import Place
from bot.kb.text import tokenize, translit_key

__all__ = [
    "MATCH_KM",
    "FormIndex",
    "MergedGazetteer",
    "merge_places",
    "ru_case_forms",
    "with_cities",
]

MATCH_KM = 30.0  # a curated city and a GeoNames city with a shared name this close are one

_CYR_WORD_RE = re.compile(r"^(?P<stem>[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһіА-ЯЁ-]*?)(?P<end>[ая])$")
_SIBILANT_OR_VELAR = "гкхжчшщ"
_ADJECTIVE_FORMS_RE = re.compile(
    r"^(?P<stem>[А-ЯЁ][а-яё]+?)(?P<end>ний|кий|гий|хий|ый|ой|ая|яя|ые)$"
)
_ADJECTIVE_CASES = {
    "ний": ["него", "нему", "ним", "нем"],
    "кий": ["кого", "кому", "ким", "ком"],
    "гий": ["гого", "гому", "гим", "гом"],
    "хий": ["хого", "хому", "хим", "хом"],
    "ый": ["ого", "ому", "ым", "ом"],
    "ой": ["ого", "ому", "ым", "ом"],
    "ая": ["ой", "ую"],
    "яя": ["ей", "юю"],
    "ые": ["ых", "ым", "ыми"],
}
# letter runs as `tokenize` splits them: Latin (with diacritics), Cyrillic
_RUN_RE = re.compile(r"[A-Za-zÀ-ɏ]+|[\u0400-\u052f]+")
_GROUP_RE = re.compile(r"[^\W\d_]+(?:[-‐‑–][^\W\d_]+)*")
_TITLE_CASE_SHARE = 0.8
_TITLE_CASE_MIN_WORDS = 4
_MAX_ENDING = 4  # letters a case ending may add (-ске, -дағы, -нен)
_MAX_WORDS = 5
_ADJECTIVE_ENDING_RE = re.compile(
    r"^(?:ск|цк)?(?:ий|ый|ой|ая|яя|ое|ее|ие|ые|ого|его|ому|ему|им|ым|ими|ыми|их|ых|ую|юю)$"
)


def ru_case_forms(name: str) -> list[str]:
    """Russian case forms that do not start with the name itself: of a name ending
    in -а/-я (Москва -> Москвы, Москве, Москву, Москвой; Алма-Ата -> Алма-Аты ...)
    and of an adjective and a noun (Нижний Новгород -> Нижнем Новгороде ...).

    Names ending in a consonant need none: their forms start with the name."""
    words = name.split(" ")
    if len(words) == 2 and (adjective := _ADJECTIVE_FORMS_RE.match(words[0])) is not None:
        stem, end = adjective["stem"], adjective["end"]
        nouns = [words[1], *_noun_forms(words[1])]
        return [f"{stem}{e} {noun}" for e in _ADJECTIVE_CASES[end] for noun in nouns]
    if len(words) != 1:
        return []
    return _noun_forms(name)


def _noun_forms(word: str) -> list[str]:
    m = _CYR_WORD_RE.match(word)
    if m is None:
        return []
    stem, end = m["stem"], m["end"]
    if not stem or stem.endswith("-"):
        return []
    last = stem[-1].lower()
    if end == "а":
        genitive = "и" if last in _SIBILANT_OR_VELAR else "ы"
        instrumental = "ей" if last in "жчшщц" else "ой"
        endings = [genitive, "е", "у", instrumental]
    else:
        endings = ["и", "е", "ю", "ей"]
    return [stem + e for e in endings]


def _forms(place: Place) -> list[str]:
    """Every name of a place and the case forms of its Russian names."""
    names = [*place.name.values(), *place.variants]
    forms = [*names]
    for name in names:
        forms.extend(ru_case_forms(name))
    return list(dict.fromkeys(forms))


def _keys(place: Place) -> set[str]:
    return {translit_key(n) for n in [*place.name.values(), *place.variants]} - {""}


def merge_places(
    curated: Sequence[Place], cities: Sequence[Place]
) -> tuple[list[Place], list[Place], dict[str, str]]:
    """(curated places, GeoNames-only cities, GeoNames id -> curated id).

    A curated city matched to a GeoNames city gets its `geonames_id` and
    `population` (when the record gives none); nothing else of it changes."""
    by_geonames = {p.geonames_id: p for p in curated if p.geonames_id is not None}
    curated_cities = [p for p in curated if p.kind == "city"]
    curated_keys = {p.id: _keys(p) for p in curated_cities}
    alias: dict[str, str] = {}
    filled: dict[str, Place] = {}
    for city in cities:
        match = by_geonames.get(city.geonames_id) if city.geonames_id is not None else None
        if match is None and city.lat is not None and city.lon is not None:
            keys = _keys(city)
            for place in curated_cities:
                if (
                    place.geonames_id is None
                    and place.lat is not None
                    and place.lon is not None
                    and keys & curated_keys[place.id]
                    and haversine_km(place.lat, place.lon, city.lat, city.lon) <= MATCH_KM
                ):
                    match = place
                    break
        if match is None or match.id in filled:
            continue
        alias[city.id] = match.id
        filled[match.id] = replace(
            match,
            geonames_id=match.geonames_id or city.geonames_id,
            population=match.population or city.population,
        )
    merged = [filled.get(p.id, p) for p in curated]
    others = [c for c in cities if c.id not in alias]
    return merged, others, alias


class FormIndex:
    """Names matched as written (after `tokenize`: case, ё and Latin diacritics
    folded), with a short ending allowed (Уральске, Өскеменде, Moscow's).

    Unlike `EntityIndex`, which matches consonant keys across scripts, this needs
    the spelling itself, so a thousand small towns do not match ordinary words by
    their keys (Асык is not Есик, Social is not Sochi): GeoNames brings the
    Cyrillic and Latin spellings as separate names anyway."""

    def __init__(self) -> None:
        self._forms: dict[str, list[tuple[tuple[str, ...], str]]] = {}

    def add(self, entity_id: str, forms: Iterable[str]) -> None:
        for form in forms:
            tokens = tuple(tokenize(form))
            if not tokens or len(tokens) > _MAX_WORDS or (len(tokens) == 1 and len(tokens[0]) < 3):
                continue
            bucket = self._forms.setdefault(tokens[0], [])
            if (tokens, entity_id) not in bucket:
                bucket.append((tokens, entity_id))

    def find(self, text: str) -> list[Mention]:
        """The longest names at each position, left to right."""
        words = tokenize(text)
        found: list[Mention] = []
        i = 0
        while i < len(words):
            best: list[tuple[tuple[str, ...], str]] = []
            word = words[i]
            for cut in range(len(word), max(2, len(word) - _MAX_ENDING) - 1, -1):
                for tokens, entity_id in self._forms.get(word[:cut], ()):
                    if i + len(tokens) > len(words) or not all(
                        _fits(words[i + j], t) for j, t in enumerate(tokens)
                    ):
                        continue
                    if not best or len(tokens) > len(best[0][0]):
                        best = [(tokens, entity_id)]
                    elif len(tokens) == len(best[0][0]):
                        best.append((tokens, entity_id))
            if not best:
                i += 1
                continue
            length = len(best[0][0])
            found.extend(Mention(e, i, i + length) for e in sorted({e for _, e in best}))
            i += length
        return found


def _fits(word: str, name: str) -> bool:
    """`word` is `name` or `name` with a case ending (not a derived adjective:
    "Уральский" is not Уральск, "сталинградскую" not Сталинград)."""
    if word == name:
        return True
    if len(name) < 4 or not word.startswith(name) or word.isascii():
        return False  # English adds no endings: Social is not Soči
    extra = word[len(name) :]
    limit = 2 if len(name) <= 5 else _MAX_ENDING
    return len(extra) <= limit and not _ADJECTIVE_ENDING_RE.match(extra)


@lru_cache(maxsize=1)
def _city_index() -> FormIndex:
    """All GeoNames names (and case forms), built once per process."""
    index = FormIndex()
    for city in geonames_cities():
        index.add(city.id, _forms(city))
    return index


class MergedGazetteer(Gazetteer):
    """`data/places.toml` and GeoNames cities (see the module docstring)."""

    def __init__(self, curated: Iterable[Place], cities: Sequence[Place] | None = None) -> None:
        curated = list(curated)
        merged, others, self._alias = merge_places(
            curated, geonames_cities() if cities is None else cities
        )
        self.curated = Gazetteer(curated)  # the places.toml view (names of people are checked here)
        super().__init__(merged)
        for city in others:
            self.by_id[city.id] = city
        if cities is None:
            self._cities = _city_index()
        else:
            self._cities = FormIndex()
            for city in cities:
                self._cities.add(city.id, _forms(city))
        # the curated names' case forms (в Москве) that prefix matching misses
        self._case_forms = FormIndex()
        for place in merged:
            names = [*place.name.values(), *place.variants]
            self._case_forms.add(place.id, [f for n in names for f in ru_case_forms(n)])

    def _most_populous(self, mentions: list[Mention]) -> list[Mention]:
        """One town per name: Сосновка is the largest of the Sosnovkas (then the
        lowest GeoNames id), unless the name is a curated place's."""
        best: dict[tuple[int, int], Mention] = {}
        for m in mentions:
            span = (m.start, m.end)
            current = best.get(span)
            if current is None or self._rank(m.entity_id) < self._rank(current.entity_id):
                best[span] = m
        return sorted(best.values(), key=lambda m: m.start)

    def _rank(self, city_id: str) -> tuple[int, int, str]:
        curated = 0 if city_id in self._alias else 1
        place = self.by_id.get(city_id)
        population = place.population or 0 if place is not None else 0
        return (curated, -population, city_id)

    def find(self, text: str, *, people: Iterable[str] = ()) -> list[Place]:
        """Places named in `text`, in order of appearance, without repeats.

        `people`: names of people in the text; GeoNames names inside them are not
        places."""
        curated = self.index.find(text)
        masked = _capitalised_only(text, people)
        curated += self._case_forms.find(masked)
        cities = [
            Mention(self._alias.get(m.entity_id, m.entity_id), m.start, m.end)
            for m in self._most_populous(self._cities.find(masked))
        ]
        # the longest at each position, curated first on the same span
        ranked = sorted(
            [(m.start, -(m.end - m.start), 0, m) for m in curated]
            + [(m.start, -(m.end - m.start), 1, m) for m in cities],
            key=lambda item: item[:3],
        )
        seen: dict[str, Place] = {}
        end = 0
        group: tuple[int, int, int] | None = None  # (start, end, origin) of the last name taken
        for start, _, origin, mention in ranked:
            if group is not None and (start, mention.end) == group[:2]:
                if origin != group[2]:
                    continue  # the same words name a curated place: it wins
            elif start < end:
                continue  # inside a longer name, or a shorter one at the same position
            else:
                group, end = (start, mention.end, origin), mention.end
            place = self.by_id.get(mention.entity_id)
            if place is not None:
                seen.setdefault(place.id, place)
        return list(seen.values())


def _capitalised_only(text: str, people: Iterable[str]) -> str:
    """`text` with every word that cannot be a GeoNames name replaced by "0" (one
    token for one token, so mention positions match the original text's)."""
    person_keys = {word_key(w.lower()) for name in people for w in name.split()} - {""}
    out: list[str] = []
    for line in text.split("\n"):
        groups = list(_GROUP_RE.finditer(line))
        title_case = _is_title_case([g.group() for g in groups])
        pieces: list[str] = []
        pos = 0
        for g in groups:
            pieces.append(line[pos : g.start()])
            word = g.group()
            keep = not title_case and word[0].isupper() and not _is_person(word, person_keys)
            pieces.append(word if keep else _RUN_RE.sub("0", word))
            pos = g.end()
        pieces.append(line[pos:])
        out.append("".join(pieces))
    return "\n".join(out)


def _is_title_case(words: list[str]) -> bool:
    """An English headline in Title Case ("Students Meet In Social Media Marathon"):
    its capitals say nothing. Russian and Kazakh capitalise sentences only."""
    long = [w for w in words if len(w) >= 4 and w.isascii()]
    if len(long) < _TITLE_CASE_MIN_WORDS:
        return False
    return sum(1 for w in long if w[0].isupper()) >= _TITLE_CASE_SHARE * len(long)


def _is_person(word: str, person_keys: set[str]) -> bool:
    """Whether `word` is a form of a word of a person's name (Пушкину for "Александра
    Пушкина": the names come in whatever case the text had them)."""
    if not person_keys:
        return False
    key = word_key(word.lower())
    for k in person_keys:
        base = k[: max(4, len(k) - 2)]
        if key.startswith(base) and len(key) - len(base) <= _MAX_ENDING:
            return True
    return False


_MERGED: weakref.WeakKeyDictionary[Gazetteer, MergedGazetteer] = weakref.WeakKeyDictionary()


def with_cities(gazetteer: Gazetteer) -> MergedGazetteer:
    """`gazetteer` (places.toml, or the KB's places) with the GeoNames cities,
    built once per `gazetteer` object."""
    if isinstance(gazetteer, MergedGazetteer):
        return gazetteer
    merged = _MERGED.get(gazetteer)
    if merged is None:
        merged = MergedGazetteer(gazetteer.by_id.values())
        _MERGED[gazetteer] = merged
    return merged
