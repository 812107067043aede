"""Several instances sharing one Redis (a real redis-server the test run starts): the
send rate and flood limits hold across instances, news of new documents reaches the
others at once, and a wizard begun on one instance continues on another."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.config import Settings
from bot.kb.ingest import parse_news
from bot.kb.places import Gazetteer
from bot.kb.search import KnowledgeBase
from bot.kb.sources import DATA_DIR, INGESTED, load_places
from bot.runner import BotRunner
from bot.services.documents import DocumentService
from bot.services.knowledge import KnowledgeSync, prepare_kb
from bot.shared.ratelimit import RedisRateLimiter
from bot.shared.throttle import RedisBuckets
from bot.storage.database import Database
from bot.storage.roles import ModeratorRepo
from devserver import DevServer
from tests.test_broadcast import arrivals_through_a_stall
from tests.test_knowledge import NEWS, QUESTION, eventually
from tests.test_scale import busiest_second
from tests.test_webhook import TOKEN, webhook_settings

ADMIN, MODERATOR = 6300, 6301


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_the_send_rate_holds_across_instances(redis: Redis) -> None:
    """Three instances' limiters, four senders each, 20/s between them all."""
    rate = 20.0
    instances = [RedisRateLimiter(redis, rate) for _ in range(3)]
    stamps: list[float] = []

    async def sender(limiter: RedisRateLimiter, sends: int) -> None:
        for _ in range(sends):
            ticket = await limiter.acquire()
            assert ticket is not None
            stamps.append(time.monotonic())
            await limiter.release(ticket)

    await asyncio.gather(*(sender(limiter, 5) for limiter in instances for _ in range(4)))
    assert len(stamps) == 60
    assert busiest_second(stamps) <= rate  # never the 3 × 20 three local limiters allow


async def test_a_stalled_server_never_sees_more_than_the_rate(redis: Redis) -> None:
    """Three instances, four senders each, through a server that stalls."""
    rate = 30.0
    arrivals = await arrivals_through_a_stall([RedisRateLimiter(redis, rate) for _ in range(3)])
    assert busiest_second(arrivals) <= rate


async def test_a_429_seen_by_one_instance_pauses_them_all(redis: Redis) -> None:
    one, other = RedisRateLimiter(redis, 50.0), RedisRateLimiter(redis, 50.0)
    await one.pause_for(30)
    stop = asyncio.Event()
    waiting = asyncio.create_task(other.acquire(stop))
    await asyncio.sleep(0.3)
    assert not waiting.done()  # held back by the other instance's pause
    stop.set()
    assert await waiting is None
    assert one.pauses == 1


async def test_flood_limits_hold_across_instances(redis: Redis) -> None:
    """A user whose updates land on three instances in turn gets the burst once, not
    three times, and one notice."""
    instances = [RedisBuckets(redis, rate=0.01, burst=5) for _ in range(3)]
    results = [await instances[n % 3].allow(4242) for n in range(12)]
    assert [allowed for allowed, _ in results] == [True] * 5 + [False] * 7
    assert [notify for _, notify in results] == [False] * 5 + [True] + [False] * 6
    assert (await instances[0].allow(4243))[0]  # another user has a bucket of their own


async def test_news_of_new_documents_reaches_the_others_at_once(
    database: Database, settings: Settings, redis: Redis, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns(INGESTED))
    processes = []
    for name in ("a", "b"):
        # polling once an hour: only the news can bring the document in time
        own = settings.model_copy(
            update={
                "data_dir": data,
                "kb_path": tmp_path / f"{name}.db",
                "embedder": "none",
                "kb_sync_s": 3600.0,
            }
        )
        await prepare_kb(database, own)
        kb = KnowledgeBase(own.kb_path)
        processes.append((kb, KnowledgeSync(database, own, kb, redis)))
    (first, first_sync), (second, second_sync) = processes
    second_sync.start()
    try:
        await asyncio.sleep(0.2)  # subscribed
        doc = parse_news(NEWS, source="festival.txt", gazetteer=Gazetteer(load_places(data)))
        await DocumentService(database, first_sync).ingest(ADMIN, doc)
        await eventually(lambda: second.document(doc.id) is not None)
    finally:
        await second_sync.stop()
    best = second.search(QUESTION, "ru").best
    assert best is not None and best.doc_id == doc.id
    first.close()
    second.close()


async def test_a_wizard_begun_on_one_instance_continues_on_another(
    settings: Settings, devserver: DevServer, redis_url: str, tmp_path: Path
) -> None:
    """Two webhook instances on one database and one Redis behind the devserver, which
    delivers to them in turn: the admin's "add a moderator" press lands on one, the
    id they type on the other, and the moderator is added."""
    shared = settings.model_copy(
        update={"admin_ids": (ADMIN,), "redis_url": redis_url, "database_path": tmp_path / "b.db"}
    )
    first = BotRunner(webhook_settings(shared), token=TOKEN, api_base=devserver.url)
    await first.start()
    await devserver.wait_for_calls("setWebhook", timeout=30)  # listening: the second
    second = BotRunner(webhook_settings(shared), token=TOKEN, api_base=devserver.url)
    async with second:
        await devserver.wait_for_calls("setWebhook", count=2, timeout=30)  # cannot take its port
        urls = [r.settings.webhook_url for r in (first, second)]
        devserver.webhook.spread_over([u for u in urls if u])
        mark = devserver.marker()
        update = devserver.inject.message(ADMIN, "/start", language_code="en")
        await devserver.wait_consumed(update, timeout=15)
        update = devserver.inject.callback(ADMIN, "mdm:add:0", check_button=False)
        await devserver.wait_consumed(update, timeout=15)
        async with Redis.from_url(redis_url) as client:  # the wizard's state is in Redis
            assert await client.keys(f"dostyq:fsm:*{ADMIN}*:state")
        update = devserver.inject.message(ADMIN, str(MODERATOR), language_code="en")
        await devserver.wait_consumed(update, timeout=15)
        assert first.db is not None
        assert await ModeratorRepo(first.db).all() == [MODERATOR]
        assert f"Added {MODERATOR}" in (devserver.messages_to(ADMIN)[-1].text or "")
        assert len(devserver.get_calls("sendMessage", since=mark)) >= 2
        handled = [handled_updates(r) for r in (first, second)]
        assert sum(handled) == 3 and min(handled) >= 1  # both instances took part
    await first.stop()


def handled_updates(runner: BotRunner) -> float:
    assert runner.dp is not None
    sample = runner.dp["metrics"].registry.get_sample_value
    return sum(
        sample("dostyq_updates_total", {"type": t}) or 0 for t in ("message", "callback_query")
    )
