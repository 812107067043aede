"""Benchmark: the storage layer on SQLite and PostgreSQL, in one run.

1. Write transactions/s: `UserRepo.touch` (an upsert with RETURNING, one unit of work
   each) from 8 concurrent coroutines, beside the same statement through the bare driver
   (aiosqlite / asyncpg, one connection, commit each) as the baseline: what the portable
   layer and its pool cost.
2. Outbox claims/s: 8 concurrent claimers drain one announcement, each claiming 10 rows
   (`OutboxRepo.claim`) and recording them sent (`OutboxRepo.record`): claims/s and rows/s.

PostgreSQL is the benchmark's own server, started on 127.0.0.1 in a temporary directory
(`tests/postgres.py`); without one, its figures are left out and the reason is printed.

Run: .venv/bin/python bench/storage.py [--quick]
Last line: one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.broadcast import Audience, OutboxRepo  # noqa: E402
from bot.broadcast.models import Recipient  # noqa: E402
from bot.broadcast.outbox import Outcome  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.schema import users  # noqa: E402
from bot.storage.users import UserRepo, utcnow  # noqa: E402
from tests.postgres import (  # noqa: E402
    PostgresUnavailable,
    create_database,
    drop_database,
    postgres_server,
)

CONCURRENCY = 8
TOUCH_SQL = (
    "INSERT INTO users (id, tg_language, first_seen, last_seen) VALUES ({p}) "
    "ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen RETURNING id"
)


async def concurrently(n: int, work: Callable[[int], Awaitable[None]]) -> float:
    """Run `work(i)` for i in range(n) from CONCURRENCY coroutines; returns seconds."""
    queue = iter(range(n))

    async def worker() -> None:
        for i in queue:
            await work(i)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.perf_counter() - t0


async def touches(db: Database, n: int) -> float:
    repo = UserRepo(db)

    async def work(i: int) -> None:
        await repo.touch(10_000 + i % 500, "ru")

    return n / await concurrently(n, work)


async def raw_sqlite_touches(path: Path, n: int) -> float:
    sql = TOUCH_SQL.format(p="?, ?, ?, ?")
    async with aiosqlite.connect(path) as conn:
        await conn.execute("PRAGMA busy_timeout=5000")
        lock = asyncio.Lock()  # one connection: one transaction at a time

        async def work(i: int) -> None:
            now = utcnow()
            async with lock:
                await conn.execute_fetchall(sql, (20_000 + i % 500, "ru", now, now))
                await conn.commit()

        return n / await concurrently(n, work)


async def raw_postgres_touches(dsn: str, n: int) -> float:
    sql = TOUCH_SQL.format(p="$1, $2, $3, $4")
    pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)
    try:

        async def work(i: int) -> None:
            now = utcnow()
            async with pool.acquire() as conn, conn.transaction():
                await conn.fetch(sql, 20_000 + i % 500, "ru", now, now)

        return n / await concurrently(n, work)
    finally:
        await pool.close()


async def claims(db: Database, rows: int) -> dict[str, float]:
    now = utcnow()
    async with db.transaction() as tx:
        await tx.execute(
            insert(users),
            [{"id": 100_000 + i, "first_seen": now, "last_seen": now} for i in range(rows)],
        )
    repo = OutboxRepo(db)
    announcement = await repo.create(audience=Audience.everyone(), texts={"ru": "Привет"})
    await repo.begin(announcement.id, [Recipient(100_000 + i, "ru") for i in range(rows)])
    counts = {"claims": 0, "rows": 0}

    async def claimer(name: str) -> None:
        while True:
            got = await repo.claim(announcement.id, 10, time.time(), owner=name, ttl=60)
            if not got:
                return
            counts["claims"] += 1
            counts["rows"] += len(got)
            await repo.record(announcement.id, [Outcome.sent(r.user_id, 1) for r in got], name)

    t0 = time.perf_counter()
    await asyncio.gather(*(claimer(f"c{i}") for i in range(CONCURRENCY)))
    seconds = time.perf_counter() - t0
    assert counts["rows"] == rows, counts  # every row claimed once
    return {"claims_per_s": counts["claims"] / seconds, "rows_per_s": rows / seconds}


async def backend(name: str, url: str, n: int, rows: int, raw: Callable[[], Any]) -> dict[str, Any]:
    db = await Database.open(url)
    try:
        await touches(db, n // 10)  # warm the pool
        figures: dict[str, Any] = {f"{name}_touch_per_s": round(await touches(db, n), 1)}
        figures[f"{name}_raw_touch_per_s"] = round(await raw(), 1)
        figures[f"{name}_touch_vs_raw"] = round(
            figures[f"{name}_touch_per_s"] / figures[f"{name}_raw_touch_per_s"], 2
        )
        for key, value in (await claims(db, rows)).items():
            figures[f"{name}_{key}"] = round(value, 1)
        return figures
    finally:
        await db.close()


async def main(quick: bool) -> dict[str, Any]:
    n, rows = (400, 2_000) if quick else (3_000, 20_000)
    figures: dict[str, Any] = {"touches": n, "outbox_rows": rows, "concurrency": CONCURRENCY}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        figures.update(
            await backend(
                "sqlite", f"sqlite+aiosqlite:///{path}", n, rows,
                lambda: raw_sqlite_touches(path, n),
            )
        )  # fmt: skip
    try:
        with postgres_server() as base:
            name, url = await create_database(base)
            dsn = url.replace("postgresql+asyncpg://", "postgresql://")
            try:
                figures.update(
                    await backend("postgres", url, n, rows, lambda: raw_postgres_touches(dsn, n))
                )
            finally:
                await drop_database(base, name)
    except PostgresUnavailable as exc:
        print(f"PostgreSQL left out: {exc}")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run")
    args = parser.parse_args()
    result = asyncio.run(main(args.quick))
    for key, value in result.items():
        print(f"{key}: {value}")
    print(json.dumps(result))
