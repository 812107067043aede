"""Read the knowledge-base sources in `data/` (TOML) into plain dataclasses.

The build, the ingest path and the browsing features all use these types, so the
TOML layout is parsed in exactly one place. See `data/README.md` for the format.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "data"
Texts = dict[str, str]  # language code -> text; ingested documents may lack languages


@dataclass(slots=True)
class Person:
    id: str
    name: Texts
    role: Texts
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Organisation:
    id: str
    name: Texts
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Passage:
    pid: str
    text: Texts
    topics: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    id: str
    source: str
    source_lang: str
    kind: str
    title: Texts
    summary: Texts = field(default_factory=dict)
    event_kind: str | None = None
    date: str | None = None
    date_precision: str | None = None
    date_note: str | None = None
    # where the document comes from, as the source gives it (None when it does not)
    publisher: str | None = None  # "Kazakhstan Today", "Kazpravda.kz"
    url: str | None = None  # a link to the original
    published: str | None = None  # publication date: "YYYY-MM-DD", "--MM-DD", ...
    online: bool = False
    places: list[str] = field(default_factory=list)
    mentioned_places: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    venue: Texts = field(default_factory=dict)
    credit: Texts = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    origin: str = "data"  # "data" (curated, trilingual) or "ingest" (one language)


@dataclass(slots=True)
class Place:
    id: str
    kind: str
    country: str
    name: Texts
    variants: list[str] = field(default_factory=list)
    parent: str | None = None
    centre: str | None = None
    lat: float | None = None
    lon: float | None = None
    tags: list[str] = field(default_factory=list)
    geonames_id: int | None = None  # the GeoNames id, when the place is matched to one
    population: int | None = None  # from GeoNames


@dataclass(slots=True)
class Topic:
    id: str
    kind: str
    title: Texts
    text: Texts
    parent: str | None = None
    sources: list[str] = field(default_factory=list)
    order: int = 0


#: What a moderator may add to an office or a reception after the fact (the sources give
#: none of it): the venue's address and the opening hours per language, a booking link,
#: a contact (phone or e-mail) and the venue's map point. Offices also list services.
DETAIL_FIELDS = ("venue", "hours", "booking_url", "contact", "lat", "lon", "services")

#: Kinds of consular office, in the order they are offered.
OFFICE_KINDS = ("embassy", "consulate-general", "consulate", "honorary-consul")


@dataclass(slots=True, kw_only=True)
class VenueDetails:
    """What a moderator may give of an office's or a reception's venue (see
    `DETAIL_FIELDS`); the sources give none of it."""

    venue: Texts = field(default_factory=dict)  # the address, per language
    hours: Texts = field(default_factory=dict)
    booking_url: str | None = None
    contact: str | None = None
    lat: float | None = None  # the venue's map point, when given
    lon: float | None = None


@dataclass(slots=True)
class Office(VenueDetails):
    """A diplomatic or consular office: `country` is the state it represents (RU: a
    Russian mission, in Kazakhstan; KZ: a Kazakh one, in Russia)."""

    id: str
    country: str
    city: str
    name: Texts
    note: Texts = field(default_factory=dict)
    head: str | None = None
    head_title: Texts = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    kind: str | None = None  # one of OFFICE_KINDS, when known
    services: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Reception(VenueDetails):
    id: str
    office: str
    city: str
    date: str
    services: list[str]
    source: str
    note: Texts = field(default_factory=dict)
    region: str | None = None
    date_precision: str | None = None
    kind: str | None = None
    audience: str | None = None
    document: str | None = None


@dataclass(slots=True)
class Sources:
    documents: list[Document] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    offices: list[Office] = field(default_factory=list)
    receptions: list[Reception] = field(default_factory=list)
    services: dict[str, Texts] = field(default_factory=dict)
    audiences: dict[str, Texts] = field(default_factory=dict)


def _texts(value: Any) -> Texts:
    if not isinstance(value, dict):
        return {}
    return {k: str(v) for k, v in value.items() if k in ("ru", "kk", "en") and v}


def document_from_dict(raw: dict[str, Any], origin: str = "data") -> Document:
    """One document record (as in `data/documents/*.toml`) to a `Document`."""
    return Document(
        id=raw["id"],
        source=raw["source"],
        source_lang=raw.get("source_lang", "ru"),
        kind=raw.get("kind", "event"),
        title=_texts(raw.get("title")),
        summary=_texts(raw.get("summary")),
        event_kind=raw.get("event_kind"),
        date=raw.get("date"),
        date_precision=raw.get("date_precision"),
        date_note=raw.get("date_note"),
        publisher=raw.get("publisher"),
        url=raw.get("url"),
        published=raw.get("published"),
        online=bool(raw.get("online", False)),
        places=list(raw.get("places", [])),
        mentioned_places=list(raw.get("mentioned_places", [])),
        topics=list(raw.get("topics", [])),
        countries=list(raw.get("countries", [])),
        venue=_texts(raw.get("venue")),
        credit=_texts(raw.get("credit")),
        people=[
            Person(p["id"], _texts(p.get("name")), _texts(p.get("role")), p.get("aliases", []))
            for p in raw.get("people", [])
        ],
        organisations=[
            Organisation(o["id"], _texts(o.get("name")), o.get("aliases", []))
            for o in raw.get("organisations", [])
        ],
        passages=[
            Passage(p["id"], _texts(p), list(p.get("topics", []))) for p in raw.get("passages", [])
        ],
        origin=raw.get("origin", origin),
    )


def document_to_dict(doc: Document) -> dict[str, Any]:
    """The inverse of `document_from_dict`: the record in the `data/` layout."""
    raw: dict[str, Any] = {
        "id": doc.id,
        "source": doc.source,
        "source_lang": doc.source_lang,
        "kind": doc.kind,
        "title": doc.title,
        "summary": doc.summary,
        "places": doc.places,
        "mentioned_places": doc.mentioned_places,
        "topics": doc.topics,
        "countries": doc.countries,
        "venue": doc.venue,
        "credit": doc.credit,
        "online": doc.online,
        "origin": doc.origin,
        "people": [
            {"id": p.id, "name": p.name, "role": p.role, "aliases": p.aliases} for p in doc.people
        ],
        "organisations": [
            {"id": o.id, "name": o.name, "aliases": o.aliases} for o in doc.organisations
        ],
        "passages": [{"id": p.pid, "topics": p.topics, **p.text} for p in doc.passages],
    }
    optional = (
        "event_kind",
        "date",
        "date_precision",
        "date_note",
        "publisher",
        "url",
        "published",
    )
    for key in optional:
        value = getattr(doc, key)
        if value is not None:
            raw[key] = value
    return raw


def _load(path: Path) -> dict[str, Any]:
    if path.suffix == ".json":
        with path.open(encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
        return data
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_places(data_dir: Path = DATA_DIR) -> list[Place]:
    places = []
    for raw in _load(data_dir / "places.toml").get("place", []):
        name = raw.get("name", {})
        places.append(
            Place(
                id=raw["id"],
                kind=raw["kind"],
                country=raw.get("country", ""),
                name=_texts(name),
                variants=list(name.get("variants", [])),
                parent=raw.get("parent"),
                centre=raw.get("centre"),
                lat=raw.get("lat"),
                lon=raw.get("lon"),
                tags=list(raw.get("tags", [])),
                geonames_id=raw.get("geonames_id"),
                population=raw.get("population"),
            )
        )
    return places


def load_sources(data_dir: Path = DATA_DIR, documents: Iterable[Document] = ()) -> Sources:
    """Everything in `data/`: the curated documents, then `documents` (those moderators
    added, kept in the bot's database), and the tables."""
    sources = Sources()
    folder = data_dir / "documents"
    for path in sorted([*folder.glob("*.toml"), *folder.glob("*.json")]):
        sources.documents.append(document_from_dict(_load(path)))
    sources.documents += documents
    sources.places = load_places(data_dir)
    _add_referenced_cities(sources)
    for order, raw in enumerate(_load(data_dir / "topics.toml").get("topic", [])):
        sources.topics.append(
            Topic(
                id=raw["id"],
                kind=raw["kind"],
                title=_texts(raw.get("title")),
                text=_texts(raw.get("text")),
                parent=raw.get("parent"),
                sources=list(raw.get("sources", [])),
                order=order,
            )
        )
    consular = _load(data_dir / "consular.toml")
    for raw in consular.get("office", []):
        sources.offices.append(
            Office(
                id=raw["id"],
                country=raw["country"],
                city=raw["city"],
                name=_texts(raw.get("name")),
                note=_texts(raw.get("note")),
                head=raw.get("head"),
                head_title=_texts(raw.get("head_title")),
                sources=list(raw.get("sources", [])),
                kind=raw.get("kind"),
            )
        )
    for raw in consular.get("reception", []):
        sources.receptions.append(
            Reception(
                id=raw["id"],
                office=raw["office"],
                city=raw["city"],
                date=raw["date"],
                services=list(raw.get("services", [])),
                source=raw["source"],
                note=_texts(raw.get("note")),
                region=raw.get("region"),
                date_precision=raw.get("date_precision"),
                kind=raw.get("kind"),
                audience=raw.get("audience"),
                document=raw.get("document"),
            )
        )
    sources.services = {k: _texts(v) for k, v in consular.get("service", {}).items()}
    sources.audiences = {k: _texts(v) for k, v in consular.get("audience", {}).items()}
    return sources


def _add_referenced_cities(sources: Sources) -> None:
    """Add the GeoNames cities that ingested documents name ("ufa-479561") to the places.

    Only those, so the KB (and the search's gazetteer) stays the curated places plus
    what documents need, and a KB from curated data alone never reads GeoNames. A
    city that places.toml has since gained takes the curated id."""
    known = {p.id for p in sources.places}
    wanted = [
        pid
        for doc in sources.documents
        for pid in [*doc.places, *doc.mentioned_places]
        if pid not in known
    ]
    if not wanted:
        return
    from bot.kb.gazetteer import merge_places
    from bot.kb.geonames import by_geonames_id, geonames_id_of

    cities: dict[str, Place] = {}
    for pid in dict.fromkeys(wanted):
        number = geonames_id_of(pid)
        city = by_geonames_id(number) if number is not None else None
        if city is not None:
            cities[pid] = city
    if not cities:
        return
    _, others, alias = merge_places(sources.places, list(cities.values()))
    rename = {pid: alias.get(city.id, city.id) for pid, city in cities.items()}
    for doc in sources.documents:
        doc.places = list(dict.fromkeys(rename.get(p, p) for p in doc.places))
        doc.mentioned_places = [
            p
            for p in dict.fromkeys(rename.get(p, p) for p in doc.mentioned_places)
            if p not in doc.places
        ]
    unique = {c.id: c for c in others}
    sources.places = [*sources.places, *sorted(unique.values(), key=lambda p: p.id)]


def data_mtime(data_dir: Path = DATA_DIR) -> float:
    """Newest modification time of what the build reads in `data/`: the KB is stale when
    older than this (the legacy `ingested/` folder is not read by it)."""
    files = [*data_dir.rglob("*.toml"), *data_dir.rglob("*.json")]
    files = [p for p in files if INGESTED not in p.relative_to(data_dir).parts[:1]]
    return max((p.stat().st_mtime for p in files), default=0.0)


#: Where moderators' documents were kept before they moved into the database; what is
#: left there is imported once (`bot.services.knowledge.import_legacy_files`).
INGESTED = "ingested"


def legacy_documents(data_dir: Path = DATA_DIR) -> list[Document]:
    """The documents of `data/ingested/` (a release before the database kept them)."""
    folder = data_dir / INGESTED
    return [document_from_dict(_load(p), "ingest") for p in sorted(folder.glob("*.json"))]
