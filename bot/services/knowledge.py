"""Keep this process's knowledge base up to date with the documents in the database.

Moderators' documents live in the database, which every instance shares; each process
builds its own KB file from `data/` plus those documents and records the version they
make. A process that finds a newer version (it polls one row) rebuilds the file, or
only reopens it when another process sharing the path has rebuilt it already. With
Redis, the process that changed the documents also says so on a channel every process
listens to, so the others start at once instead of at their next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.config import Settings
from bot.kb.build import BuildStats, build_kb, ensure_kb
from bot.kb.search import KnowledgeBase
from bot.kb.sources import INGESTED, legacy_documents
from bot.shared.channel import follow
from bot.storage.database import Database
from bot.storage.documents import DocumentRepo, StoredDocuments
from bot.storage.roles import AuditRepo

log = logging.getLogger(__name__)

#: The actor recorded for what no moderator did (the command line, an import).
SYSTEM_ACTOR = 0


#: Where a process that changed the documents says so (with Redis).
CHANNEL = "dostyq:kb-version"


class KnowledgeSync:
    """Rebuilds and reloads `kb` (or, without one, only the file) when the database's
    documents change; `start` polls every `settings.kb_sync_s` seconds and, with
    `redis`, listens for `changed` news from other processes."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        kb: KnowledgeBase | None = None,
        redis: Redis | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.kb = kb
        self.redis = redis
        self._lock = asyncio.Lock()  # one refresh at a time in this process
        self._tasks: list[asyncio.Task[None]] = []

    async def changed(self) -> None:
        """Tell the other processes the documents changed (no-op without Redis; they
        notice at their next poll anyway)."""
        if self.redis is None:
            return
        try:
            await self.redis.publish(CHANNEL, await self.version())
        except RedisError:
            log.warning("could not announce the new documents version", exc_info=True)

    async def refresh(self) -> BuildStats | None:
        """Make the KB match the database; the stats when this process built the file.

        Raises what the build raises (the file and the open KB are then unchanged)."""
        async with self._lock:
            if self.kb is not None and self.kb.documents_version == await self.version():
                return None
            stored = await DocumentRepo(self.db).snapshot()
            return await asyncio.to_thread(self._build, stored)

    async def version(self) -> str:
        return await DocumentRepo(self.db).version()

    def _build(self, stored: StoredDocuments) -> BuildStats | None:
        settings = self.settings
        with self.kb.build_lock if self.kb is not None else contextlib.nullcontext():
            stats = ensure_kb(
                settings.kb_path,
                settings.data_dir,
                settings.embedder,
                stored.documents,
                stored.version,
                settings.vector_cache,
            )
            if self.kb is not None:
                self.kb.reload()
        if stats is not None:
            log.info("knowledge base rebuilt for documents %s: %s", stored.version, stats.line())
        return stats

    def start(self) -> None:
        if not self._tasks:
            self._tasks.append(asyncio.create_task(self._poll(), name="kb-sync"))
            if self.redis is not None:
                self._tasks.append(asyncio.create_task(self._listen(), name="kb-sync-news"))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.settings.kb_sync_s)
            await self._refresh_logged()

    async def _listen(self) -> None:
        """Refresh on every message of `CHANNEL` (resubscribing after a lost connection;
        what was published meanwhile the next poll finds)."""
        assert self.redis is not None
        await follow(self.redis, CHANNEL, self._news)

    async def _news(self, _version: object) -> None:
        await self._refresh_logged()

    async def _refresh_logged(self) -> None:
        try:
            await self.refresh()
        except Exception:  # the database or the build failed: try again next time
            log.exception("could not bring the knowledge base up to date")


async def import_legacy_files(db: Database, settings: Settings) -> int:
    """Move the documents a release before the database kept in `data/ingested/` into the
    database (once: those it holds already are left as they are); returns how many.

    The folder is renamed after (`ingested.imported-<time>`), when it can be."""
    folder = settings.data_dir / INGESTED
    docs = legacy_documents(settings.data_dir)
    if not docs:
        return 0
    added = []
    async with db.transaction() as tx:
        repo = DocumentRepo(tx)
        for doc in docs:
            if not await repo.exists(doc.id):
                kind = "event" if doc.id.startswith("event-") else "upload"
                await repo.put(doc, kind, SYSTEM_ACTOR)
                added.append(doc.id)
        if added:
            await AuditRepo(tx).record(SYSTEM_ACTOR, "document.import", ids=added)
    try:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        folder.rename(folder.with_name(f"{INGESTED}.imported-{stamp}"))
    except OSError as exc:
        log.warning("%s stays where it is (%s); its documents are in the database", folder, exc)
    log.info("imported %d of %d documents from %s", len(added), len(docs), folder)
    return len(added)


async def prepare_kb(db: Database, settings: Settings, *, force: bool = False) -> BuildStats | None:
    """At start: import what `data/ingested/` still holds, then build the KB file when it
    does not match `data/` and the database's documents (or always, with `force`)."""
    await import_legacy_files(db, settings)
    if not force:
        return await KnowledgeSync(db, settings).refresh()
    stored = await DocumentRepo(db).snapshot()
    return await asyncio.to_thread(
        build_kb,
        settings.kb_path,
        settings.data_dir,
        settings.embedder,
        stored.documents,
        stored.version,
        vector_cache=settings.vector_cache,
    )
