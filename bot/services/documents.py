"""Documents moderators add (uploaded news, events): stored in the database with their
audit record in one transaction, then built into this process's knowledge base.

The database is the source of truth every instance shares (the others pick a new
document up within `KB_SYNC_S`). When this process cannot build the KB with it, the
document is taken back out (the previous version, or none, is put back and audited
as `document.revert`), so a moderator's "nothing was added" is true everywhere.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.config import LOCALES
from bot.formatting import format_kb_date
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Document, Passage, Texts
from bot.services.knowledge import KnowledgeSync
from bot.storage.database import Database
from bot.storage.documents import DocumentRepo
from bot.storage.roles import AuditRepo

log = logging.getLogger(__name__)


class DocumentService:
    def __init__(self, db: Database, knowledge: KnowledgeSync) -> None:
        self.db = db
        self.knowledge = knowledge

    async def ingest(self, actor: int, doc: Document) -> bool:
        """Add an uploaded document; True when it replaced one of the same id."""
        return (await self.ingest_many(actor, [doc]))[0]

    async def ingest_many(self, actor: int, docs: list[Document]) -> list[bool]:
        """Add uploaded documents in one transaction and one KB build (the command line
        adds a folder at once); for each, whether it replaced one of the same id."""
        changes: list[tuple[Document, Document | None]] = []
        async with self.db.transaction() as tx:
            repo = DocumentRepo(tx)
            for doc in docs:
                previous = await repo.get(doc.id)
                await repo.put(doc, "upload", actor)
                await AuditRepo(tx).record(
                    actor,
                    "document.ingest",
                    id=doc.id,
                    source=doc.source,
                    lang=doc.source_lang,
                    passages=len(doc.passages),
                    publisher=doc.publisher,
                    url=doc.url,
                    replaced=previous is not None,
                )
                changes.append((doc, previous))
        await self._publish(actor, changes, "upload")
        return [previous is not None for _, previous in changes]

    async def add_event(self, actor: int, doc: Document, *, city: str, date: str) -> str:
        """Add an event a moderator described (a document of its own); returns its id,
        `doc.id` or, when another event took that id first, `doc.id` with a number."""
        async with self.db.transaction() as tx:
            repo = DocumentRepo(tx)
            base, n = doc.id, 2
            while await repo.exists(doc.id):
                doc.id, n = f"{base}-{n}", n + 1
            await repo.put(doc, "event", actor)
            await AuditRepo(tx).record(actor, "event.add", id=doc.id, city=city, date=date)
        await self._publish(actor, [(doc, None)], "event")
        return doc.id

    async def _publish(
        self, actor: int, changes: list[tuple[Document, Document | None]], kind: str
    ) -> None:
        """Build the changed documents into the KB; on failure take them back out (each
        to its previous version, or none) and raise."""
        await self.knowledge.changed()  # the other processes build meanwhile
        try:
            await self.knowledge.refresh()
        except Exception:
            ids = [doc.id for doc, _ in changes]
            log.exception("the knowledge base could not be built with %s: taking them back", ids)
            async with self.db.transaction() as tx:
                repo = DocumentRepo(tx)
                for doc, previous in reversed(changes):
                    if previous is None:
                        await repo.delete(doc.id)
                    else:
                        await repo.put(previous, kind, actor)
                await AuditRepo(tx).record(
                    actor, "document.revert", ids=ids, reason="the knowledge base build failed"
                )
            await self.knowledge.changed()
            raise


def event_document(
    kb: KnowledgeBase,
    user_id: int,
    now: datetime,
    *,
    title: Texts,
    summary: Texts,
    date: str,
    city: str,
    kind: str,
) -> Document:
    """The KB document for an event a moderator typed in: dated to the day they gave."""
    stamp = now.strftime("%Y%m%d%H%M%S")
    title, summary = dict(title), dict(summary)
    place = kb.gazetteer.by_id.get(city)
    # One passage, so that questions find the event: the summary in each language that
    # has one, else the title with the date and the place.
    passage: Texts = {}
    for lang in LOCALES:
        if summary.get(lang):
            passage[lang] = summary[lang]
        elif title.get(lang):
            when = format_kb_date(date, "day", lang) or date
            passage[lang] = f"{title[lang]} — {when}, {kb.gazetteer.name(city, lang)}."
    source_lang = next(lang for lang in LOCALES if lang in title)
    return Document(
        id=f"event-{stamp}",
        source=f"moderator:{user_id}:{stamp}",
        source_lang=source_lang,
        kind="event",
        title=title,
        summary=summary,
        event_kind=kind,
        date=date,
        date_precision="day",
        date_note="given by a moderator",
        places=[city],
        countries=[place.country] if place is not None and place.country else [],
        passages=[Passage("p01", passage)],
        origin="moderator",
    )
