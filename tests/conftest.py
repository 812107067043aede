"""Shared fixtures: settings on a temp database, a devserver, the bot fed or polling."""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.config import Settings, load_settings
from bot.kb import vectors
from bot.kb.build import build_kb
from bot.kb.search import KnowledgeBase
from bot.runner import BotRunner
from bot.storage.database import Database
from bot.storage.users import UserRepo
from devserver import DevServer
from tests.postgres import PostgresUnavailable, create_database, drop_database, postgres_server
from tests.protocol import violations

TOKEN = "123456:TEST-token"


@pytest.fixture(scope="session")
def kb_file(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The knowledge base built once from data/ (read-only for the tests that share it).

    Under pytest-xdist the workers share one build: the first to need it builds it while
    holding a lock in the run's common temp folder, the others wait and reuse it. Those
    also take its vectors into their process's memo of recent builds, as the builder has
    them, so a test that builds a KB of `data/` embeds nothing in any worker."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # the folder every worker's own temp folder is in
    path = root / "kb" / "kb.db"
    path.parent.mkdir(exist_ok=True)
    with (root / "kb.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            # the vectors of earlier runs (`VECTOR_CACHE`, by default var/vectors.db):
            # what the model gave for the same text, so a checkout embeds data/ once
            build_kb(path, vector_cache=load_settings(_env_file=None).vector_cache)
            return path
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for key, blob in conn.execute("SELECT hash, data FROM vectors"):
            vectors._memo.put(key, bytes(blob))
    finally:
        conn.close()
    return path


@pytest.fixture(scope="session")
def kb(kb_file: Path) -> KnowledgeBase:
    return KnowledgeBase(kb_file)


@pytest.fixture(scope="session")
def postgres_base() -> Iterator[str]:
    """A PostgreSQL server of the test run's own (see tests/postgres.py)."""
    try:
        with postgres_server() as base:
            yield base
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A new, migrated database on each backend: a SQLite file, and a database of its own
    on the test run's PostgreSQL server (dropped after)."""
    if request.param == "sqlite":
        db = await Database.open(tmp_path / "bot.db")
        try:
            yield db
        finally:
            await db.close()
        return
    base: str = request.getfixturevalue("postgres_base")
    name, url = await create_database(base)
    db = await Database.open(url)
    try:
        yield db
    finally:
        await db.close()
        await drop_database(base, name)


@pytest.fixture(scope="session")
def redis_base(request: pytest.FixtureRequest) -> str:
    """A redis-server of the test run's own on 127.0.0.1, in a temporary directory and
    stopped after (pytest-redis' `redis_proc`); skips where none is installed."""
    if shutil.which("redis-server") is None:
        pytest.skip(
            "redis-server is not installed (apt-get install redis-server; `make test` tries it)"
        )
    proc = request.getfixturevalue("redis_proc")
    return f"redis://{proc.host}:{proc.port}/0"


@pytest.fixture
async def redis_url(redis_base: str) -> AsyncIterator[str]:
    """The test run's Redis, emptied after each test."""
    yield redis_base
    client = Redis.from_url(redis_base)
    try:
        await client.flushall()
    finally:
        await client.aclose()


@pytest.fixture
def settings(tmp_path: Path, kb_file: Path) -> Settings:
    return load_settings(
        _env_file=None,
        bot_token=None,
        database_path=tmp_path / "bot.db",
        kb_path=kb_file,
        vector_cache=None,  # a test's builds embed what they add (the session KB's are kept)
        throttle_rate=1000.0,
        throttle_burst=1000,
        default_locale="ru",
    )


@pytest.fixture
async def devserver() -> AsyncIterator[DevServer]:
    async with DevServer() as server:
        yield server


@dataclass
class FedBot:
    """The real dispatcher, fed updates directly (no polling); the bot talks to the devserver."""

    runner: BotRunner
    server: DevServer

    @property
    def users(self) -> UserRepo:
        assert self.runner.db is not None
        return UserRepo(self.runner.db)

    async def feed(self, update: dict[str, Any]) -> None:
        assert self.runner.dp is not None and self.runner.bot is not None
        await self.runner.dp.feed_raw_update(self.runner.bot, update)


@pytest.fixture
async def fed(settings: Settings, devserver: DevServer) -> AsyncIterator[FedBot]:
    runner = BotRunner(settings, token=TOKEN, api_base=devserver.url)
    await runner.open()
    try:
        yield FedBot(runner, devserver)
    finally:
        await runner.stop()
    assert violations(devserver.calls) == []  # every call the bot made keeps Telegram's rules


@pytest.fixture
async def polling(settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    """The bot polling the devserver, handling each update before fetching the next."""
    runner = BotRunner(settings, token=TOKEN, api_base=devserver.url, handle_as_tasks=False)
    async with runner:
        await devserver.wait_for_long_poll(timeout=10)
        yield runner
    assert violations(devserver.calls) == []  # every call the bot made keeps Telegram's rules
