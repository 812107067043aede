"""`parse_news`: the ingest steps in order, from text to a one-language `Document`.

Each step lives in its own module; this one only decides the order and what
passes between them, so a change to one step is read and tested in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from bot.kb.dates import FoundDate, extract_dates
from bot.kb.gazetteer import MergedGazetteer, with_cities
from bot.kb.ingest.chars import LETTER_RE
from bot.kb.ingest.classify import event_kind_of, is_online, kind_of
from bot.kb.ingest.clean import PHOTO_CREDIT_RE, TERMINAL, Para, paragraphs
from bot.kb.ingest.dateline import Dateline, choose_date, find_dateline, meta_date
from bot.kb.ingest.decode import IngestError, check_text
from bot.kb.ingest.people import find_people
from bot.kb.ingest.provenance import publisher_from_credit, read_provenance
from bot.kb.ingest.sentences import passages, split_sentences
from bot.kb.places import Gazetteer
from bot.kb.sources import Document, Passage
from bot.kb.text import detect_lang, normalize
from bot.kb.translit import slug

__all__ = ["MAX_TITLE", "MIN_LETTERS", "parse_news"]

MAX_TITLE = 120
MIN_LETTERS = 100

_CREDIT_RE = re.compile(
    r"(?:переда[её]т|сообщает|сообщил[аи]?|reports|according to)\s+"
    r"(?P<who>[A-Za-z][\w-]*\.(?:kz|ru|com|org|net|info)\b|[A-ZА-ЯЁ]{2,}(?:\s+[A-ZА-ЯЁ]{2,})*)"
)


@dataclass(slots=True)
class _Meta:
    """Dates from meta lines (the first is the publication date) and the remaining body."""

    published: FoundDate | None
    dates: list[FoundDate]
    body: list[Para]


@dataclass(slots=True)
class _Body:
    """The title, the content paragraphs, and the dateline cut from them."""

    title: str
    texts: list[str]
    dateline: Dateline | None


@dataclass(slots=True)
class _Places:
    places: list[str]
    mentioned: list[str]
    countries: list[str]


def parse_news(
    text: str, *, source: str, gazetteer: Gazetteer, lang: str | None = None
) -> Document:
    """Parse one news article (plain text or Markdown) into a one-language `Document`.

    `gazetteer`: the curated places (places.toml or the KB's); the GeoNames
    cities are added to it (`with_cities`, built once per gazetteer).
    Raises `IngestError` ("binary", "empty", "not_text", "too_short").
    """
    places = with_cities(gazetteer)
    check_text(text)
    provenance = read_provenance(text)
    paras = paragraphs(provenance.text)
    cleaned = "\n".join(p.text for p in paras)
    if len(LETTER_RE.findall(cleaned)) < MIN_LETTERS:
        raise IngestError("too_short", f"fewer than {MIN_LETTERS} letters")
    lang = lang or detect_lang(cleaned)
    meta = _meta(paras)
    body = _title_and_body(meta.body, places)
    title, texts, dateline = body.title, body.texts, body.dateline
    body_text = "\n".join(texts)
    event_date, note = _date(meta, body)
    full = "\n".join([title, *([dateline.place_text] if dateline else []), *texts])
    online = is_online(normalize(body_text))
    # people first: a town's name inside a person's name is not a place (Абай Кунанбаев)
    people = find_people([title, *texts], lang, places.curated)
    names = [n for p in people for n in [*p.name.values(), *p.aliases]]
    where = _places(full, dateline, online, places, names)
    credit = _credit(dateline, body_text)
    publisher = provenance.publisher or publisher_from_credit(
        dateline.agency if dateline else "", _relayed_from(body_text)
    )
    norm_full = normalize(full)
    name = _source_name(source)
    stem = PurePath(name).stem if "://" not in name else name
    return Document(
        id="ingest-" + (slug(stem) or "document"),
        source=name,
        source_lang=lang,
        kind=kind_of(norm_full, full),
        title={lang: title},
        event_kind=event_kind_of(norm_full, normalize(title)),
        date=event_date.iso if event_date else None,
        date_precision=event_date.precision if event_date else None,
        date_note=note,
        publisher=publisher,
        url=provenance.url,
        published=meta.published.iso if meta.published else None,
        online=online,
        places=where.places,
        mentioned_places=where.mentioned,
        countries=where.countries,
        credit={lang: credit} if credit else {},
        people=people,
        passages=[Passage(f"p{i:02d}", {lang: p}) for i, p in enumerate(passages(texts), start=1)],
        origin="ingest",
    )


def _meta(paras: list[Para]) -> _Meta:
    """Set aside lines that are only a date (the first is the publication date),
    photo credits, and a rubric line above the headline ("Новости", "Politics")."""
    published: FoundDate | None = None
    body: list[Para] = []
    dates: list[FoundDate] = []
    for para in paras:
        date = meta_date(para.text)
        if date is not None:
            dates.append(date)
            published = published or date
            continue
        if PHOTO_CREDIT_RE.match(para.text) and len(para.text) <= 120:
            continue
        body.append(para)
    if not body:
        raise IngestError("too_short", "only dates and boilerplate")
    while len(body) > 1 and len(body[0].text.split()) < 3 and body[0].text[-1] not in TERMINAL:
        body = body[1:]
    return _Meta(published, dates, body)


def _title_and_body(body: list[Para], gazetteer: Gazetteer) -> _Body:
    """The headline (or the first sentence as a title), and the text without it
    and without the dateline of one of the first two paragraphs."""
    title = ""
    if _is_headline(body[0]) and not find_dateline(body[0].text, gazetteer):
        title = body[0].text
        body = body[1:]
    title_key = normalize(title)
    texts = [p.text for p in body if not title or normalize(p.text) != title_key]
    dateline: Dateline | None = None
    for i, para_text in enumerate(texts[:2]):
        dateline = find_dateline(para_text, gazetteer)
        if dateline is not None:
            texts[i] = dateline.body
            break
    texts = [t for t in texts if t]
    if not title:
        first = split_sentences(texts[0]) if texts else []
        title = _short_title(first[0]) if first else ""
    if not texts:
        raise IngestError("too_short", "no text besides the title")
    return _Body(title, texts, dateline)


def _date(meta: _Meta, body: _Body) -> tuple[FoundDate | None, str]:
    """The document date and `date_note`: every date found (ISO) and how it was chosen."""
    body_dates = extract_dates("\n".join(body.texts))
    dateline = body.dateline
    event_date, how = choose_date(dateline.date if dateline else None, meta.published, body_dates)
    all_dates = [*meta.dates]
    if dateline and dateline.date:
        all_dates.append(dateline.date)
    all_dates += extract_dates(body.title) + body_dates
    isos = list(dict.fromkeys(d.iso for d in all_dates))
    note = "dates in text: " + ", ".join(isos) if isos else "no date in text"
    if how:
        note += f"; {how}"
    return event_date, note


def _places(
    full: str,
    dateline: Dateline | None,
    online: bool,
    gazetteer: MergedGazetteer,
    people: list[str],
) -> _Places:
    """Where it happened (the dateline place, else the first city; none when online),
    the other places mentioned, and their countries."""
    found = gazetteer.find(full, people=people)
    places: list[str] = []
    if dateline:
        places = [p.id for p in gazetteer.find(dateline.place_text)][:1]
    elif not online:
        places = [p.id for p in found if p.kind == "city"][:1]
    mentioned = [p.id for p in found if p.id not in places]
    countries = list(
        dict.fromkeys(
            p.country
            for pid in [*places, *mentioned]
            if (p := gazetteer.by_id.get(pid)) is not None and p.country
        )
    )
    return _Places(places, mentioned, countries)


def _credit(dateline: Dateline | None, body_text: str) -> str:
    """Who the text credits: the dateline agency, else "передаёт X" / "reports X"."""
    if dateline and dateline.agency:
        return dateline.agency
    m = _CREDIT_RE.search(body_text)
    return m["who"] if m else ""


def _relayed_from(body_text: str) -> str:
    """The outlet a report says it relays: "передает Kazpravda.kz", "reports Kazinform.kz".

    Only "передаёт X" or a site name: "according to UNESCO" names a source of
    facts, not the publisher."""
    for m in _CREDIT_RE.finditer(body_text):
        if m.group().startswith("переда") or "." in m["who"]:
            return m["who"]
    return ""


def _is_headline(para: Para) -> bool:
    """A heading, or a short line without a final full stop, reads as a headline."""
    text = para.text
    if para.heading:
        return True
    if len(text) > 200 or len(text.split()) < 3:
        return False
    return text[-1] not in ".…;:,"


def _short_title(sentence: str) -> str:
    """The sentence as a title: at most MAX_TITLE characters, cut at a clause or a word."""
    sentence = sentence.strip().rstrip(".").strip()
    if len(sentence) <= MAX_TITLE:
        return sentence
    window = sentence[:MAX_TITLE]
    comma = window.rfind(", ")
    if comma >= 60:
        return window[:comma]
    space = window[: MAX_TITLE - 1].rfind(" ")
    cut = window[:space] if space > 0 else window[: MAX_TITLE - 1]
    return cut.rstrip(",;:- ") + "…"


def _source_name(source: str) -> str:
    """The file name of an upload path; a URL stays whole."""
    return source if "://" in source else PurePath(source).name or source
