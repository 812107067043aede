"""The process's copy of the hot rows (`bot.storage.cache`): served from memory, never
older than a committed change, in this process and (through Redis) in the others."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import event, text

from bot.broadcast.outbox import OutboxRepo, Outcome
from bot.storage.cache import HotCache
from bot.storage.database import Database
from bot.storage.offices import DetailsRepo, OfficeRepo
from bot.storage.receptions import ReceptionRepo
from bot.storage.roles import ModeratorRepo
from bot.storage.users import UserRepo
from tests.test_knowledge import eventually


class Loads:
    """A loader that counts its calls and returns what `value` holds then."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.calls = 0

    async def __call__(self) -> object:
        self.calls += 1
        return self.value


async def test_a_value_is_loaded_once_until_evicted() -> None:
    cache, load = HotCache(), Loads("a")
    assert [await cache.get("k", load) for _ in range(3)] == ["a"] * 3
    assert load.calls == 1
    load.value = "b"
    await cache.evict(["k"])
    assert await cache.get("k", load) == "b" and load.calls == 2


async def test_a_load_that_an_eviction_overtakes_is_not_kept() -> None:
    """The row was read before a change committed: what it read may be the old row."""
    cache, started, release = HotCache(), asyncio.Event(), asyncio.Event()

    async def slow_old_row() -> str:
        started.set()
        await release.wait()
        return "old"

    reading = asyncio.create_task(cache.get("k", slow_old_row))
    await started.wait()
    await cache.evict(["k"])  # the change commits while the read is under way
    release.set()
    assert await reading == "old"  # that caller asked before the change: fine
    assert await cache.get("k", Loads("new")) == "new"  # the next one is not served "old"


async def test_entries_expire_and_the_least_recently_used_go_first() -> None:
    now = [0.0]
    cache = HotCache(size=2, ttl=10.0, clock=lambda: now[0])
    a, b, c = Loads("a"), Loads("b"), Loads("c")
    await cache.get("a", a)
    await cache.get("b", b)
    await cache.get("a", a)  # "a" is now the most recently used
    await cache.get("c", c)  # over size: "b" goes
    await cache.get("a", a)
    await cache.get("b", b)
    assert (a.calls, b.calls, c.calls) == (1, 2, 1)
    now[0] = 10.5
    await cache.get("a", a)
    assert a.calls == 2


async def test_a_disabled_cache_always_loads() -> None:
    cache, load = HotCache(enabled=False), Loads("a")
    await cache.get("k", load)
    await cache.get("k", load)
    assert load.calls == 2


def count_reads(db: Database) -> list[str]:
    """The statements the database runs from now on."""
    seen: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    return seen


async def test_the_users_row_and_the_moderator_set_are_read_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        users, moderators = UserRepo(db), ModeratorRepo(db)
        await users.touch(1, "ru")
        await moderators.add(2, 0)
        statements = count_reads(db)
        for _ in range(5):
            assert (await users.get(1)) is not None
            assert not await moderators.is_moderator(1)
            assert await moderators.is_moderator(2)
        assert len(statements) == 2  # one for the user, one for the moderator set
    finally:
        await db.close()


async def test_every_change_is_seen_at_once(database: Database) -> None:
    """On SQLite through the cache; on PostgreSQL without Redis nothing is kept (other
    instances might change the rows), and the answers are the same."""
    assert database.cache.enabled == (database.backend == "sqlite")
    users, moderators = UserRepo(database), ModeratorRepo(database)
    await users.touch(1, "ru")
    assert (await users.get(1)).locale is None  # type: ignore[union-attr]
    await users.set_locale(1, "kk")
    assert (await users.get(1)).locale == "kk"  # type: ignore[union-attr]
    await users.set_reminders(1, False)
    assert not (await users.get(1)).reminders  # type: ignore[union-attr]
    assert not await moderators.is_moderator(1)
    await moderators.add(1, 0)
    assert await moderators.is_moderator(1)
    await moderators.remove(1)
    assert not await moderators.is_moderator(1)
    # a broadcast finding the user gone marks them blocked in its own statement
    await OutboxRepo(database).record(1, [Outcome.blocked(1, "Forbidden: bot was blocked")])
    assert (await users.get(1)).blocked  # type: ignore[union-attr]
    await users.delete(1)
    assert await users.get(1) is None


async def test_the_directory_sees_every_added_office_reception_and_detail(
    database: Database,
) -> None:
    offices, receptions, details = (
        OfficeRepo(database),
        ReceptionRepo(database),
        DetailsRepo(database),
    )
    assert await offices.all() == [] and await receptions.all() == []
    assert await details.of("office:o1") == {}
    office = await offices.add(
        kind="consulate", country="KZ", city_id="kazan", name={"en": "Consulate"}, created_by=1
    )
    assert [o.id for o in await offices.all()] == [office.id]
    reception = await receptions.add(
        office_id=office.id, city_id="kazan", region_id=None, date="2026-12-01",
        services=["passport"], note={},
    )  # fmt: skip
    assert [r.id for r in await receptions.all()] == [reception.id]
    await details.put(f"office:{office.id}", "contact", "+7 000", actor=1)
    assert await details.of(f"office:{office.id}") == {"contact": "+7 000"}
    mine = await details.all()
    mine[f"office:{office.id}"]["contact"] = "changed by a caller"  # a copy of its own
    assert await details.of(f"office:{office.id}") == {"contact": "+7 000"}
    await details.put(f"office:{office.id}", "contact", None, actor=1)
    assert await details.of(f"office:{office.id}") == {}


async def test_a_change_rolled_back_or_not_yet_committed_is_not_seen(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        users = UserRepo(db)
        await users.touch(1, "ru")
        await users.set_locale(1, "ru")
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await UserRepo(tx).set_locale(1, "en")
                raise RuntimeError("the rest of the unit of work failed")
        assert (await users.get(1)).locale == "ru"  # type: ignore[union-attr]
        async with db.transaction() as tx:
            await UserRepo(tx).set_locale(1, "kk")
            assert (await users.get(1)).locale == "ru"  # type: ignore[union-attr]
        # the read above was cached with the old row; the commit evicted it
        assert (await users.get(1)).locale == "kk"  # type: ignore[union-attr]
    finally:
        await db.close()


@pytest.fixture
async def two_instances(tmp_path: Path, redis_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two processes' worth of pools on one database file, each with its own cache,
    sharing evictions through the test run's Redis."""
    first = await Database.open(tmp_path / "bot.db")
    second = await Database.open(tmp_path / "bot.db")
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    for db, client in zip((first, second), clients, strict=True):
        db.cache.share_through(client)
        db.cache.start()
    try:
        yield first, second
    finally:
        for db, client in zip((first, second), clients, strict=True):
            await db.cache.stop()
            await db.close()
            await client.aclose()


async def test_a_change_made_by_another_instance_reaches_this_ones_copy(
    two_instances: tuple[Database, Database],
) -> None:
    here, there = two_instances
    await subscribed(here)
    await UserRepo(there).touch(1, "ru")
    assert (await UserRepo(here).get(1)).locale is None  # type: ignore[union-attr]
    assert not await ModeratorRepo(here).is_moderator(1)
    await UserRepo(there).set_locale(1, "kk")
    await ModeratorRepo(there).add(1, 0)

    async def seen_here() -> bool:
        record = await UserRepo(here).get(1)
        return record is not None and record.locale == "kk"

    async with asyncio.timeout(10):  # the news comes over Redis: no event to wait on
        while not (await seen_here() and await ModeratorRepo(here).is_moderator(1)):  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def subscribed(db: Database) -> None:
    """Until `db`'s cache listens on its channel (Redis counts the subscribers)."""
    client = db.cache._redis
    assert client is not None
    async with asyncio.timeout(10):
        while True:
            [(_, count)] = await client.pubsub_numsub("dostyq:cache-evict")
            if count >= 2:
                return
            await asyncio.sleep(0.02)


async def test_the_copy_is_cleared_when_the_channel_comes_back(
    two_instances: tuple[Database, Database],
) -> None:
    """Evictions published while a process was not listening are lost to it: it starts
    again from the database."""
    here, _there = two_instances
    await subscribed(here)
    await UserRepo(here).touch(1, "ru")
    assert (await UserRepo(here).get(1)).locale is None  # type: ignore[union-attr]
    async with here.engine.begin() as conn:  # as if another instance's news were missed
        await conn.execute(text("UPDATE users SET locale = 'en' WHERE id = 1"))
    assert (await UserRepo(here).get(1)).locale is None  # type: ignore[union-attr]
    client = here.cache._redis
    assert client is not None
    await client.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
    await eventually(lambda: not here.cache._entries)
