"""Repositories on both backends: users, moderators and the audit log, subscriptions,
questions and feedback, receptions, outbox claims."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.broadcast import Audience, OutboxRepo
from bot.broadcast.models import Recipient
from bot.broadcast.outbox import Outcome
from bot.storage.database import Database
from bot.storage.questions import QuestionRepo
from bot.storage.receptions import ReceptionRepo
from bot.storage.roles import AuditRepo, ModeratorRepo
from bot.storage.subscriptions import SubscriptionRepo
from bot.storage.users import UserRepo

TELEGRAM_ID = 7_000_000_123  # beyond 32 bits, as Telegram's ids are


async def test_users_repository_round_trip(database: Database) -> None:
    users = UserRepo(database)
    first = await users.touch(TELEGRAM_ID, "ru")
    assert first.locale is None and not first.blocked and first.tg_language == "ru"
    await users.set_locale(TELEGRAM_ID, "kk")
    await users.set_blocked(TELEGRAM_ID)
    record = await users.get(TELEGRAM_ID)
    assert record is not None and record.locale == "kk" and record.blocked
    again = await users.touch(TELEGRAM_ID, None)  # writing again means they can be reached
    assert not again.blocked and again.locale == "kk" and again.tg_language == "ru"
    assert again.first_seen == first.first_seen
    assert await users.delete(TELEGRAM_ID) is True
    assert await users.get(TELEGRAM_ID) is None
    assert await users.delete(TELEGRAM_ID) is False


async def test_an_update_writes_the_user_row_only_when_it_must(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = UserRepo(database)
    first = await repo.seen(42, "kk")  # first contact: written
    assert first.tg_language == "kk"
    writes: list[int] = []
    real_touch = repo.touch

    async def counted(user_id: int, tg_language: str | None) -> Any:
        writes.append(user_id)
        return await real_touch(user_id, tg_language)

    monkeypatch.setattr(repo, "touch", counted)
    assert await repo.seen(42, "kk") == first and writes == []  # nothing new: read only
    assert (await repo.seen(42, None)).tg_language == "kk" and writes == []
    assert (await repo.seen(42, "ru")).tg_language == "ru" and writes == [42]  # new language
    await repo.set_blocked(42)
    assert not (await repo.seen(42, "ru")).blocked and writes == [42, 42]  # came back
    monkeypatch.setattr("bot.storage.users.SEEN_EVERY_S", -1)  # last seen "long ago"
    await repo.seen(42, "ru")
    assert writes == [42, 42, 42]


async def test_forgetting_a_user_removes_what_hangs_on_them(database: Database) -> None:
    await UserRepo(database).touch(1, "ru")
    questions = QuestionRepo(database)
    qid = await questions.add(1, "Асық ату деген не?", "kk", answered=False, passage_id=None)
    await questions.vote(qid, 5, 1)
    await questions.vote(qid, 5, -1)  # voting again changes the vote
    await SubscriptionRepo(database).subscribe(1, "region", "zhetysu")
    assert await questions.unanswered() == [("Асық ату деген не?", "kk", 1)]
    assert await UserRepo(database).delete(1)
    assert await questions.get(qid) is None
    assert await questions.unanswered() == []
    assert await SubscriptionRepo(database).of_user(1) == set()


async def test_subscriptions_toggle_and_reach_only_reachable_users(database: Database) -> None:
    users, subs = UserRepo(database), SubscriptionRepo(database)
    for uid in (1, 2, 3):
        await users.touch(uid, None)
    assert await subs.toggle(1, "region", "zhetysu") is True
    assert await subs.toggle(1, "region", "zhetysu") is False
    await subs.subscribe(1, "region", "zhetysu")
    await subs.subscribe(1, "region", "zhetysu")  # twice: still one
    await subs.subscribe(2, "topic", "consular")
    await subs.subscribe(3, "topic", "consular")
    await users.set_blocked(3)
    found = await subs.subscribers(regions=["zhetysu"], topics=["consular"])
    assert found == [(1, None), (2, None)]
    assert await subs.of_user(1) == {("region", "zhetysu")}


async def test_questions_gaps_fold_case_and_spacing(database: Database) -> None:
    await UserRepo(database).touch(1, None)
    questions = QuestionRepo(database)
    for text in ("Погода на Марсе?", "погода  на марсе?", "Зоопарк?"):
        await questions.add(1, text, "ru", answered=False, passage_id=None)
    await questions.add(1, "Асық ату?", "kk", answered=True, passage_id=3)
    assert await questions.unanswered() == [("Погода на Марсе?", "ru", 2), ("Зоопарк?", "ru", 1)]


async def test_moderators_and_audit(database: Database) -> None:
    moderators, audit = ModeratorRepo(database), AuditRepo(database)
    assert await moderators.add(TELEGRAM_ID, 1) is True
    assert await moderators.add(TELEGRAM_ID, 1) is False
    assert await moderators.is_moderator(TELEGRAM_ID)
    await audit.record(1, "moderator.add", user=TELEGRAM_ID)
    [entry] = await audit.recent()
    assert (entry.action, entry.details) == ("moderator.add", {"user": TELEGRAM_ID})
    assert await moderators.remove(TELEGRAM_ID) is True
    assert await moderators.all() == []


async def test_receptions_round_trip_and_forged_ids(database: Database) -> None:
    repo = ReceptionRepo(database)
    added = await repo.add(
        office_id="ru-almaty",
        city_id="taldykorgan",
        region_id="zhetysu",
        date="2026-12-15",
        services=["passport"],
        note={"ru": "Запись по телефону"},
        created_by=TELEGRAM_ID,
    )
    assert added.id.startswith("m") and added.services == ["passport"]
    assert await repo.get(added.id) == added
    assert await repo.all() == [added]
    for forged in ("m99999999999999999999", "x1", "m", "m-1"):
        assert await repo.get(forged) is None


async def test_outbox_claims_take_at_most_n_rows_each_and_never_the_same(
    database: Database,
) -> None:
    """Eight claimers at once drain 300 rows: batches of at most 10, no row twice."""
    users = UserRepo(database)
    for uid in range(1, 301):
        await users.touch(uid, "ru")
    repo = OutboxRepo(database)
    announcement = await repo.create(audience=Audience.everyone(), texts={"ru": "Сәлем"})
    await repo.begin(announcement.id, [Recipient(uid, "ru") for uid in range(1, 301)])
    batches: list[list[int]] = []

    async def claimer(name: str) -> None:
        while rows := await repo.claim(announcement.id, 10, time.time(), owner=name, ttl=60):
            batches.append([r.user_id for r in rows])
            await repo.record(announcement.id, [Outcome.sent(r.user_id, 1) for r in rows], name)

    await asyncio.gather(*(claimer(f"c{i}") for i in range(8)))
    claimed = [uid for batch in batches for uid in batch]
    assert sorted(claimed) == list(range(1, 301))  # every row once
    assert max(len(batch) for batch in batches) <= 10
    assert await repo.finish(announcement.id)
