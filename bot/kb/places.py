"""The gazetteer: place names in every spelling, and distances between coordinates."""

from __future__ import annotations

import math
from collections.abc import Iterable

from bot.kb.entities import EntityIndex
from bot.kb.sources import Place

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; plenty for "nearest reception" at city scale."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class Gazetteer:
    def __init__(self, places: Iterable[Place]) -> None:
        self.by_id: dict[str, Place] = {}
        self.index = EntityIndex()
        for place in places:
            self.by_id[place.id] = place
            self.index.add(place.id, place.kind, [*place.name.values(), *place.variants])

    def find(self, text: str) -> list[Place]:
        """Places named in `text`, in order of appearance, without repeats."""
        seen: dict[str, Place] = {}
        for mention in self.index.find(text):
            place = self.by_id.get(mention.entity_id)
            if place is not None:
                seen.setdefault(place.id, place)
        return list(seen.values())

    def name(self, place_id: str, lang: str) -> str:
        place = self.by_id.get(place_id)
        if place is None:
            return place_id
        return place.name.get(lang) or place.name.get("en") or place_id

    def country_name(self, code: str, lang: str) -> str:
        """'KZ' -> 'Қазақстан' (for kk)."""
        for place in self.by_id.values():
            if place.kind == "country" and place.country == code:
                return place.name.get(lang) or place.name.get("en") or code
        return code

    def ancestors(self, place_id: str) -> list[str]:
        """The place and its parents up to the country: a city is "in" its region."""
        chain = []
        current: str | None = place_id
        while current is not None and current not in chain:
            chain.append(current)
            place = self.by_id.get(current)
            current = place.parent if place else None
        return chain

    def nearest(
        self, lat: float, lon: float, *, kinds: Iterable[str] = ("city",), limit: int = 5
    ) -> list[tuple[Place, float]]:
        wanted = set(kinds)
        scored = [
            (place, haversine_km(lat, lon, place.lat, place.lon))
            for place in self.by_id.values()
            if place.kind in wanted and place.lat is not None and place.lon is not None
        ]
        scored.sort(key=lambda item: item[1])
        return scored[:limit]
