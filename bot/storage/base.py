"""What every repository shares: where its statements run.

A repository is bound either to the `Database` — then each of its methods is a unit of
work of its own, committed when it returns — or to a connection inside the caller's
``async with db.transaction() as tx:`` — then it commits nothing and everything the
caller does on that connection commits or rolls back together (services do this).

Rows read on every update go through the process's `HotCache` (`_cached`); every write
to them names what it changes (`_stale`), evicted once the transaction commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database

T = TypeVar("T")


class Repo:
    def __init__(self, source: Database | AsyncConnection) -> None:
        self._source = source

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        """The connection to write on: the caller's, or a new unit of work."""
        if isinstance(self._source, AsyncConnection):
            yield self._source
        else:
            async with self._source.transaction() as tx:
                yield tx

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        """The connection to read on: the caller's (seeing its own writes), or a new one."""
        if isinstance(self._source, AsyncConnection):
            yield self._source
        else:
            async with self._source.read() as conn:
                yield conn

    async def _cached(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        """`load()` through the process's `HotCache` (inside the caller's transaction,
        which may have changed the row, straight from the database)."""
        if isinstance(self._source, AsyncConnection):
            return await load()
        return await self._source.cache.get(key, load)

    @staticmethod
    def _stale(conn: AsyncConnection, *keys: str) -> None:
        """What the write on `conn` changes in the `HotCache`: evicted once it commits."""
        Database.evict_after_commit(conn, *keys)


def upsert(conn: AsyncConnection, table: Table) -> Any:
    """``INSERT`` with ``ON CONFLICT`` clauses for the connection's backend (the statement
    has `.on_conflict_do_nothing` / `.on_conflict_do_update` and `.excluded`)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(table)
    return statement
