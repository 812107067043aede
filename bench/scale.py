"""Benchmark: the whole bot, one process on SQLite beside one and three instances on
PostgreSQL + Redis, in one run.

For each set-up, real `python -m bot run` processes against the devserver:

1. updates/s: N "/help" messages from N/6 users (each answered), injected at once; from
   the first injection to the last update confirmed (polling) or answered (webhook,
   the devserver spreading its deliveries over the instances as a load balancer would);
2. broadcast msg/s: an announcement to M users, drained by every instance of the set-up
   (the send rate set far above Telegram's so the bot, not the limit, is measured);
   from its first message to its last, by the devserver's own timestamps.

PostgreSQL and Redis are the benchmark's own servers (127.0.0.1, temporary directories);
without them those set-ups are left out and the reason printed. The machine has 2 cores:
three instances share them with the devserver and the databases.

Run: .venv/bin/python bench/scale.py [--quick]
Last line: one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from asyncio.subprocess import Process
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.broadcast import Audience  # noqa: E402
from bot.kb.build import build_kb  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.storage.database import Database, sqlite_url  # noqa: E402
from bot.storage.schema import users  # noqa: E402
from bot.storage.users import utcnow  # noqa: E402
from devserver import DevServer  # noqa: E402
from tests.postgres import (  # noqa: E402
    PostgresUnavailable,
    create_database,
    drop_database,
    postgres_server,
)
from tests.test_scale import free_ports  # noqa: E402

TOKEN = "123456:BENCH-scale"
SECRET = "a-secret-for-the-scale-bench"
TEXTS = {"ru": "Приём 15 декабря", "kk": "15 желтоқсанда қабылдау", "en": "Reception on 15 Dec"}


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server of the bench's own; yields its URL."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server is not installed")
    [port] = free_ports(1)
    with tempfile.TemporaryDirectory(prefix="dostyq-redis-") as tmp:
        proc = subprocess.Popen(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


async def start(server: DevServer, env: dict[str, str]) -> Process:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    base |= {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": server.url,
        "THROTTLE_RATE": "1000",
        "THROTTLE_BURST": "1000",
        "BROADCAST_RATE": "5000",
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=base | env
    )


async def add_users(db: Database, first: int, n: int) -> None:
    now = utcnow()
    rows = [
        {"id": uid, "locale": ("ru", "kk", "en")[uid % 3], "first_seen": now, "last_seen": now}
        for uid in range(first, first + n)
    ]
    async with db.transaction() as tx:
        await tx.execute(insert(users), rows)


async def run_setup(
    label: str, db_url: str, env_of: list[dict[str, str]], kb: Path, n: int, m: int
) -> dict[str, float]:
    """Start the instances, measure updates/s and broadcast msg/s, stop them."""
    work = Path(tempfile.mkdtemp(prefix=f"dostyq-{label}-"))
    processes: list[Process] = []
    try:
        async with DevServer() as server:
            webhook = "WEBHOOK_URL" in env_of[0]
            for number, env in enumerate(env_of):
                own_kb = work / f"kb{number}.db"
                shutil.copy2(kb, own_kb)
                processes.append(await start(server, {**env, "KB_PATH": str(own_kb)}))
            if webhook:
                await server.wait_for_calls("setWebhook", count=len(env_of), timeout=180)
                server.webhook.spread_over([env["WEBHOOK_URL"] for env in env_of])
            else:
                await server.wait_for_long_poll(timeout=180)

            uids = range(40_000, 40_000 + n // 6)
            started = time.perf_counter()
            updates = [
                server.inject.message(uid, "/help", language_code="en")
                for _ in range(6)
                for uid in uids
            ]
            for update in updates:
                await server.wait_consumed(update, timeout=600)
            if not webhook:  # confirmed means started: wait for the answers too
                await server.wait_for_calls("sendMessage", count=len(updates), timeout=600)
            updates_s = len(updates) / (time.perf_counter() - started)

            db = await Database.open(db_url)
            try:
                await add_users(db, 100_000, m)
                mark = server.marker()
                await Services.create(db).announcements.confirm(
                    1,
                    audience=Audience.everyone(),
                    texts=TEXTS,
                    fallback=None,
                    photo=None,
                    link=None,
                    send_at=None,
                    require_approval=False,
                )
                recipients = m + len(uids)
                calls = await server.wait_for_calls(
                    "sendMessage", count=recipients, since=mark, timeout=900
                )
            finally:
                await db.close()
            stamps = sorted(call.time for call in calls[:recipients])
            broadcast_s = recipients / max(stamps[-1] - stamps[0], 1e-9)
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            await process.wait()
        shutil.rmtree(work, ignore_errors=True)
    figures = {"updates_per_s": round(updates_s, 1), "broadcast_msgs_per_s": round(broadcast_s, 1)}
    print(f"{label}: {figures}", flush=True)
    return figures


async def main(quick: bool) -> dict[str, Any]:
    n, m = (600, 600) if quick else (3000, 3000)
    result: dict[str, Any] = {"updates": n, "broadcast_recipients": m + n // 6}
    with tempfile.TemporaryDirectory(prefix="dostyq-scale-") as tmp:
        kb = Path(tmp) / "kb.db"
        build_kb(kb)
        sqlite_db = Path(tmp) / "bot.db"
        result["sqlite_1_polling"] = await run_setup(
            "sqlite-1", sqlite_url(sqlite_db), [{"DATABASE_PATH": str(sqlite_db)}], kb, n, m
        )
        try:
            with postgres_server() as base, redis_server() as redis_url:
                for count in (1, 3):
                    name, db_url = await create_database(base)
                    ports = free_ports(count)
                    env_of = [
                        {
                            "DATABASE_URL": db_url,
                            "REDIS_URL": redis_url,
                            "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
                            "WEBHOOK_SECRET": SECRET,
                            "WEBHOOK_PORT": str(port),
                        }
                        for port in ports
                    ]
                    try:
                        result[f"postgres_redis_{count}_webhook"] = await run_setup(
                            f"pg-redis-{count}", db_url, env_of, kb, n, m
                        )
                    finally:
                        await drop_database(base, name)
        except (PostgresUnavailable, RuntimeError) as exc:
            print(f"PostgreSQL + Redis left out: {exc}", flush=True)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run")
    args = parser.parse_args()
    result = asyncio.run(main(args.quick))
    print(json.dumps(result))
