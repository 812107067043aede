"""Documents moderators add (uploaded news, events): kept in `data/ingested/`, built into
the knowledge base, reloaded, then audited.

The file and the KB are not in the database yet (issue 9, part 5): a failed build puts
the previous file back, so nothing is half-added; the audit record follows a success.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.config import Settings
from bot.kb.build import build_kb
from bot.kb.search import KnowledgeBase
from bot.kb.sources import INGESTED, Document, save_ingested
from bot.storage.database import Database
from bot.storage.roles import AuditRepo


class DocumentService:
    def __init__(self, db: Database, settings: Settings, kb: KnowledgeBase) -> None:
        self.db = db
        self.settings = settings
        self.kb = kb

    async def ingest(self, actor: int, doc: Document) -> bool:
        """Add an uploaded document; True when it replaced one of the same name."""
        replaced = await asyncio.to_thread(self._add, doc)
        await AuditRepo(self.db).record(
            actor,
            "document.ingest",
            id=doc.id,
            source=doc.source,
            lang=doc.source_lang,
            passages=len(doc.passages),
            publisher=doc.publisher,
            url=doc.url,
            replaced=replaced,
        )
        return replaced

    async def add_event(self, actor: int, doc: Document, *, city: str, date: str) -> None:
        """Add an event a moderator described (a document of its own)."""
        await asyncio.to_thread(self._add, doc)
        await AuditRepo(self.db).record(actor, "event.add", id=doc.id, city=city, date=date)

    def _add(self, doc: Document) -> bool:
        # One rebuild at a time: the build's temp file is named after the process.
        with self.kb.build_lock:
            settings = self.settings
            replaced = save_and_build(doc, settings.data_dir, settings.kb_path, settings.embedder)
            self.kb.reload()
        return replaced


def save_and_build(doc: Document, data_dir: Path, kb_path: Path, embedder: str) -> bool:
    """Keep `doc` in data/ingested/ and rebuild the KB file; True when it replaced a file.

    When the build fails the previous file (or none) is put back, so data/ is as before;
    the KB file is untouched because the build only renames a complete file into place.
    """
    path = data_dir / INGESTED / f"{doc.id}.json"
    previous = path.read_bytes() if path.exists() else None
    save_ingested(doc, data_dir)
    try:
        build_kb(kb_path, data_dir, embedder)
    except BaseException:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(previous)
        raise
    return previous is not None
