"""What moderators type into the wizards, read strictly: a date, a date and time, a city.

Each reader returns None (or the reason) instead of guessing: a wrong date stored in a
reception would send people to the consulate on the wrong day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.cards import texts_in
from bot.consular import find_places
from bot.consular import places as consular_places
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Place

MIN_YEAR, MAX_YEAR = 1900, 2100
_WHEN = re.compile(
    r"^\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.(\d{1,2})\.(\d{4}))[ T]+(\d{1,2}):(\d{2})\s*$"
)


def parse_date(text: str) -> date | None:
    """'2025-09-10' or '10.09.2025' (one-digit day and month allowed) -> a date."""
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    else:
        return None
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_when(text: str, zone: str) -> datetime | None:
    match = _WHEN.match(text)
    if not match:
        return None
    g = match.groups()
    year, month, day = (g[0], g[1], g[2]) if g[0] else (g[5], g[4], g[3])
    try:
        local = datetime(
            int(year), int(month), int(day), int(g[6]), int(g[7]), tzinfo=ZoneInfo(zone)
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def resolve_city(kb: KnowledgeBase, text: str, lang: str) -> tuple[Place | None, str]:
    """The city named in `text`, or None and why (unknown, or a region/country)."""
    places = find_places(kb, text)
    for place in places:
        if place.kind == "city":
            return place, ""
    if not places:
        return None, _(
            "I don't know this city. Try another spelling, for example Талдықорған or Taldykorgan."
        )
    place = places[0]
    name = texts_in(place.name, lang)
    if place.centre:
        return None, _("{place} is not a city. Type the city, for example {centre}.").format(
            place=name, centre=consular_places(kb).name(place.centre, lang)
        )
    return None, _("{place} is not a city. Type the name of a city.").format(place=name)


#: `43.24 76.95` or `43.24, 76.95` (a decimal comma is read too).
_POINT = re.compile(r"^\s*(-?\d{1,3}(?:[.,]\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:[.,]\d+)?)\s*$")
MAX_LINK = 500
MAX_CONTACT = 200


def parse_point(text: str) -> tuple[float, float] | None:
    """A latitude and a longitude, in range."""
    found = _POINT.match(text)
    if not found:
        return None
    lat = float(found.group(1).replace(",", "."))
    lon = float(found.group(2).replace(",", "."))
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def parse_link(text: str) -> str | None:
    """An http(s) address with a host and no spaces or quotes (it becomes a link)."""
    link = text.strip()
    host = re.match(r"^https?://([^/\s?#]+)", link)
    if not host or "." not in host.group(1) or len(link) > MAX_LINK:
        return None
    if any(c.isspace() or c in "\"'<>" for c in link):
        return None
    return link


def parse_contact(text: str) -> str | None:
    """A phone number or an e-mail on one line (shown as typed)."""
    contact = " ".join(text.split())
    if not contact or len(contact) > MAX_CONTACT or "\n" in text.strip():
        return None
    return contact
