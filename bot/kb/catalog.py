"""What the browsing sections show: topics, events (documents), consular offices and
receptions, read once from the KB file and kept in memory. A document is kept without
its passages (a card without a summary reads the first one through `KnowledgeBase.document`;
answers read passages from the KB's tables): with 100k passages, keeping every text made
the bot's process some 150 MB larger, and the first passages alone 13 MB."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from bot.kb.places import Gazetteer
from bot.kb.sources import (
    Document,
    Office,
    Place,
    Reception,
    Texts,
    Topic,
    document_from_dict,
)

T = TypeVar("T")
#: How many derived views a catalog keeps (each event filter combination is one).
MEMO_SIZE = 256
#: A document's stored record without its passages (what lists, cards and answers show):
#: SQLite drops them before they are parsed.
WITHOUT_PASSAGES = "json_remove(record, '$.passages')"


def short_key(value: str) -> str:
    """A stable 10-character key for ids that may be too long for callback data."""
    return hashlib.blake2s(value.encode(), digest_size=5).hexdigest()


def date_sort_key(value: str | None) -> tuple[int, int, int]:
    """Newest first sorts on this descending; a date without a year sorts last."""
    if not value or value.startswith("--"):
        return (0, 0, 0)
    parts = [int(p) for p in value.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else 0, parts[2] if len(parts) > 2 else 0)


def full_date(value: str | None) -> date | None:
    if not value or value.startswith("--") or value.count("-") != 2:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class EventFilter:
    country: str = ""
    city: str = ""
    year: int = 0
    kind: str = ""

    @property
    def active(self) -> bool:
        return bool(self.country or self.city or self.year or self.kind)


@dataclass(slots=True)
class Catalog:
    gazetteer: Gazetteer
    topics: dict[str, Topic] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    offices: dict[str, Office] = field(default_factory=dict)
    receptions: list[Reception] = field(default_factory=list)
    services: dict[str, Texts] = field(default_factory=dict)
    audiences: dict[str, Texts] = field(default_factory=dict)
    _doc_keys: dict[str, str] = field(default_factory=dict)
    _memo: dict[Hashable, Any] = field(default_factory=dict)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A view derived from the whole catalog (every event, sorted; a filter's values),
        computed once: a catalog never changes (a rebuilt KB loads a new one), and with
        100k documents each view took tens of milliseconds per screen. Callers must not
        change what it returns."""
        if key not in self._memo:
            if len(self._memo) >= MEMO_SIZE:  # many filter combinations: start again
                self._memo.clear()
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    @classmethod
    def load(cls, path: Path) -> Catalog:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            places = [Place(**json.loads(r[0])) for r in conn.execute("SELECT record FROM places")]
            catalog = cls(Gazetteer(places))
            for (record,) in conn.execute("SELECT record FROM topics ORDER BY ord"):
                topic = Topic(**json.loads(record))
                catalog.topics[topic.id] = topic
            # the passages are left in the file: parsing them only to drop them doubled
            # the load's time and left the process larger
            for (record,) in conn.execute(f"SELECT {WITHOUT_PASSAGES} FROM documents"):
                doc = document_from_dict(json.loads(record))
                catalog.documents[doc.id] = doc
                catalog._doc_keys[short_key(doc.id)] = doc.id
            for (record,) in conn.execute("SELECT record FROM offices"):
                office = Office(**json.loads(record))
                catalog.offices[office.id] = office
            for (record,) in conn.execute("SELECT record FROM receptions ORDER BY date DESC"):
                catalog.receptions.append(Reception(**json.loads(record)))
            for kind, key, record in conn.execute("SELECT kind, key, record FROM labels"):
                target = catalog.services if kind == "service" else catalog.audiences
                target[key] = json.loads(record)
        finally:
            conn.close()
        return catalog

    # -- topics ----------------------------------------------------------------------------

    def children(self, parent: str | None) -> list[Topic]:
        return [t for t in self.topics.values() if t.parent == parent]

    def topic_sources(self, topic: Topic) -> list[Document]:
        docs = [d for d in self.documents.values() if d.source in topic.sources]
        return sorted(docs, key=lambda d: date_sort_key(d.date), reverse=True)

    def related_events(self, topic: Topic) -> list[Document]:
        docs = [d for d in self.documents.values() if topic.id in d.topics]
        return sorted(docs, key=lambda d: date_sort_key(d.date), reverse=True)

    # -- events ----------------------------------------------------------------------------

    def doc_key(self, doc_id: str) -> str:
        return short_key(doc_id)

    def doc_by_key(self, key: str) -> Document | None:
        doc_id = self._doc_keys.get(key)
        return self.documents.get(doc_id) if doc_id else None

    def event_countries(self, doc: Document) -> set[str]:
        return {self.gazetteer.by_id[p].country for p in doc.places if p in self.gazetteer.by_id}

    def event_cities(self, doc: Document) -> set[str]:
        """Where it happened, with every enclosing region: a city filter matches both."""
        return {a for p in doc.places for a in self.gazetteer.ancestors(p)}

    def events(self, flt: EventFilter = EventFilter()) -> Sequence[Document]:
        """Events newest first; those without a known year last."""
        return self.memo(("events", flt), lambda: tuple(self._events(flt)))

    def _events(self, flt: EventFilter) -> list[Document]:
        found = []
        for doc in self.documents.values():
            if flt.country and flt.country not in self.event_countries(doc):
                continue
            if flt.city and flt.city not in self.event_cities(doc):
                continue
            if flt.year and date_sort_key(doc.date)[0] != flt.year:
                continue
            if flt.kind and doc.event_kind != flt.kind:
                continue
            found.append(doc)
        return sorted(found, key=lambda d: (date_sort_key(d.date), d.id), reverse=True)

    def upcoming(self, today: date) -> Sequence[Document]:
        def compute() -> tuple[Document, ...]:
            docs = [d for d in self.documents.values() if (full_date(d.date) or date.min) >= today]
            return tuple(sorted(docs, key=lambda d: date_sort_key(d.date)))

        return self.memo(("upcoming", today), compute)

    def filter_values(self, dimension: str) -> list[str]:
        """The values of one filter that some event has (so no button leads nowhere)."""
        return list(self.memo(("filter", dimension), lambda: self._filter_values(dimension)))

    def _filter_values(self, dimension: str) -> tuple[str, ...]:
        values: set[str] = set()
        for doc in self.documents.values():
            if dimension == "country":
                values |= self.event_countries(doc)
            elif dimension == "city":
                values |= {p for p in doc.places if p in self.gazetteer.by_id}
            elif dimension == "year" and date_sort_key(doc.date)[0]:
                values.add(str(date_sort_key(doc.date)[0]))
            elif dimension == "kind" and doc.event_kind:
                values.add(doc.event_kind)
        return tuple(sorted(values, reverse=dimension == "year"))
