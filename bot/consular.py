"""Consular receptions and offices: the KB's (from sources) and those added later.

Only what the sources (or a moderator) give: no invented venue, hours or fees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.formatting import sort_key
from bot.kb.catalog import Catalog, date_sort_key, full_date
from bot.kb.places import haversine_km
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Office, Place, Reception
from bot.storage.receptions import ReceptionRepo


@dataclass(frozen=True, slots=True)
class Nearby:
    kind: str  # "reception" | "office"
    id: str
    place: Place
    km: float


class ConsularDirectory:
    def __init__(self, kb: KnowledgeBase, added: ReceptionRepo) -> None:
        self.kb = kb
        self.added = added

    @property
    def catalog(self) -> Catalog:
        """Read through the KB each time: a rebuild replaces the catalog."""
        return self.kb.catalog

    async def receptions(self) -> list[Reception]:
        """All receptions, newest first."""
        merged = [*self.catalog.receptions, *await self.added.all()]
        return sorted(merged, key=lambda r: date_sort_key(r.date), reverse=True)

    async def reception(self, reception_id: str) -> Reception | None:
        for reception in self.catalog.receptions:
            if reception.id == reception_id:
                return reception
        return await self.added.get(reception_id)

    def office(self, office_id: str) -> Office | None:
        return self.catalog.offices.get(office_id)

    def places_of(self, reception: Reception) -> set[str]:
        """The reception's city and every region or country around it."""
        found = set(self.catalog.gazetteer.ancestors(reception.city))
        if reception.region:
            found |= set(self.catalog.gazetteer.ancestors(reception.region))
        return found

    async def in_places(self, place_ids: set[str]) -> list[Reception]:
        """Receptions in any of the places (a region includes its cities)."""
        return [r for r in await self.receptions() if self.places_of(r) & place_ids]

    async def with_service(self, service: str) -> list[Reception]:
        return [r for r in await self.receptions() if service in r.services]

    def region_of(self, place_id: str) -> Place | None:
        """The subscribable region for a place: its region, or a city of republican
        significance (Astana, Almaty, Shymkent) itself."""
        for pid in self.catalog.gazetteer.ancestors(place_id):
            place = self.catalog.gazetteer.by_id.get(pid)
            if place is not None and is_subscribable(place):
                return place
        return None

    async def nearest(self, lat: float, lon: float, limit: int = 5) -> list[Nearby]:
        by_id = self.catalog.gazetteer.by_id
        found: list[Nearby] = []
        for reception in await self.receptions():
            place = by_id.get(reception.city)
            if place and place.lat is not None and place.lon is not None:
                km = haversine_km(lat, lon, place.lat, place.lon)
                found.append(Nearby("reception", reception.id, place, km))
        for office in self.catalog.offices.values():
            place = by_id.get(office.city)
            if place and place.lat is not None and place.lon is not None:
                km = haversine_km(lat, lon, place.lat, place.lon)
                found.append(Nearby("office", office.id, place, km))
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
