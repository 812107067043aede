"""Three bot processes in webhook mode on one PostgreSQL and one Redis, behind the
devserver spreading its deliveries over them as a load balancer would: 3,000 updates
from 500 users are each handled exactly once; a broadcast to 5,000 users drained by all
three, one of them SIGKILLed mid-way, loses nobody and duplicates at most the killed
one's concurrent sends."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
from asyncio.subprocess import Process
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import insert

from bot.broadcast import AnnouncementStatus, Audience, OutboxRepo
from bot.config import PROJECT_ROOT
from bot.services import Services
from bot.storage.database import Database
from bot.storage.schema import users
from bot.storage.users import utcnow
from devserver import DevServer
from tests.postgres import create_database, drop_database
from tests.test_status import sample

pytestmark = pytest.mark.slow  # starts processes of its own

TOKEN = "123456:TEST-scale"
SECRET = "a-secret-for-the-scale-test"
INSTANCES = 3
USERS = 500
PER_USER = 6


def free_ports(n: int) -> list[int]:
    """n distinct free ports (held together while chosen, so none is given twice)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


async def start_instance(
    server: DevServer, db_url: str, redis_url: str, port: int, kb: Path, **extra: str
) -> Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env |= {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": server.url,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(port),
        "KB_PATH": str(kb),
        "THROTTLE_RATE": "1000",
        "THROTTLE_BURST": "1000",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT_ROOT, env=env
    )


async def stop_all(processes: list[Process]) -> None:
    """SIGTERM to those still running; wait for every one."""
    for process in processes:
        if process.returncode is None:
            process.terminate()
    for process in processes:
        await asyncio.wait_for(process.wait(), timeout=60)


async def handled(port: int) -> float:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        return sample(await response.text(), 'dostyq_updates_total{type="message"}') or 0.0


async def test_three_instances_answer_every_update_exactly_once(
    postgres_base: str, redis_url: str, kb_file: Path, tmp_path: Path
) -> None:
    name, db_url = await create_database(postgres_base)
    ports = free_ports(INSTANCES)
    processes: list[Process] = []
    try:
        async with DevServer() as server:
            for n, port in enumerate(ports):
                kb = tmp_path / f"kb{n}.db"
                shutil.copy2(kb_file, kb)  # each instance has its own KB file
                processes.append(await start_instance(server, db_url, redis_url, port, kb))
            await server.wait_for_calls("setWebhook", count=INSTANCES, timeout=120)
            server.webhook.spread_over([f"http://127.0.0.1:{port}/hook" for port in ports])

            users = range(30_000, 30_000 + USERS)
            updates = [
                server.inject.message(uid, "/help", language_code="en")
                for _ in range(PER_USER)
                for uid in users
            ]
            for update in updates:
                await server.wait_consumed(update, timeout=300)

            replies = Counter(call.chat_id for call in server.get_calls("sendMessage") if call.ok)
            counts = [await handled(port) for port in ports]
            assert server.webhook.delivered == USERS * PER_USER
            assert server.webhook.info()["pending_update_count"] == 0
            assert "last_error_message" not in server.webhook.info()  # none was retried
    finally:
        await stop_all(processes)
        await drop_database(postgres_base, name)
    assert all(replies[uid] == PER_USER for uid in users)  # one reply per update
    assert len(replies) == USERS
    assert sum(counts) == USERS * PER_USER  # handled exactly once, all instances together
    assert min(counts) > 0  # every instance took its share
    assert all(process.returncode == 0 for process in processes)  # SIGTERM: clean stops


RATE = 150  # messages/s for all instances together
RECIPIENTS = 5000
SENDERS = 8  # concurrent sends of one instance's broadcast engine (its default)


async def test_three_instances_drain_a_broadcast_through_a_sigkill(
    postgres_base: str, redis_url: str, kb_file: Path, tmp_path: Path
) -> None:
    name, db_url = await create_database(postgres_base)
    ports = free_ports(INSTANCES)
    processes: list[Process] = []
    db = await Database.open(db_url)
    try:
        now = utcnow()
        first = 50_000
        rows = [{"id": uid, "locale": "en", "first_seen": now, "last_seen": now}
                for uid in range(first, first + RECIPIENTS)]  # fmt: skip
        async with db.transaction() as tx:
            await tx.execute(insert(users), rows)
        async with DevServer() as server:
            for n, port in enumerate(ports):
                kb = tmp_path / f"kb{n}.db"
                shutil.copy2(kb_file, kb)
                processes.append(
                    await start_instance(
                        server,
                        db_url,
                        redis_url,
                        port,
                        kb,
                        BROADCAST_RATE=str(RATE),
                        BROADCAST_LEASE_S="3",
                    )
                )
            await server.wait_for_calls("setWebhook", count=INSTANCES, timeout=120)
            announcement = await Services.create(db).announcements.confirm(
                1,
                audience=Audience.everyone(),
                texts={"ru": "Приём", "kk": "Қабылдау", "en": "Reception"},
                fallback=None,
                photo=None,
                link=None,
                send_at=None,
                require_approval=False,
            )
            await server.wait_for_calls("sendMessage", count=RECIPIENTS // 3, timeout=120)
            processes[0].kill()  # SIGKILL: no cleanup at all
            await processes[0].wait()
            repo = OutboxRepo(db)
            async with asyncio.timeout(300):  # the survivors finish it
                while await repo.status(announcement.id) is not AnnouncementStatus.DONE:  # noqa: ASYNC110 (another process's work)
                    await asyncio.sleep(0.5)
            recipients = set(range(first, first + RECIPIENTS))  # not the author's reports
            sent = [
                call
                for call in server.get_calls("sendMessage")
                if call.ok and call.chat_id in recipients
            ]
    finally:
        await stop_all(processes)
        await db.close()
        await drop_database(postgres_base, name)
    per_user = Counter(call.chat_id for call in sent)
    assert set(per_user) == recipients  # nobody lost
    duplicates = sum(count - 1 for count in per_user.values())
    assert duplicates <= SENDERS  # at most the killed instance's sends in flight
    assert busiest_second([call.time for call in sent]) <= RATE  # as the server counts


def busiest_second(stamps: list[float]) -> int:
    """The most sends in any one-second window [t, t + 1)."""
    stamps = sorted(stamps)
    most, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most
