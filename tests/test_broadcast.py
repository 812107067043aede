"""Broadcasts against the devserver: outbox, faults, crash/resume, lease, limits, reports."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot

from bot.app import create_bot
from bot.broadcast import (
    AnnouncementStatus,
    Audience,
    BroadcastBusy,
    BroadcastNotReady,
    OutboxRepo,
    Recipient,
    Report,
    RowStatus,
    run_broadcast,
    watch,
)
from bot.broadcast.audience import count, resolve
from bot.broadcast.outbox import Outcome
from bot.broadcast.ratelimit import RateLimiter, SendLimiter
from bot.storage.database import Database
from devserver import DevServer
from tests import sql
from tests.test_scale import busiest_second

TOKEN = "123456:TEST-token"
SENDERS = 8  # concurrent sends of the cancel test's broadcast
ROOT = Path(__file__).resolve().parent.parent
LANGS = ("ru", "kk", "en")
TEXTS = {
    "ru": "Встреча соотечественников <в Омске> & концерт",
    "kk": "Отандастар кездесуі <Омбыда> & концерт",
    "en": "Compatriots meet <in Omsk> & a concert",
}


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def bot(devserver: DevServer) -> AsyncIterator[Bot]:
    instance = create_bot(TOKEN, devserver.url)
    try:
        yield instance
    finally:
        await instance.session.close()


async def add_users(
    db: Database,
    users: Iterable[tuple[int, str | None, str | None]],
    *,
    topic: str | None = None,
    region: str | None = None,
    blocked: Iterable[int] = (),
) -> None:
    """Users (id, locale, tg_language), optionally all subscribed to a topic/region."""
    rows = list(users)
    now = "2025-01-01T00:00:00+00:00"
    await sql.executemany(
        db,
        "INSERT INTO users (id, locale, tg_language, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)",
        [(uid, locale, tg, now, now) for uid, locale, tg in rows],
    )
    for kind, key in (("topic", topic), ("region", region)):
        if key is not None:
            await sql.executemany(
                db,
                "INSERT INTO subscriptions (user_id, kind, key, created_at) VALUES (?, ?, ?, ?)",
                [(uid, kind, key, now) for uid, _, _ in rows],
            )
    if blocked := [(u,) for u in blocked]:
        await sql.executemany(db, "UPDATE users SET blocked = 1 WHERE id = ?", blocked)


def three_languages(ids: Iterable[int]) -> list[tuple[int, str | None, str | None]]:
    """Round-robin ru/kk/en; every fourth user never chose, Telegram's language decides."""
    users: list[tuple[int, str | None, str | None]] = []
    for n, uid in enumerate(ids):
        lang = LANGS[n % 3]
        users.append((uid, None, f"{lang}-XX") if n % 4 == 0 else (uid, lang, "de"))
    return users


async def scheduled(
    db: Database, audience: Audience, texts: dict[str, str] = TEXTS, **extra: Any
) -> int:
    repo = OutboxRepo(db)
    announcement = await repo.create(audience=audience, texts=texts, created_by=1, **extra)
    assert await repo.approve(announcement.id, approved_by=2)
    return announcement.id


def ok_sends(server: DevServer, method: str = "sendMessage") -> Counter[int]:
    return Counter(int(r.chat_id) for r in server.get_calls(method) if r.ok)  # type: ignore[arg-type]


async def row_statuses(db: Database, aid: int) -> dict[int, tuple[str, int, str | None]]:
    rows = await sql.fetchall(
        db,
        "SELECT user_id, status, attempts, last_error FROM outbox WHERE announcement_id = ?",
        aid,
    )
    return {int(r[0]): (r[1], int(r[2]), r[3]) for r in rows}


async def scalar(db: Database, query: str, *params: Any) -> Any:
    row = await sql.fetchone(db, query, *params)
    assert row is not None
    return row[0]


# -- the whole path ----------------------------------------------------------------
async def test_500_subscribers_with_429_403_400(
    db: Database, bot: Bot, devserver: DevServer
) -> None:
    ids = list(range(1001, 1501))
    await add_users(db, three_languages(ids), topic="heritage")
    await add_users(db, [(2001, "ru", None)])  # not subscribed
    await add_users(db, [(2002, "ru", None)], topic="heritage", blocked=[2002])
    forbidden = set(ids[7::25])  # 20 users blocked the bot
    missing = set(ids[11::33]) - forbidden  # 15 chats are gone
    for chat in forbidden:
        devserver.faults.add("forbidden", chat_id=chat)
    for chat in missing:
        devserver.faults.add("chat_not_found", chat_id=chat)
    devserver.faults.add("retry_after", probability=0.05, times=3, retry_after=1)
    aid = await scheduled(db, Audience.topic("heritage"))
    progress: list[Report] = []

    # max_attempts=1: a 429 must not use an attempt, or rows would fail here.
    report = await run_broadcast(
        bot, db, aid, owner="t", rate=5000, concurrency=8, max_attempts=1, progress=progress.append
    )

    calls = devserver.get_calls("sendMessage")
    throttled = [r for r in calls if r.status == 429]
    assert len(throttled) == 3
    sent = ok_sends(devserver)
    reachable = set(ids) - forbidden - missing
    assert set(sent) == reachable and set(sent.values()) == {1}  # exactly one each
    assert not {2001, 2002} & {int(r.chat_id) for r in calls}  # type: ignore[arg-type]
    for uid, locale, tg in three_languages(ids):
        if uid in reachable:
            lang = locale or (tg or "")[:2]
            [message] = devserver.messages_to(uid)
            assert message.text == TEXTS[lang]  # escaped for HTML, arrives as typed

    # every sender paused on a 429 (only requests already in flight may follow it)
    for record in throttled:
        during = [r for r in calls if record.time + 0.15 < r.time < record.time + 0.9]
        assert during == []

    assert report.status is AnnouncementStatus.DONE and report.finished
    assert report.delivered == len(reachable) == sum(sent.values())
    assert report.blocked == len(forbidden) and report.failed == len(missing)
    assert report.skipped == report.pending == 0 and report.total == len(ids)
    by_lang = Counter(
        (locale or (tg or "")[:2]) for uid, locale, tg in three_languages(ids) if uid in reachable
    )
    assert {lang: c.delivered for lang, c in report.by_language.items()} == dict(by_lang)
    assert progress and progress[-1] == report

    for uid in forbidden:
        assert await scalar(db, "SELECT blocked FROM users WHERE id = ?", uid) == 1
    assert await scalar(db, "SELECT COUNT(*) FROM users WHERE blocked = 1") == len(forbidden) + 1
    subscribed = await sql.fetchall(db, "SELECT DISTINCT user_id FROM subscriptions")
    assert not forbidden & {int(r[0]) for r in subscribed}  # unsubscribed
    assert await scalar(db, "SELECT COUNT(*) FROM subscriptions") == len(ids) + 1 - len(forbidden)
    rows = await row_statuses(db, aid)
    assert {rows[u][2] for u in missing} == {"Bad Request: chat not found"}
    lease = await scalar(db, "SELECT lease_owner FROM announcements WHERE id = ?", aid)
    assert lease is None


# -- crashes -----------------------------------------------------------------------
async def _resume_after_crash(
    db: Database, bot: Bot, devserver: DevServer, aid: int, n_users: int, concurrency: int
) -> None:
    """Common checks: the crashed owner left its lease and claimed rows; another runner
    helps at once (the lease still holds), takes the dead one's rows back when their
    claims expire, finishes, and nobody is missed or sent more than `concurrency` extras."""
    repo = OutboxRepo(db)
    crashed = await repo.get(aid)
    assert crashed is not None and crashed.lease_owner is not None
    assert crashed.status is AnnouncementStatus.SENDING
    before = ok_sends(devserver)
    assert 0 < sum(before.values()) < n_users
    assert crashed.lease_until is not None and crashed.lease_until > time.time()
    assert await scalar(db, "SELECT count(*) FROM outbox WHERE status = 'sending'") > 0

    report = await run_broadcast(
        bot, db, aid, owner="survivor", rate=5000, concurrency=concurrency, lease_ttl=1.0
    )

    sent = ok_sends(devserver)
    assert len(sent) == n_users  # nobody missed
    duplicates = sum(n - 1 for n in sent.values())
    assert duplicates <= concurrency
    assert report.status is AnnouncementStatus.DONE
    assert report.delivered == n_users and report.pending == 0


async def test_crash_mid_run_then_another_owner_resumes(
    tmp_path: Path, db: Database, bot: Bot, devserver: DevServer
) -> None:
    n = 300
    await add_users(db, three_languages(range(1, n + 1)))
    aid = await scheduled(db, Audience.everyone())
    crashing_db = await Database.open(tmp_path / "bot.db")  # the "other process"
    crashing_bot = create_bot(TOKEN, devserver.url)
    task = asyncio.create_task(
        run_broadcast(
            crashing_bot, crashing_db, aid, owner="doomed", rate=400, concurrency=4, lease_ttl=1.0
        )
    )
    await devserver.wait_for_calls("sendMessage", lambda r: r.ok, count=100, timeout=10)
    # Crash: the database goes first (no cleanup can reach it), then the task dies.
    await crashing_db.close()
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    assert task.done()
    # What a dead process's connections do: go away (the ones the cancelled task still
    # held were returned after the close; no unit of work of its ran after it). A
    # statement the cancellation cut short rolled its transaction back as its connection
    # was dropped (tests/test_database.py), so no lock outlives the task.
    await crashing_db.engine.dispose()
    await crashing_bot.session.close()
    assert await scalar(db, "SELECT COUNT(*) FROM outbox WHERE status = 'sending'") > 0

    await _resume_after_crash(db, bot, devserver, aid, n, concurrency=4)


_CHILD = """
import asyncio, sys
from pathlib import Path
from bot.app import create_bot
from bot.broadcast import run_broadcast
from bot.storage.database import Database

async def main() -> None:
    db = await Database.open(Path(sys.argv[1]))
    bot = create_bot(sys.argv[2], sys.argv[3])
    await run_broadcast(bot, db, int(sys.argv[4]), owner="child", rate=150, concurrency=4,
                        lease_ttl=1.0)

asyncio.run(main())
"""


@pytest.mark.slow
async def test_sigkill_mid_run_then_resume(
    tmp_path: Path, db: Database, bot: Bot, devserver: DevServer
) -> None:
    n = 300
    await add_users(db, three_languages(range(1, n + 1)))
    aid = await scheduled(db, Audience.everyone())
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _CHILD,
        str(tmp_path / "bot.db"),
        TOKEN,
        devserver.url,
        str(aid),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        # Generous: on a loaded machine the child spends seconds importing before it sends.
        await devserver.wait_for_calls("sendMessage", lambda r: r.ok, count=100, timeout=60)
    finally:
        if proc.returncode is None:
            proc.kill()  # SIGKILL: no cleanup at all
        await proc.wait()
    assert proc.returncode == -9, "the child ended before it was killed"

    await _resume_after_crash(db, bot, devserver, aid, n, concurrency=4)


# -- the lease ---------------------------------------------------------------------
async def test_two_runners_only_one_sends(
    tmp_path: Path, db: Database, bot: Bot, devserver: DevServer
) -> None:
    n = 120
    await add_users(db, three_languages(range(1, n + 1)))
    aid = await scheduled(db, Audience.everyone())
    other_db = await Database.open(tmp_path / "bot.db")
    other_bot = create_bot(TOKEN, devserver.url)
    try:
        results = await asyncio.gather(
            run_broadcast(bot, db, aid, owner="first", rate=1000),
            run_broadcast(other_bot, other_db, aid, owner="second", rate=1000),
            return_exceptions=True,
        )
        again = await run_broadcast(other_bot, other_db, aid, owner="second", rate=1000)
    finally:
        await other_db.close()
        await other_bot.session.close()

    reports = [r for r in results if isinstance(r, Report)]
    busy = [r for r in results if isinstance(r, BroadcastBusy)]
    assert len(reports) == 1 and len(busy) == 1
    assert reports[0].delivered == n
    sent = ok_sends(devserver)
    assert len(sent) == n and set(sent.values()) == {1}
    # finished: a later run reports without sending
    assert again.status is AnnouncementStatus.DONE and again.delivered == n
    assert sum(ok_sends(devserver).values()) == n


async def test_lease_rules(db: Database) -> None:
    aid = await scheduled(db, Audience.everyone())
    repo = OutboxRepo(db)
    assert await repo.acquire_lease(aid, "a", ttl=10, now=100.0)
    assert not await repo.acquire_lease(aid, "b", ttl=10, now=105.0)
    assert await repo.acquire_lease(aid, "a", ttl=10, now=105.0)  # ours: re-entrant
    assert await repo.renew_lease(aid, "a", ttl=10, now=106.0)
    assert not await repo.renew_lease(aid, "b", ttl=10, now=106.0)
    assert await repo.acquire_lease(aid, "b", ttl=10, now=116.5)  # expired: taken over
    assert not await repo.renew_lease(aid, "a", ttl=10, now=117.0)
    assert not await repo.release_lease(aid, "a")
    assert await repo.release_lease(aid, "b")
    assert await repo.acquire_lease(aid, "c", ttl=10, now=117.0)


async def test_not_ready_announcements_are_refused(db: Database, bot: Bot) -> None:
    repo = OutboxRepo(db)
    draft = await repo.create(audience=Audience.everyone(), texts=TEXTS)
    with pytest.raises(BroadcastNotReady):
        await run_broadcast(bot, db, draft.id, owner="t")
    assert await repo.submit(draft.id)
    with pytest.raises(BroadcastNotReady):
        await run_broadcast(bot, db, draft.id, owner="t")
    later = time.time() + 3600
    assert await repo.approve(draft.id, approved_by=9, send_at=datetime.fromtimestamp(later, UTC))
    with pytest.raises(BroadcastNotReady):
        await run_broadcast(bot, db, draft.id, owner="t")
    assert await repo.runnable(time.time()) == []
    assert await repo.runnable(later + 1) == [draft.id]
    with pytest.raises(ValueError):
        await repo.create(audience=Audience.everyone(), texts={"ru": "x"}, link="javascript:1")
    with pytest.raises(ValueError):
        await repo.create(audience=Audience.everyone(), texts={"ru": "x"}, fallback="kk")
    with pytest.raises(ValueError):
        await repo.create(audience=Audience.everyone(), texts={"ru": "x" * 1025}, photo="p")


# -- retries -----------------------------------------------------------------------
async def test_5xx_and_timeouts_retried_with_backoff_then_delivered_or_failed(
    db: Database, bot: Bot, devserver: DevServer
) -> None:
    await add_users(db, [(1, "ru", None), (2, "kk", None), (3, "en", None), (4, "en", None)])
    devserver.faults.add("server_error", chat_id=1, times=2)
    devserver.faults.add("server_error", chat_id=2, status=502)  # never recovers
    devserver.faults.add("latency", chat_id=3, latency_ms=1500, times=1)  # request times out
    aid = await scheduled(db, Audience.everyone())

    report = await run_broadcast(
        bot, db, aid, owner="t", max_attempts=3, backoff_base=0.05, request_timeout=1
    )

    rows = await row_statuses(db, aid)
    assert rows[1][:2] == ("sent", 3)
    assert rows[2][:2] == ("failed", 3) and "Bad Gateway" in (rows[2][2] or "")
    assert rows[3][:2] == ("sent", 2) and "timeout" in (rows[3][2] or "").lower()
    assert rows[4][:2] == ("sent", 1)
    first = [r.status for r in devserver.get_calls("sendMessage", chat_id=1)]
    assert first == [500, 500, 200]
    failing = devserver.get_calls("sendMessage", chat_id=2)
    assert [r.status for r in failing] == [502, 502, 502]
    gaps = [b.time - a.time for a, b in itertools.pairwise(failing)]
    assert gaps[0] >= 0.025 and gaps[1] >= 0.05  # base * 2**(n-1), jittered down to half
    assert (report.delivered, report.failed, report.blocked) == (3, 1, 0)
    assert report.status is AnnouncementStatus.DONE


# -- the rate limit ----------------------------------------------------------------
async def test_rate_below_telegram_limit_gets_no_429(
    db: Database, bot: Bot, devserver: DevServer
) -> None:
    n = 60
    await add_users(db, three_languages(range(1, n + 1)))
    devserver.set_limits(True, global_per_second=30, private_per_second=1)
    aid = await scheduled(db, Audience.everyone())

    report = await run_broadcast(bot, db, aid, owner="t", rate=25, concurrency=4)

    calls = devserver.get_calls("sendMessage")
    assert [r for r in calls if r.status == 429] == []
    assert report.delivered == n
    times = sorted(r.time for r in calls)
    assert busiest_second(times) <= 25
    elapsed = times[-1] - times[0]
    assert elapsed >= (n - 1) / 25 * 0.9  # paced, not bursted


@pytest.mark.looptime  # the loop's clock is fake: sleeps take no real time, stamps are exact
async def test_rate_limiter_pause_holds_waiting_senders() -> None:
    loop = asyncio.get_running_loop()
    limiter = RateLimiter(100, clock=loop.time)
    started = loop.time()
    stamps: list[float] = []

    async def one() -> None:
        assert await limiter.acquire()
        stamps.append(round(loop.time() - started, 6))

    tasks = [asyncio.create_task(one()) for _ in range(5)]
    await asyncio.sleep(0)  # all five have reserved their slots (10 ms apart)
    await limiter.pause_for(0.2)
    await asyncio.gather(*tasks)
    # the first slot was now; the four waiting ones give theirs up and, after the pause,
    # take new ones, still 10 ms apart
    assert stamps == [0.0, 0.2, 0.21, 0.22, 0.23]
    stop = asyncio.Event()
    stop.set()
    assert await limiter.acquire(stop) is None


async def arrivals_through_a_stall(limiters: Sequence[SendLimiter]) -> list[float]:
    """When a server saw each send, for four senders per limiter sending ten each, the
    server stopping for 0.4 s and then taking every waiting request at once, as a busy
    Bot API server (or our devserver on a loaded machine) does. Sends paced at the rate
    alone would arrive bunched: the stalled ones and a full second's worth after them in
    one window."""
    clock = asyncio.get_running_loop().time  # the limiters' clock: fake under looptime
    arrivals: list[float] = []
    stall_from = clock() + 0.5
    stall_until = stall_from + 0.4

    async def server() -> None:
        if stall_from <= clock() < stall_until:
            await asyncio.sleep(stall_until - clock())
        arrivals.append(clock())
        await asyncio.sleep(0.005)  # the answer's way back

    async def sender(limiter: SendLimiter) -> None:
        for _ in range(10):
            ticket = await limiter.acquire()
            assert ticket is not None
            await server()
            await limiter.release(ticket)

    await asyncio.gather(*(sender(limiter) for limiter in limiters for _ in range(4)))
    assert len(arrivals) == 40 * len(limiters)
    assert sum(1 for t in arrivals if abs(t - stall_until) < 0.05) > 3  # it did bunch
    return arrivals


@pytest.mark.looptime
async def test_a_stalled_server_never_sees_more_than_the_rate() -> None:
    rate = 20.0
    limiter = RateLimiter(rate, clock=asyncio.get_running_loop().time)
    assert busiest_second(await arrivals_through_a_stall([limiter])) <= rate


# -- languages, content ------------------------------------------------------------
@pytest.mark.parametrize("fallback", [None, "ru"])
async def test_language_without_text_is_skipped_or_gets_the_fallback(
    db: Database, bot: Bot, devserver: DevServer, fallback: str | None
) -> None:
    users = three_languages(range(1, 31))
    await add_users(db, users)
    texts = {"ru": TEXTS["ru"], "en": TEXTS["en"]}
    aid = await scheduled(db, Audience.everyone(), texts, fallback=fallback)

    report = await run_broadcast(bot, db, aid, owner="t", rate=1000)

    kazakh = {uid for uid, locale, tg in users if (locale or (tg or "")[:2]) == "kk"}
    sent = ok_sends(devserver)
    kk = report.by_language["kk"]
    if fallback is None:
        assert set(sent) == {uid for uid, _, _ in users} - kazakh
        assert kk.skipped == len(kazakh) and kk.delivered == 0 and report.skipped == len(kazakh)
    else:
        assert set(sent) == {uid for uid, _, _ in users}
        for uid in kazakh:
            assert devserver.messages_to(uid)[0].text == TEXTS["ru"]
        assert kk.delivered == len(kazakh) and report.skipped == 0
    assert report.status is AnnouncementStatus.DONE


async def test_photo_caption_and_link_button(db: Database, bot: Bot, devserver: DevServer) -> None:
    await add_users(db, [(1, "kk", None), (2, "en", None)])
    aid = await scheduled(
        db,
        Audience.everyone(),
        photo="https://example.org/poster.jpg",
        link="https://example.org/concert?a=1&b=2",
    )
    report = await run_broadcast(bot, db, aid, owner="t")
    assert report.delivered == 2 and devserver.get_calls("sendMessage") == []
    [message] = devserver.messages_to(1)
    assert message.data["caption"] == TEXTS["kk"]
    assert message.reply_markup == {
        "inline_keyboard": [[{"text": "Толығырақ", "url": "https://example.org/concert?a=1&b=2"}]]
    }


# -- audiences -----------------------------------------------------------------------
async def test_audiences(db: Database) -> None:
    await add_users(db, [(1, "kk", "ru"), (2, None, "kk-KZ"), (3, None, "de"), (4, "en", None)])
    await add_users(db, [(5, "kk", None), (6, "ru", None)], region="omsk", blocked=[6])
    await add_users(db, [(7, None, "en-GB")], topic="stalingrad")
    conn = db
    everyone = await resolve(conn, Audience.everyone(), default_locale="ru")
    assert [r.user_id for r in everyone] == [1, 2, 3, 4, 5, 7]
    assert Recipient(3, "ru") in everyone and Recipient(7, "en") in everyone
    kazakh = await resolve(conn, Audience.language("kk"))
    assert [r.user_id for r in kazakh] == [1, 2, 5]
    assert await resolve(conn, Audience.region("omsk")) == [Recipient(5, "kk")]
    assert await resolve(conn, Audience.topic("stalingrad")) == [Recipient(7, "en")]
    assert await count(conn, Audience.everyone()) == {"ru": 1, "kk": 3, "en": 2}
    assert Audience.from_json(Audience.region("omsk").to_json()) == Audience.region("omsk")
    with pytest.raises(ValueError):
        Audience.language("de")


async def test_enqueue_is_idempotent_and_claims_are_disjoint(db: Database) -> None:
    await add_users(db, three_languages(range(1, 21)))
    aid = await scheduled(db, Audience.everyone())
    repo = OutboxRepo(db)
    recipients = await resolve(db, Audience.everyone())
    assert await repo.begin(aid, recipients) == 20
    assert await repo.enqueue(aid, recipients) == 0
    a = await repo.claim(aid, 8, now=time.time())
    b = await repo.claim(aid, 8, now=time.time())
    c = await repo.claim(aid, 8, now=time.time())
    ids = [r.user_id for r in (*a, *b, *c)]
    assert len(ids) == len(set(ids)) == 20 and len(c) == 4
    await repo.record(aid, [Outcome.retry(a[0].user_id, "500", not_before=time.time() + 60)])
    assert await repo.recover(aid) == 19
    claimed = await repo.claim(aid, 100, now=time.time())
    assert len(claimed) == 19 and a[0].user_id not in {r.user_id for r in claimed}
    assert await repo.release(aid, [r.user_id for r in claimed]) == 19
    counts = await repo.counts(aid)
    assert sum(s.get(RowStatus.PENDING, 0) for s in counts.values()) == 20


# -- cancellation and progress ---------------------------------------------------------
async def test_cancel_stops_a_running_broadcast(
    db: Database, bot: Bot, devserver: DevServer
) -> None:
    n = 100
    await add_users(db, three_languages(range(1, n + 1)))
    aid = await scheduled(db, Audience.everyone())
    repo = OutboxRepo(db)
    task = asyncio.create_task(
        run_broadcast(bot, db, aid, owner="t", rate=40, check_interval=0.1, concurrency=SENDERS)
    )
    await devserver.wait_for_calls("sendMessage", lambda r: r.ok, count=10, timeout=30)
    assert await repo.cancel(aid)
    mark = devserver.marker()
    report = await asyncio.wait_for(task, timeout=30)
    # it stops at once: only sends already under way when it was cancelled go out
    assert len(devserver.get_calls("sendMessage", since=mark)) <= SENDERS
    assert report.status is AnnouncementStatus.CANCELLED and report.finished
    assert report.delivered == sum(ok_sends(devserver).values()) < n
    assert report.pending == n - report.delivered
    assert await scalar(db, "SELECT COUNT(*) FROM outbox WHERE status = 'sending'") == 0
    assert not await repo.cancel(aid)
    again = await run_broadcast(bot, db, aid, owner="t")  # nothing more goes out
    assert again.delivered == report.delivered


async def test_progress_is_throttled_and_watch_follows_to_the_end(
    db: Database, bot: Bot, devserver: DevServer
) -> None:
    n = 60
    await add_users(db, three_languages(range(1, n + 1)))
    aid = await scheduled(db, Audience.everyone())
    seen: list[tuple[float, Report]] = []

    async def on_progress(report: Report) -> None:
        seen.append((time.monotonic(), report))

    async def follow() -> list[Report]:
        return [r async for r in watch(OutboxRepo(db), aid, interval=0.1)]

    watcher = asyncio.create_task(follow())
    report = await run_broadcast(
        bot,
        db,
        aid,
        owner="t",
        rate=60,
        progress=on_progress,
        progress_interval=0.25,
        check_interval=0.05,
    )
    watched = await asyncio.wait_for(watcher, timeout=5)

    assert len(seen) >= 3 and seen[-1][1] == report
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(seen[:-1])]
    assert all(gap >= 0.24 for gap in gaps)
    delivered = [r.delivered for _, r in seen]
    assert delivered == sorted(delivered) and delivered[-1] == n
    assert watched[-1].status is AnnouncementStatus.DONE and watched[-1].delivered == n
    assert report.final_numbers()["by_language"]["kk"]["delivered"] == n // 3
