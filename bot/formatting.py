"""Locale-aware rendering helpers: dates and distances by Babel, long-text splitting.

Dates in the knowledge base carry a precision ("day", "month-day", "month", "year")
because a source may give "3 February" without a year; a date is never shown with
more precision than the source gave. English uses one style everywhere, day before
month ("10 September 2025", "7 May"), as the data texts write it: Babel's plain "en"
is American ("September 10, 2025"), so English is formatted with en_GB.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from babel.dates import format_date, format_skeleton, format_time
from babel.units import format_unit

TELEGRAM_LIMIT = 4096

#: The Babel locale each bot locale formats dates with (English: day-month-year).
_DATE_LOCALES = {"en": "en_GB"}

#: Kazakh Cyrillic in alphabetical order (Ә after А, Ғ after Г, Қ after К, Ң after Н,
#: Ө after О, Ұ Ү after У, Һ after Х, І after Ы): code-point order would put every
#: Kazakh letter after Я.
_KK_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RU_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_ORDER = {
    "kk": {c: i for i, c in enumerate(_KK_ALPHABET)},
    "ru": {c: i for i, c in enumerate(_RU_ALPHABET)},
}


def date_locale(locale: str) -> str:
    """The Babel locale for dates in a bot locale."""
    return _DATE_LOCALES.get(locale, locale)


def sort_key(text: str, locale: str) -> tuple[tuple[int, int | str], ...]:
    """Alphabetical order for `locale`: Kazakh names sorted by the Kazakh alphabet
    (a small explicit key instead of ICU); letters outside it sort after, by code point."""
    order = _ORDER.get(locale, {})
    return tuple((0, order[c]) if c in order else (1, c) for c in text.casefold() if c.isalnum())


def format_kb_date(value: str | None, precision: str | None, locale: str) -> str | None:
    """'2025-09-10' -> '10 сентября 2025 г.'; '--02-03' -> '3 февраля'; '2025' -> '2025'."""
    if not value:
        return None
    locale = date_locale(locale)
    try:
        if value.startswith("--"):
            month, day = int(value[2:4]), int(value[5:7])
            return format_skeleton("MMMMd", date(2000, month, day), locale=locale)
        parts = value.split("-")
        if len(parts) == 1:
            return str(int(parts[0]))
        if len(parts) == 2 or precision == "month":
            return format_skeleton("yMMMM", date(int(parts[0]), int(parts[1]), 1), locale=locale)
        return format_date(date.fromisoformat(value), "long", locale=locale)
    except (ValueError, IndexError):
        return None


def format_moment(moment: datetime, zone: tzinfo, locale: str) -> str:
    """A date-time in `zone`, as dates are written elsewhere, to the minute (no seconds):
    '1 December 2026, 18:00', '1 декабря 2026 г., 18:00'."""
    local = moment.astimezone(zone)
    babel_locale = date_locale(locale)
    day = format_date(local.date(), "long", locale=babel_locale)
    return f"{day}, {format_time(local.time(), 'short', locale=babel_locale)}"


def parse_kb_date(value: str | None) -> date | None:
    """A full date, or None when the source gives no year or no day."""
    if not value or value.startswith("--"):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def format_km(distance: float, locale: str) -> str:
    pattern = "#,##0" if distance >= 10 else "#,##0.#"
    return format_unit(distance, "length-kilometer", length="short", locale=locale, format=pattern)


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries so each part fits Telegram."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
