"""Several worker processes drain one announcement on PostgreSQL: claims are atomic
(FOR UPDATE SKIP LOCKED), a worker SIGKILLed mid-way loses nobody, and duplicates stay
within the killed worker's concurrent sends."""

from __future__ import annotations

import asyncio
import os
import sys
from asyncio.subprocess import Process
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.broadcast import AnnouncementStatus, Audience, OutboxRepo
from bot.broadcast.audience import resolve
from bot.broadcast.models import RowStatus
from bot.storage.database import Database
from bot.storage.schema import users
from devserver import DevServer
from tests.postgres import create_database, drop_database

pytestmark = pytest.mark.slow  # starts processes of its own

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token"
CONCURRENCY = 4

_WORKER = """
import asyncio, sys
from bot.app import create_bot
from bot.broadcast import run_broadcast
from bot.storage.database import Database

async def main() -> None:
    db = await Database.open(sys.argv[1])
    bot = create_bot(sys.argv[2], sys.argv[3])
    try:
        await run_broadcast(bot, db, int(sys.argv[4]), owner=sys.argv[5], rate=60,
                            concurrency=int(sys.argv[6]), lease_ttl=2.0, check_interval=0.2)
    finally:
        await bot.session.close()
        await db.close()

asyncio.run(main())
"""


async def _worker(url: str, server: DevServer, announcement_id: int, name: str) -> Process:
    """A worker process sending the announcement (as a bot instance's delivery would)."""
    args = [url, TOKEN, server.url, str(announcement_id), name, str(CONCURRENCY)]
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _WORKER,
        *args,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def test_three_workers_drain_one_announcement_and_survive_a_sigkill(
    postgres_base: str, devserver: DevServer
) -> None:
    n = 600
    name, url = await create_database(postgres_base)
    db = await Database.open(url)
    try:
        now = "2026-01-01T00:00:00+00:00"
        async with db.transaction() as tx:
            await tx.execute(
                insert(users),
                [
                    {"id": 1_000 + i, "locale": ("ru", "kk", "en")[i % 3], "first_seen": now,
                     "last_seen": now}
                    for i in range(n)
                ],
            )  # fmt: skip
        repo = OutboxRepo(db)
        texts = {"ru": "Привет", "kk": "Сәлем", "en": "Hello"}
        announcement = await repo.create(audience=Audience.everyone(), texts=texts, created_by=1)
        assert await repo.approve(announcement.id, approved_by=2)
        assert await repo.begin(announcement.id, await resolve(db, Audience.everyone())) == n

        workers = [await _worker(url, devserver, announcement.id, f"w{i}") for i in range(3)]
        victim = workers[0]
        await devserver.wait_for_calls("sendMessage", lambda r: r.ok, count=n // 3, timeout=60)
        victim.kill()  # SIGKILL mid-way: no cleanup at all
        assert await victim.wait() == -9
        for worker in workers[1:]:
            assert await asyncio.wait_for(worker.wait(), timeout=120) == 0

        sent = Counter(int(r.chat_id) for r in devserver.get_calls("sendMessage") if r.ok)
        assert set(sent) == {1_000 + i for i in range(n)}  # nobody lost
        duplicates = sum(count - 1 for count in sent.values())
        assert duplicates <= CONCURRENCY  # only what the killed worker had in flight
        assert await repo.status(announcement.id) is AnnouncementStatus.DONE
        counts = await repo.counts(announcement.id)
        assert sum(by.get(RowStatus.SENT, 0) for by in counts.values()) == n
    finally:
        await db.close()
        await drop_database(postgres_base, name)
