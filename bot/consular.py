"""The consular directory: offices and receptions from the sources (the KB) and those
moderators added, each with the details moderators gave (venue, hours, booking link,
contact, map point, services), found by place, service or location.

Only what the sources or a moderator give: no invented venue, hours or fees.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from bot.formatting import sort_key
from bot.kb.catalog import Catalog, date_sort_key, full_date
from bot.kb.gazetteer import MergedGazetteer, with_cities
from bot.kb.places import haversine_km
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Office, Place, Reception
from bot.storage.database import Database
from bot.storage.offices import Details, DetailsRepo, OfficeRepo
from bot.storage.receptions import ReceptionRepo

Item = TypeVar("Item", Office, Reception)
MAX_PLACE_QUERY = 100


def places(kb: KnowledgeBase) -> MergedGazetteer:
    """The KB's places and every GeoNames town of Kazakhstan and Russia (built once per
    KB): an office or a reception may be in a town no source names, such as a Kazakh
    consulate in Kazan."""
    return with_cities(kb.catalog.gazetteer)


def find_places(kb: KnowledgeBase, text: str) -> list[Place]:
    """Places named in a typed query, in any language or spelling; a query typed all in
    lower case is read as a name ("казань" → Казань)."""
    query = " ".join(text[:MAX_PLACE_QUERY].split())
    if not any(c.isupper() for c in query):
        query = query.title()
    return places(kb).find(query)


@dataclass(frozen=True, slots=True)
class Nearby:
    item: Office | Reception  # with its details, as loaded
    place: Place
    km: float


@dataclass(frozen=True, slots=True)
class MapPoint:
    lat: float
    lon: float
    at_venue: bool  # False: the city's centre, the venue's point not being given


def subject(item: Office | Reception) -> str:
    """The key of an office's or a reception's details: "office:ID" / "reception:ID"."""
    return f"{'office' if isinstance(item, Office) else 'reception'}:{item.id}"


def with_details(item: Item, details: Details) -> Item:
    return replace(item, **details) if details else item


class ConsularDirectory:
    def __init__(self, kb: KnowledgeBase, db: Database) -> None:
        self.kb = kb
        self.added = ReceptionRepo(db)
        self.added_offices = OfficeRepo(db)
        self.details = DetailsRepo(db)

    @property
    def catalog(self) -> Catalog:
        """Read through the KB each time: a rebuild replaces the catalog."""
        return self.kb.catalog

    # -- receptions ----------------------------------------------------------------------
    async def receptions(self) -> list[Reception]:
        """All receptions, newest first."""
        details = await self.details.all()
        merged = [
            with_details(r, details.get(subject(r), {}))
            for r in [*self.catalog.receptions, *await self.added.all()]
        ]
        return sorted(merged, key=lambda r: date_sort_key(r.date), reverse=True)

    async def reception(self, reception_id: str) -> Reception | None:
        found = next((r for r in self.catalog.receptions if r.id == reception_id), None)
        if found is None:
            found = await self.added.get(reception_id)
        return with_details(found, await self.details.of(subject(found))) if found else None

    async def upcoming(self, today: date) -> list[Reception]:
        """Receptions from today on, soonest first (a reception without a full date is
        never counted as upcoming)."""
        found = [r for r in await self.receptions() if (full_date(r.date) or date.min) >= today]
        return sorted(found, key=lambda r: date_sort_key(r.date))

    async def in_places(self, place_ids: set[str]) -> list[Reception]:
        """Receptions in any of the places (a region includes its cities)."""
        return [r for r in await self.receptions() if self.places_of(r.city, r.region) & place_ids]

    async def with_service(self, service: str) -> list[Reception]:
        return [r for r in await self.receptions() if service in r.services]

    async def of_office(self, office_id: str) -> list[Reception]:
        return [r for r in await self.receptions() if r.office == office_id]

    # -- offices -------------------------------------------------------------------------
    async def offices(self, lang: str = "en") -> list[Office]:
        """Every office: Russia's missions first, then Kazakhstan's, each in the reader's
        alphabetical order."""
        details = await self.details.all()
        merged = [
            with_details(o, details.get(subject(o), {}))
            for o in [*self.catalog.offices.values(), *await self.added_offices.all()]
        ]
        return sorted(
            merged, key=lambda o: (o.country != "RU", sort_key(o.name.get(lang, o.id), lang))
        )

    async def office(self, office_id: str) -> Office | None:
        found = self.catalog.offices.get(office_id) or await self.added_offices.get(office_id)
        return with_details(found, await self.details.of(subject(found))) if found else None

    async def offices_in(self, place_ids: set[str], lang: str = "en") -> list[Office]:
        return [o for o in await self.offices(lang) if self.places_of(o.city) & place_ids]

    async def offices_with(self, service: str, lang: str = "en") -> list[Office]:
        return [o for o in await self.offices(lang) if service in o.services]

    # -- places --------------------------------------------------------------------------
    @property
    def gazetteer(self) -> MergedGazetteer:
        return places(self.kb)

    def places_of(self, city: str, region: str | None = None) -> set[str]:
        """A city and every region or country around it."""
        found = set(self.gazetteer.ancestors(city))
        if region:
            found |= set(self.gazetteer.ancestors(region))
        return found

    def region_of(self, place_id: str) -> Place | None:
        """The subscribable region for a place: its region, or a city of republican
        significance (Astana, Almaty, Shymkent) itself."""
        for pid in self.gazetteer.ancestors(place_id):
            place = self.gazetteer.by_id.get(pid)
            if place is not None and is_subscribable(place):
                return place
        return None

    def map_point(self, item: Office | Reception) -> MapPoint | None:
        """The venue's point when a moderator gave it, else the city's centre."""
        if item.lat is not None and item.lon is not None:
            return MapPoint(item.lat, item.lon, at_venue=True)
        place = self.gazetteer.by_id.get(item.city)
        if place is None or place.lat is None or place.lon is None:
            return None
        return MapPoint(place.lat, place.lon, at_venue=False)

    async def nearest(self, lat: float, lon: float, limit: int = 5) -> list[Nearby]:
        found: list[Nearby] = []
        items: list[Office | Reception] = [*await self.receptions(), *await self.offices()]
        by_id = self.gazetteer.by_id
        for item in items:
            point = self.map_point(item)
            place = by_id.get(item.city)
            if point is None or place is None:
                continue
            found.append(Nearby(item, place, haversine_km(lat, lon, point.lat, point.lon)))
        found.sort(key=lambda n: n.km)
        return found[:limit]


def is_past(reception: Reception, today: date) -> bool:
    day = full_date(reception.date)
    return day is not None and day < today


def is_subscribable(place: Place) -> bool:
    return place.kind == "region" or "republican-significance" in place.tags


def subscribable_regions(catalog: Catalog, lang: str = "en") -> list[Place]:
    """Kazakhstan's regions and cities of republican significance first, then Russia's,
    each group in the alphabetical order of the reader's language (names in `lang`), so
    that a Kazakh reader finds Жетісу облысы among the Ж, not where its English name
    sorts."""
    places = [p for p in catalog.gazetteer.by_id.values() if is_subscribable(p)]
    return sorted(
        places,
        key=lambda p: (p.country != "KZ", p.country, sort_key(p.name.get(lang, p.id), lang)),
    )
