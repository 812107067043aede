"""The database behind the bot: SQLite by default, PostgreSQL for several instances.

`Database` owns an async SQLAlchemy engine (a pool of connections) and hands out units
of work: ``async with db.transaction() as tx:`` runs everything inside on one connection
and commits it as a whole, or rolls it all back when the block raises. Two coroutines
never share a connection, so neither can commit the other's half-finished writes.

SQLite (``sqlite+aiosqlite:///var/dostyq.db``): WAL, a busy timeout, foreign keys, and
every transaction begun with ``BEGIN IMMEDIATE`` — it takes the write lock at the start,
so two writers queue instead of failing when the second upgrades its lock (reads use
`read()`, which begins no transaction: each statement sees a snapshot of its own).
PostgreSQL (``postgresql+asyncpg://...``): the default READ COMMITTED; claims lock rows
with ``FOR UPDATE SKIP LOCKED`` where they need it.

Migrations are Alembic's (`bot/storage/migrations/`), applied at `open`. A database made
by the releases before Alembic (tracked by ``PRAGMA user_version``) is brought to the
last of those steps and stamped with the baseline revision: nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from bot.storage import legacy
from bot.storage.cache import HotCache

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
#: The Alembic revision whose schema equals the last `PRAGMA user_version` migration.
BASELINE = "0001"
_BEGIN = "sqlite_begin"  # execution option: how a SQLite transaction begins
_STALE = "dostyq_stale_keys"  # connection info: cached keys the transaction changes
_MIGRATION_LOCK = 0x646F737479  # "dostyq": the advisory lock migrations take on PostgreSQL


def sqlite_url(path: Path | str) -> str:
    """The URL of a SQLite file (or ``:memory:``)."""
    return f"sqlite+aiosqlite:///{path}"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


#: How long a SQLite write transaction may wait for its turn in this process.
WRITER_WAIT_S = 30.0
#: How long SQLite itself retries a locked file (another process's writer) before it
#: gives up with "database is locked".
SQLITE_BUSY_MS = 5000
#: Connections (each with its thread) a SQLite file keeps open: reads run in parallel.
SQLITE_POOL = 15  # as many as the default pool could hold (5 + 10 overflow)


class DatabaseClosed(RuntimeError):
    """A unit of work asked of a closed `Database`."""


class Database:
    """A pool of connections to the bot's database and its units of work."""

    def __init__(
        self,
        engine: AsyncEngine,
        writer: asyncio.Lock | None = None,
        cache: HotCache | None = None,
    ) -> None:
        self.engine = engine
        self._closed = False
        #: Rows read on every update, kept between changes (see `bot.storage.cache`):
        #: on SQLite one process serves the file; on PostgreSQL only once the instances
        #: share evictions through Redis (`HotCache.share_through`).
        self.cache = cache or HotCache(enabled=self.backend == "sqlite")
        #: SQLite has one writer at a time: this process's write transactions queue here
        #: (first come, first served) instead of spinning in SQLite's busy handler, where
        #: under a flood of updates some would give up ("database is locked").
        self._writer = writer or asyncio.Lock()

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @classmethod
    async def open(cls, url: str | Path) -> Database:
        """Connect (creating a SQLite file's folder) and migrate to the newest schema.
        A `Path` is a SQLite file."""
        url = sqlite_url(url) if isinstance(url, Path) else url
        db = cls(create_engine(url))
        await db.migrate()
        return db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        self._check_open()
        async with self._writers_turn(), self.engine.begin() as conn:
            try:
                yield conn
            except BaseException:
                # Rolled back: nothing to evict. A statement cut short by a cancellation
                # invalidates the connection, whose info must not be touched then (it
                # raises, and the cancellation would end as a PendingRollbackError).
                if not conn.invalidated:
                    conn.info.pop(_STALE, None)
                raise
            stale = conn.info.pop(_STALE, [])
        await self.cache.evict(stale)  # committed: readers from now on load the new rows

    @asynccontextmanager
    async def _writers_turn(self) -> AsyncIterator[None]:
        """On SQLite, this process's write transactions take turns (see `_writer`)."""
        if self.backend != "sqlite":
            yield
            return
        async with asyncio.timeout(WRITER_WAIT_S):  # a bound, as SQLite's busy timeout was
            await self._writer.acquire()
        try:
            yield
        finally:
            self._writer.release()

    @staticmethod
    def evict_after_commit(conn: AsyncConnection, *keys: str) -> None:
        """Say that the transaction on `conn` changes the cached `keys`: they are evicted
        from the `HotCache` once it commits (and never, if it rolls back)."""
        conn.info.setdefault(_STALE, []).extend(keys)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reading (on SQLite it takes no write lock). Anything written
        on it is rolled back."""
        self._check_open()
        async with self.engine.connect() as conn:
            if self.backend == "sqlite":
                # No BEGIN: each statement reads a snapshot of its own, as on PostgreSQL's
                # READ COMMITTED, and a read makes three fewer trips to aiosqlite's thread.
                await conn.execution_options(**{_BEGIN: None})
            yield conn

    def sibling(self) -> Database:
        """The same database through a pool of its own (already migrated), for work that
        must not wait for this pool's connections (broadcasts beside users' updates).
        An in-memory SQLite database has one connection: it is shared instead."""
        if self.engine.url.database in (None, "", ":memory:"):
            return self
        url = self.engine.url.render_as_string(hide_password=False)
        # one writer queue per file, one copy of the hot rows per process
        return Database(create_engine(url), self._writer, self.cache)

    async def migrate(self) -> str:
        """Apply pending migrations; returns the resulting revision."""
        async with self.transaction() as conn:
            return await conn.run_sync(_migrate)

    async def close(self) -> None:
        """Close every connection; the database cannot be used after (an engine would
        quietly open new connections)."""
        self._closed = True
        await self.engine.dispose()

    def _check_open(self) -> None:
        if self._closed:
            raise DatabaseClosed("the database was closed")


def create_engine(url: str) -> AsyncEngine:
    """The engine for `url`, with SQLite made fit for a bot that writes often."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    database = parsed.database or ":memory:"
    options: dict[str, Any] = {}
    if database == ":memory:":  # one connection, or each would see its own empty database
        options["poolclass"] = StaticPool
    else:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    if database != ":memory:":
        # aiosqlite gives each connection a thread of its own: a pool that grows and
        # shrinks under a burst opened (and PRAGMA-configured) a new one per checkout.
        options |= {"pool_size": SQLITE_POOL, "max_overflow": 0}
    engine = create_async_engine(url, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we say when transactions begin
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            f"busy_timeout={SQLITE_BUSY_MS}",
            "foreign_keys=ON",
            "synchronous=NORMAL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "invalidate")
    def on_invalidate(dbapi_connection: Any, _record: Any, _error: BaseException | None) -> None:
        # A task cancelled during a statement leaves its connection invalidated, and
        # closing it while a statement is still unfinalised makes a "zombie" that keeps
        # its transaction, and the file's write lock, until the garbage collector
        # finalises that statement. Roll back first: the lock goes with the transaction.
        try:
            dbapi_connection.rollback()
        except Exception as error:  # the connection is being discarded anyway
            log.debug("rollback of an invalidated connection failed: %r", error)

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN, "IMMEDIATE")
        if mode is not None:  # None: reads, in SQLite's autocommit
            conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _migrate(connection: Connection) -> str:
    if connection.dialect.name == "postgresql":
        # Instances starting together migrate one after the other (SQLite's BEGIN
        # IMMEDIATE already does this); the lock ends with the transaction.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
    tables = set(inspect(connection).get_table_names())
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None and "users" in tables:  # made before Alembic: finish, then stamp
        legacy.upgrade(connection)
        command.stamp(alembic_config(connection), BASELINE)
        log.info("database from an earlier release stamped at revision %s", BASELINE)
    command.upgrade(alembic_config(connection), "head")
    revision = MigrationContext.configure(connection).get_current_revision()
    return revision or ""
