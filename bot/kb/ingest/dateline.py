"""Meta date lines, datelines, and which date a document is about.

A news page has a publication date ("11.09.2025 10:35") and usually reports an
event a day or a few earlier ("Талдыкорган. 10 сентября. KAZAKHSTAN TODAY -").
Users ask about the event, so the event date is preferred, and a date without
a year borrows the publication date's year only when that is unambiguous.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.kb.dates import FoundDate, extract_dates
from bot.kb.ingest.chars import LETTER_RE, UPPER
from bot.kb.places import Gazetteer

__all__ = ["Dateline", "choose_date", "find_dateline", "meta_date"]

PUBLICATION_WINDOW_DAYS = 7  # an event up to a week before the publication date


_META_DATE_PREFIX_RE = re.compile(
    r"(?:date|дата|published|posted|updated|опубликовано|обновлено|жарияланды|күні)\s*:?",
    re.IGNORECASE,
)
_TIME_RE = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")


def meta_date(line: str) -> FoundDate | None:
    """The date of a line that is only a date ("07 may", "date 2025-09-11 Фото: ...")."""
    if len(line) > 120:
        return None
    dates = extract_dates(line)
    if not dates:
        return None
    first = dates[0]
    prefix = line[: first.start].strip()
    if prefix and not _META_DATE_PREFIX_RE.fullmatch(prefix):
        return None
    rest = _TIME_RE.sub(" ", line[first.end :])
    rest = _PHOTO_CREDIT_TAIL_RE.sub(" ", rest)
    if len(LETTER_RE.findall(rest)) > 12:
        return None
    return first


_PHOTO_CREDIT_TAIL_RE = re.compile(r"(?:фото|photo|сурет)\s*[:：].*$", re.IGNORECASE)


@dataclass(slots=True)
class Dateline:
    """What a dateline gives: the place as written, the date, the agency."""

    place_text: str
    date: FoundDate | None
    agency: str
    body: str  # the paragraph without the dateline


_DATELINE_PLACE_RE = re.compile(
    rf"^(?P<place>[{UPPER}][^\W\d_]*(?:[\s-][{UPPER}][^\W\d_]*){{0,3}})\s*[.,]\s+"
)
_AGENCY_RE = re.compile(
    rf"^(?P<agency>[{UPPER}0-9][\w.&'’-]*(?:\s+[{UPPER}0-9][\w.&'’-]*){{0,4}})\s*[-–—]\s+"
)


def find_dateline(para: str, gazetteer: Gazetteer) -> Dateline | None:
    """ "Талдыкорган. 10 сентября. KAZAKHSTAN TODAY - В Талдыкоргане ..." """
    m = _DATELINE_PLACE_RE.match(para)
    if not m or not gazetteer.find(m["place"]):
        return None
    rest_start = m.end()
    dates = extract_dates(para[: rest_start + 60])
    date = next((d for d in dates if d.start == rest_start), None)
    if date is not None:
        rest_start = date.end
    rest = para[rest_start:]
    sep = re.match(r"^\s*[.,]?\s*(?:[-–—]\s+)?", rest)
    rest = rest[sep.end() if sep else 0 :]
    agency = ""
    paren = re.match(r"^\((?P<agency>[^()]{2,40})\)\s*(?:[-–—]\s+)?", rest)
    if paren:
        agency = paren["agency"].strip()
        rest = rest[paren.end() :]
    a = None if agency else _AGENCY_RE.match(rest)
    if a and len(a["agency"]) <= 40:
        # after a date any capitalised name will do ("ҚазАқпарат"); without a date
        # only an upper-case one ("KAZAKHSTAN TODAY"), not "Алматы, Казахстан - ..."
        letters = LETTER_RE.findall(a["agency"])
        if date is not None or sum(ch.isupper() for ch in letters) >= 0.5 * len(letters):
            agency = a["agency"]
            rest = rest[a.end() :]
    if date is None and not agency:
        return None
    return Dateline(m["place"], date, agency, rest.strip())


def _days_before(event: FoundDate, published: FoundDate) -> tuple[int, int] | None:
    """(days from event to publication, the event's year) if within the window."""
    if event.day is None or published.day is None:
        return None
    pub_year = published.year if published.year is not None else 2000
    pub = dt.date(pub_year, published.month, published.day)
    for year in (pub_year, pub_year - 1):
        try:
            ev = dt.date(year, event.month, event.day)
        except ValueError:
            continue
        delta = (pub - ev).days
        if 0 <= delta <= PUBLICATION_WINDOW_DAYS:
            return delta, year
    return None


def choose_date(
    dateline: FoundDate | None, published: FoundDate | None, body: list[FoundDate]
) -> tuple[FoundDate | None, str]:
    """The document date and how it was chosen (for `date_note`).

    1. a dateline date ("Талдыкорган. 10 сентября.");
    2. else, with a publication date, the first date of the text if it falls 0-7
       days before it (the event being reported), else the publication date;
    3. else the first date of the text.
    A date without a year gets the publication date's year when it is 0-7 days
    before it; otherwise it stays without a year.
    """
    if dateline is not None:
        event, where = dateline, "the dateline"
    elif published is not None:
        first = body[0] if body else None
        near = _days_before(first, published) if first is not None else None
        if first is None or near is None or (first.year not in (None, near[1])):
            return published, "the date is the publication date"
        event, where = first, "the text"
    elif body:
        return body[0], "the date is the first date in the text"
    else:
        return None, ""
    if event.year is not None:
        return event, f"the date is from {where}"
    near = _days_before(event, published) if published is not None else None
    if near is None or published is None or published.year is None:
        return event, f"the date is from {where}; the text gives no year"
    delta, year = near
    chosen = FoundDate(year, event.month, event.day, event.start, event.end, event.text)
    return chosen, (
        f"the event date is from {where} ({event.text.strip(' .,')}); the year {year} is "
        f"taken from the publication date {published.iso}, {delta} day(s) later"
    )
