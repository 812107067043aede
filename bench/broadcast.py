"""Benchmark: the broadcast engine against the devserver.

1. Engine: limits lifted, no send-rate limit; messages per second over the whole
   `run_broadcast` call (queueing the audience included) for N recipients, median of
   3 runs; beside it the ceiling, bare `bot.send_message` calls without the outbox.
2. Limited: the devserver enforces 30 messages/s overall (1/s per chat, irrelevant:
   one message each); the sender runs at `LIMITED_RATE`. Reports the achieved rate
   and the number of *sliding* one-second windows (one starting at every request the
   devserver received, rejected ones included) holding more requests than the limit;
   calendar-second windows are reported too.

The devserver runs in a subprocess by default, so that on 2 cores the engine and
the fake Telegram do not share one event loop (`--devserver inprocess` to compare:
there the server's work is billed to the engine).

Run: .venv/bin/python bench/broadcast.py [--quick] [--devserver subprocess|inprocess]
Last line: {"engine_msgs_per_s", "limit", "limited_msgs_per_s", "over_limit_windows",
            "recipients", ...}
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from sqlalchemy import insert

from bot.app import create_bot
from bot.broadcast import Audience, OutboxRepo, run_broadcast
from bot.storage.database import Database
from bot.storage.schema import users
from devserver import DevServer

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH"
LIMIT = 30  # Telegram's ~30 messages/s per bot, as the devserver enforces it
LIMITED_RATE = 29.0  # sender rate for that limit: slots 34.5 ms apart, <= 30 in any second
ENGINE_CONCURRENCY = 8  # the sender's default; more only adds scheduling on 1 core
BATCH = 10  # the sender's default claim size
LANGS = ("ru", "kk", "en")
TEXTS = {
    "ru": "Приглашаем на встречу соотечественников в Омске: концерт и выставка.",
    "kk": "Омбыдағы отандастар кездесуіне шақырамыз: концерт және көрме.",
    "en": "Join the compatriots' meeting in Omsk: a concert and an exhibition.",
}


class Server(Protocol):
    url: str

    async def reset(self) -> None: ...
    async def set_limit(self, per_second: int | None) -> None: ...
    async def sends(self) -> list[tuple[float, int]]: ...


class InProcess:
    def __init__(self, server: DevServer) -> None:
        self.server = server
        self.url = server.url

    async def reset(self) -> None:
        self.server.reset()

    async def set_limit(self, per_second: int | None) -> None:
        if per_second is None:
            self.server.set_limits(False)
        else:
            self.server.set_limits(True, global_per_second=per_second, private_per_second=1)

    async def sends(self) -> list[tuple[float, int]]:
        return [(r.time, r.status) for r in self.server.get_calls("sendMessage")]


class Remote:
    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.session = session

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(method, self.url + path, json=body) as resp:
            data = await resp.json()
        assert data["ok"], data
        return data["result"]

    async def reset(self) -> None:
        await self.call("POST", "/_control/reset", {})

    async def set_limit(self, per_second: int | None) -> None:
        body: dict[str, Any] = {"enabled": per_second is not None}
        if per_second is not None:
            body |= {"global_per_second": per_second, "private_per_second": 1}
        await self.call("POST", "/_control/limits", body)

    async def sends(self) -> list[tuple[float, int]]:
        result = await self.call("GET", "/_control/calls?method=sendMessage")
        return [(c["time"], c["status"]) for c in result["calls"]]


@contextlib.asynccontextmanager
async def devserver(mode: str) -> AsyncIterator[Server]:
    if mode == "inprocess":
        async with DevServer() as server:
            yield InProcess(server)
        return
    async with remote_devserver() as remote:
        yield remote


@contextlib.asynccontextmanager
async def remote_devserver() -> AsyncIterator[Remote]:
    """The devserver in a process of its own, reached through its control API."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "devserver",
        "--port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await proc.stdout.readline()).decode()
        url = line.split("Bot API at ")[1].split()[0]
        async with aiohttp.ClientSession() as session:
            yield Remote(url, session)
    finally:
        proc.terminate()
        await proc.wait()


async def prepare(path: Path, n: int) -> tuple[Database, int]:
    db = await Database.open(path)
    now = "2025-01-01T00:00:00+00:00"
    async with db.transaction() as tx:
        await tx.execute(
            insert(users),
            [
                {"id": 100_000 + i, "locale": LANGS[i % 3], "first_seen": now, "last_seen": now}
                for i in range(n)
            ],
        )
    repo = OutboxRepo(db)
    announcement = await repo.create(audience=Audience.everyone(), texts=TEXTS, created_by=1)
    await repo.approve(announcement.id, approved_by=1)
    return db, announcement.id


async def phase(
    server: Server,
    workdir: Path,
    name: str,
    n: int,
    *,
    rate: float | None,
    concurrency: int,
    batch: int = BATCH,
) -> tuple[int, float, list[tuple[float, int]]]:
    """(delivered, seconds, the devserver's sendMessage records) for one broadcast."""
    await server.reset()
    db, aid = await prepare(workdir / f"{name}.db", n)
    bot = create_bot(TOKEN, server.url)
    try:
        await bot.get_me()  # open the HTTP session outside the timing
        started = time.perf_counter()
        report = await run_broadcast(
            bot,
            db,
            aid,
            owner=f"bench-{name}",
            rate=rate,
            concurrency=concurrency,
            batch_size=batch,
        )
        seconds = time.perf_counter() - started
    finally:
        await bot.session.close()
        await db.close()
    return report.delivered, seconds, await server.sends()


async def aiogram_only(server: Server, n: int, concurrency: int) -> float:
    """The ceiling: bare `bot.send_message` calls, same devserver and concurrency."""
    await server.reset()
    bot = create_bot(TOKEN, server.url)
    chats = iter(range(200_000, 200_000 + n))

    async def worker() -> None:
        for chat in chats:
            await bot.send_message(chat, TEXTS["en"])

    try:
        await bot.get_me()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return n / (time.perf_counter() - started)
    finally:
        await bot.session.close()


def sliding_over_limit(times: list[float], limit: int, span: float = 1.0) -> int:
    """Windows [t, t + span) starting at each request that hold more than `limit`."""
    times = sorted(times)
    return sum(1 for i, t in enumerate(times) if bisect.bisect_left(times, t + span) - i > limit)


def calendar_over_limit(times: list[float], limit: int) -> int:
    return sum(1 for count in Counter(int(t) for t in times).values() if count > limit)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--recipients", type=int, help="engine run (default 3000, quick 600)")
    parser.add_argument("--limited", type=int, help="30/s run (default 600, quick 150)")
    parser.add_argument("--devserver", choices=("subprocess", "inprocess"), default="subprocess")
    parser.add_argument("--concurrency", type=int, default=ENGINE_CONCURRENCY)
    parser.add_argument("--batch", type=int, default=BATCH, help="claim batch size")
    parser.add_argument("--repeat", type=int, help="engine runs, median reported (3, quick 1)")
    args = parser.parse_args()
    n = args.recipients or (600 if args.quick else 3000)
    n_limited = args.limited or (150 if args.quick else 600)
    args.repeat = args.repeat or (1 if args.quick else 3)
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        async with devserver(args.devserver) as server:
            ceiling = await aiogram_only(server, n, args.concurrency)
            rates = []
            for run in range(args.repeat):
                delivered, seconds, _ = await phase(
                    server,
                    workdir,
                    f"engine{run}",
                    n,
                    rate=None,
                    concurrency=args.concurrency,
                    batch=args.batch,
                )
                assert delivered == n, (delivered, n)
                rates.append(delivered / seconds)
            engine_rate = statistics.median(rates)
            print(
                f"engine: {n} messages, median {engine_rate:.0f} msg/s over "
                f"{', '.join(f'{r:.0f}' for r in rates)} (devserver {args.devserver}, "
                f"concurrency {args.concurrency}, batch {args.batch}); aiogram alone, no "
                f"outbox, same concurrency: {ceiling:.0f} msg/s"
            )

            await server.set_limit(LIMIT)
            delivered, seconds, records = await phase(
                server, workdir, "limited", n_limited, rate=LIMITED_RATE, concurrency=8
            )
            await server.set_limit(None)
    assert delivered == n_limited, (delivered, n_limited)
    times = [t for t, _ in records]
    ok_times = sorted(t for t, status in records if status == 200)
    rejected = sum(1 for _, status in records if status == 429)
    limited_rate = delivered / seconds
    steady = (len(ok_times) - 1) / (ok_times[-1] - ok_times[0])
    over = sliding_over_limit(times, LIMIT)
    print(
        f"limited: {delivered} messages in {seconds:.2f} s = {limited_rate:.2f} msg/s "
        f"({limited_rate / LIMIT:.1%} of {LIMIT}/s; first-to-last send {steady:.2f} msg/s), "
        f"sender rate {LIMITED_RATE}, 429s {rejected}, sliding 1 s windows over the limit "
        f"{over}, calendar seconds over {calendar_over_limit(times, LIMIT)}"
    )
    print(
        json.dumps(
            {
                "engine_msgs_per_s": round(engine_rate, 1),
                "aiogram_only_msgs_per_s": round(ceiling, 1),
                "limit": LIMIT,
                "limited_msgs_per_s": round(limited_rate, 2),
                "over_limit_windows": over,
                "recipients": n,
                "limited_recipients": n_limited,
                "limited_429s": rejected,
                "window": "sliding 1 s, every request",
                "devserver": args.devserver,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
