"""Documents moderators add (uploaded news, events): stored in the database with their
audit record in one transaction, then built into this process's knowledge base.

The database is the source of truth every instance shares (the others pick a new
document up within `KB_SYNC_S`). When this process cannot build the KB with it, the
document is taken back out (the previous version, or none, is put back and audited
as `document.revert`), so a moderator's "nothing was added" is true everywhere.
"""

from __future__ import annotations

import logging

from bot.kb.sources import Document
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
