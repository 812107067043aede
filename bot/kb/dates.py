"""Find calendar dates in Russian, Kazakh and English news text.

Recognised forms (day and month validated, so "31 февраля" is not a date):

* Russian: "3 февраля", "1-го мая", "10 сентября 2025 года", "3 февраля 2025 г.",
  and month + year without a day: "в мае 2020 года", "сентябрь 2025";
* English: "May 7", "On May 7", "May 7th, 2020", "September 10, 2025", "7 May 2020",
  "07 may", "7th of May", and month + year: "May 2020" (capitalised month);
* Kazakh: "10 қыркүйекте", "10-қыркүйек", "2025 жылғы 10 қыркүйекте",
  "7 мамырда", month names with case endings (қыркүйегінде, мамырдың ...),
  and month + year: "2020 жылғы мамырда";
* numeric: ISO "2025-09-11" and "11.09.2025";
* day ranges "10-12 сентября" give two dates (the 10th and the 12th).

Not dates: bare years ("2019", "1941-1945"), ordinals and anniversaries
("80-летие", "27-я", "75th"), a month without a day or a year ("в мае").

``extract_dates(text, lang)``: ``lang`` ("ru", "kk", "en") limits the month names
tried to that language (numeric forms are always tried); ``None`` tries all.
No Babel or other locale data is used.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

__all__ = ["FoundDate", "extract_dates"]

_MIN_YEAR, _MAX_YEAR = 1000, 2999


@dataclass(frozen=True, slots=True)
class FoundDate:
    year: int | None
    month: int
    day: int | None
    start: int  # character offsets of the match in the text
    end: int
    text: str

    @property
    def iso(self) -> str:
        """``YYYY-MM-DD``; ``--MM-DD`` without a year; ``YYYY-MM`` without a day."""
        if self.day is None:
            if self.year is None:
                return f"--{self.month:02d}"
            return f"{self.year:04d}-{self.month:02d}"
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def precision(self) -> str:
        """``"day"`` (full date), ``"month-day"`` (no year) or ``"month"`` (no day)."""
        if self.day is None:
            return "month"
        return "day" if self.year is not None else "month-day"


def _valid(year: int | None, month: int, day: int | None) -> bool:
    if not 1 <= month <= 12:
        return False
    if year is not None and not _MIN_YEAR <= year <= _MAX_YEAR:
        return False
    if day is None:
        return True
    # without a year, 29 February is allowed (2000 was a leap year)
    return 1 <= day <= calendar.monthrange(year if year is not None else 2000, month)[1]


# --------------------------------------------------------------------------
# month names
# --------------------------------------------------------------------------

_RU_GENITIVE = {
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6,
    "июля": 7, "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}  # fmt: skip
_RU_ABBR = {
    "янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8,
    "сен": 9, "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12,
}  # fmt: skip
# any case of a month name (for "в мае 2020 года", "январь 2021")
_RU_ANY = (
    r"январ[ьяею]|феврал[ьяею]|март[аеу]?|апрел[ьяею]|ма[йяею]|июн[ьяею]|июл[ьяею]"
    r"|август[аеу]?|сентябр[ьяею]|октябр[ьяею]|ноябр[ьяею]|декабр[ьяею]"
)
_EN_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_KK_MONTHS = {
    "қаңтар": 1, "ақпан": 2, "наурыз": 3, "сәуір": 4, "мамыр": 5, "маусым": 6,
    "шілде": 7, "тамыз": 8, "қыркүйек": 9, "қазан": 10, "қараша": 11, "желтоқсан": 12,
}  # fmt: skip
# stems: "қыркүйек" becomes "қыркүйег-" before a vowel ("қыркүйегінде")
_KK_STEMS = r"қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйе[кг]|қазан|қараша|желтоқсан"
_KK_LOWER = "а-яёәғқңөұүһі"
_KK_MONTH = rf"(?P<kkm>{_KK_STEMS})(?P<kksuf>[{_KK_LOWER}]{{0,8}})"
_KK_YEAR_WORD = r"(?:жылғы|жылы|жылдың|жыл|ж\.)"


def _ru_month(word: str) -> int:
    w = word.lower().rstrip(".")
    if w in _RU_GENITIVE:
        return _RU_GENITIVE[w]
    if w in _RU_ABBR:
        return _RU_ABBR[w]
    if w.startswith("мар"):
        return 3
    if w.startswith("ма"):
        return 5
    for name, number in _RU_GENITIVE.items():
        if w[:3] == name[:3]:
            return number
    return 0


def _kk_month(stem: str) -> int:
    stem = stem.lower()
    if stem.startswith("қыркүйе"):
        return 9
    return _KK_MONTHS.get(stem, 0)


# --------------------------------------------------------------------------
# patterns
# --------------------------------------------------------------------------

_NOT_AFTER_NUM = r"(?<![\d.,:/])"  # a day/year is not the tail of a longer number
_NOT_BEFORE_NUM = r"(?![\d])"
_YEAR = r"(?P<year>\d{4})"
_DAY = r"(?P<day>\d{1,2})"
_END_WORD = r"(?![^\W\d_])"

_ISO_RE = re.compile(
    rf"{_NOT_AFTER_NUM}(?P<year>\d{{4}})-(?P<month>\d{{2}})-(?P<day>\d{{2}})(?![\d\-])"
)
_DOTTED_RE = re.compile(
    rf"{_NOT_AFTER_NUM}(?P<day>\d{{1,2}})\.(?P<month>\d{{1,2}})\.(?P<year>\d{{4}}){_NOT_BEFORE_NUM}"
)

_RU_YEAR_TAIL = rf"(?:\s+{_YEAR}(?:\s*(?:года|году|год|г\.|г{_END_WORD}))?{_NOT_BEFORE_NUM})?"
_RU_GEN_NAMES = "|".join(_RU_GENITIVE)
_RU_ABBR_NAMES = "|".join(sorted(_RU_ABBR, key=len, reverse=True))
_RU_DAY_RE = re.compile(
    rf"{_NOT_AFTER_NUM}{_DAY}(?:-?го)?\s+"
    rf"(?:(?P<month>{_RU_GEN_NAMES}){_END_WORD}|(?P<abbr>{_RU_ABBR_NAMES})\.){_RU_YEAR_TAIL}",
    re.IGNORECASE,
)
_RU_MONTH_YEAR_RE = re.compile(
    rf"(?<![^\W\d_])(?P<month>{_RU_ANY}){_END_WORD}\s+{_YEAR}{_NOT_BEFORE_NUM}"
    rf"(?:\s*(?:года|году|год|г\.|г{_END_WORD}))?",
    re.IGNORECASE,
)

_EN_MONTH = "|".join(sorted(_EN_MONTHS, key=len, reverse=True))
_EN_ORD = r"(?:st|nd|rd|th)?"
_EN_DAY_MONTH_RE = re.compile(
    rf"{_NOT_AFTER_NUM}{_DAY}{_EN_ORD}(?:\s+of)?\s+(?P<month>{_EN_MONTH})\b\.?"
    rf"(?:,?\s+{_YEAR}\b)?",
    re.IGNORECASE,
)
_EN_MONTH_DAY_RE = re.compile(
    rf"\b(?P<month>{_EN_MONTH})\.?\s+{_DAY}{_EN_ORD}\b(?![:.,]\d)(?:,?\s+{_YEAR}\b)?",
    re.IGNORECASE,
)
_EN_MONTH_YEAR_RE = re.compile(rf"\b(?P<month>{_EN_MONTH})\.?\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE)

_KK_DAY_RE = re.compile(
    rf"(?:{_NOT_AFTER_NUM}(?P<year1>\d{{4}})\s*{_KK_YEAR_WORD}\s+)?"
    rf"{_NOT_AFTER_NUM}{_DAY}(?:\s*-\s*|\s+){_KK_MONTH}{_END_WORD}"
    rf"(?:\s+(?P<year2>\d{{4}})\s*{_KK_YEAR_WORD}?{_END_WORD})?",
    re.IGNORECASE,
)
_KK_MONTH_YEAR_RE = re.compile(
    rf"{_NOT_AFTER_NUM}{_YEAR}\s*{_KK_YEAR_WORD}\s+{_KK_MONTH}{_END_WORD}", re.IGNORECASE
)

# "10-12 сентября", "10–12 September": the first day of a range
_RANGE_RE = re.compile(
    rf"{_NOT_AFTER_NUM}(?P<first>\d{{1,2}})\s*[-–—]\s*(?=\d{{1,2}}(?:-?го)?\s+[^\W\d_])"
)


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _found(
    text: str, m: re.Match[str], year: int | None, month: int, day: int | None
) -> FoundDate | tuple[int, int]:
    """The date, or the span of an invalid one ("31 февраля 2025 года")."""
    start, end = m.span()
    if not _valid(year, month, day):
        return (start, end)
    return FoundDate(year, month, day, start, end, text[start:end])


def _candidates(text: str, lang: str | None) -> list[FoundDate]:
    out: list[FoundDate] = []
    invalid: list[tuple[int, int]] = []

    def add(found: FoundDate | tuple[int, int]) -> None:
        if isinstance(found, FoundDate):
            out.append(found)
        else:
            invalid.append(found)

    for m in _ISO_RE.finditer(text):
        add(_found(text, m, int(m["year"]), int(m["month"]), int(m["day"])))
    for m in _DOTTED_RE.finditer(text):
        add(_found(text, m, int(m["year"]), int(m["month"]), int(m["day"])))
    if lang in (None, "ru"):
        for m in _RU_DAY_RE.finditer(text):
            month = _ru_month(m["month"] or m["abbr"])
            add(_found(text, m, _int(m["year"]), month, int(m["day"])))
        for m in _RU_MONTH_YEAR_RE.finditer(text):
            add(_found(text, m, int(m["year"]), _ru_month(m["month"]), None))
    if lang in (None, "en"):
        for m in _EN_DAY_MONTH_RE.finditer(text):
            add(_found(text, m, _int(m["year"]), _EN_MONTHS[m["month"].lower()], int(m["day"])))
        for m in _EN_MONTH_DAY_RE.finditer(text):
            # months are capitalised in English; lower-case "may 7" is the verb
            if m["month"][0].isupper():
                add(_found(text, m, _int(m["year"]), _EN_MONTHS[m["month"].lower()], int(m["day"])))
        for m in _EN_MONTH_YEAR_RE.finditer(text):
            if m["month"][0].isupper():
                add(_found(text, m, int(m["year"]), _EN_MONTHS[m["month"].lower()], None))
    if lang in (None, "kk"):
        for m in _KK_DAY_RE.finditer(text):
            year = _int(m["year1"]) or _int(m["year2"])
            add(_found(text, m, year, _kk_month(m["kkm"]), int(m["day"])))
        for m in _KK_MONTH_YEAR_RE.finditer(text):
            add(_found(text, m, int(m["year"]), _kk_month(m["kkm"]), None))
    # a shorter match inside an invalid date is not a date either:
    # "29 февраля 2023 года" must not leave "февраля 2023 года"
    return [
        f
        for f in out
        if not any(s <= f.start and f.end <= e and e - s > f.end - f.start for s, e in invalid)
    ]


def _ranges(text: str, found: list[FoundDate]) -> list[FoundDate]:
    """The first day of "10-12 сентября": same month and year as the second day."""
    by_start = {f.start: f for f in found}
    extra = []
    for m in _RANGE_RE.finditer(text):
        second = by_start.get(m.end())
        if second is None or second.day is None:
            continue
        day = int(m["first"])
        if _valid(second.year, second.month, day) and day < second.day:
            start, end = m.start(), m.start() + len(m["first"])
            extra.append(FoundDate(second.year, second.month, day, start, end, text[start:end]))
    return extra


def extract_dates(text: str, lang: str | None = None) -> list[FoundDate]:
    """Dates in ``text``, left to right, non-overlapping (the longest match wins)."""
    found = _candidates(text, lang)
    found += _ranges(text, found)
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    result: list[FoundDate] = []
    last_end = -1
    for f in found:
        if f.start >= last_end:
            result.append(f)
            last_end = f.end
    return result
