"""Locale-aware rendering helpers: dates and distances by Babel, long-text splitting.

Dates in the knowledge base carry a precision ("day", "month-day", "month", "year")
because a source may give "3 February" without a year; a date is never shown with
more precision than the source gave.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date, format_skeleton
from babel.units import format_unit

TELEGRAM_LIMIT = 4096


def format_kb_date(value: str | None, precision: str | None, locale: str) -> str | None:
    """'2025-09-10' -> '10 сентября 2025 г.'; '--02-03' -> '3 февраля'; '2025' -> '2025'."""
    if not value:
        return None
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
