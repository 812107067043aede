"""Raw SQL in tests (SQLite's ``?`` placeholders), each call its own unit of work: for
setting up rows and checking what the code under test stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Row

from bot.storage.database import Database


async def fetchall(db: Database, sql: str, *params: Any) -> Sequence[Row[Any]]:
    async with db.read() as conn:
        return (await conn.exec_driver_sql(sql, tuple(params))).all()


async def fetchone(db: Database, sql: str, *params: Any) -> Row[Any] | None:
    async with db.read() as conn:
        return (await conn.exec_driver_sql(sql, tuple(params))).first()


async def execute(db: Database, sql: str, *params: Any) -> int:
    async with db.transaction() as tx:
        return int((await tx.exec_driver_sql(sql, tuple(params))).rowcount)


async def executemany(db: Database, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    async with db.transaction() as tx:
        await tx.exec_driver_sql(sql, list(rows))
