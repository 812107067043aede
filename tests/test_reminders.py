"""Reminders the day before a consular reception (issue 12): who gets them, when, once.

The service tests run on SQLite and on the test run's own PostgreSQL (the `database`
fixture); the end-to-end test drives the real dispatcher against the devserver. New
strings are checked by their English msgids (the catalogues are merged later); the
reception card under the heading is already translated, so it shows each language.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, func, select

from bot.broadcast import AnnouncementStatus, Audience, AudienceKind, OutboxRepo, snapshot
from bot.broadcast.audience import resolve
from bot.config import Settings
from bot.consular import ConsularDirectory
from bot.delivery import BroadcastService
from bot.i18n import create_i18n
from bot.kb.search import KnowledgeBase
from bot.reminders import ReceptionReminders
from bot.runner import BotRunner
from bot.storage.database import Database
from bot.storage.receptions import ReceptionRepo
from bot.storage.reminders import ReminderRepo
from bot.storage.schema import announcements, reception_reminders
from bot.storage.subscriptions import SubscriptionRepo
from bot.storage.users import UserRepo
from devserver import DevServer
from tests.chat import Chat

ALMATY = ZoneInfo("Asia/Almaty")
RECEPTION_DAY = "2026-12-15"
DAY_BEFORE_MORNING = datetime(2026, 12, 14, 10, 30, tzinfo=ALMATY)
HEAD = "Reminder: tomorrow there is a consular reception in your region."
HEAD_KK = "Еске салу: ертең сіздің өңіріңізде консулдық қабылдау өтеді."

KK, EN, RU_OFF, OTHER_REGION, NOBODY, BLOCKED = 501, 502, 503, 504, 505, 506


def reminders_for(db: Database, kb: KnowledgeBase) -> ReceptionReminders:
    i18n = create_i18n("ru")
    return ReceptionReminders(
        db,
        kb=kb,
        consular=ConsularDirectory(kb, db),
        i18n=i18n,
        broadcasts=BroadcastService(db, i18n, rate=1000.0, default_locale="ru"),
        timezone="Asia/Almaty",
        default_locale="ru",
    )


async def add_user(db: Database, uid: int, locale: str, *regions: str) -> None:
    await UserRepo(db).touch(uid, locale)
    await UserRepo(db).set_locale(uid, locale)
    for region in regions:
        await SubscriptionRepo(db).subscribe(uid, "region", region)


async def add_reception(db: Database, day: str = RECEPTION_DAY, region: str = "zhetysu") -> str:
    city, region_id = ("taldykorgan", "zhetysu-region") if region == "zhetysu" else ("astana", None)
    reception = await ReceptionRepo(db).add(
        office_id="ru-consulate-general-almaty",
        city_id=city,
        region_id=region_id,
        date=day,
        services=["passport"],
        note={"ru": "Запись.", "kk": "Жазылу.", "en": "By appointment."},
    )
    return reception.id


async def count(db: Database, table: Table) -> int:
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


@pytest.fixture
async def people(database: Database) -> AsyncIterator[Database]:
    """Subscribers of Zhetysu in Kazakh and English, one (Russian) who turned reminders
    off, one blocked; a subscriber of Astana only; a user subscribed to nothing."""
    await add_user(database, KK, "kk", "zhetysu-region")
    await add_user(database, EN, "en", "zhetysu-region", "astana")
    await add_user(database, RU_OFF, "ru", "zhetysu-region")
    await UserRepo(database).set_reminders(RU_OFF, False)
    await add_user(database, OTHER_REGION, "ru", "astana")
    await add_user(database, NOBODY, "en")
    await add_user(database, BLOCKED, "kk", "zhetysu-region")
    await UserRepo(database).set_blocked(BLOCKED)
    yield database


# -- the audience -----------------------------------------------------------------------------


async def test_reminder_audience_is_the_region_minus_reminders_off(people: Database) -> None:
    audience = Audience.region_reminder("zhetysu-region")
    assert Audience.from_json(audience.to_json()) == audience
    assert audience.kind is AudienceKind.REGION_REMINDER
    reminded = await resolve(people, audience)
    assert [(r.user_id, r.lang) for r in reminded] == [(KK, "kk"), (EN, "en")]
    # the new-reception announcement still reaches every subscriber of the region
    announced = await resolve(people, Audience.region("zhetysu-region"))
    assert [r.user_id for r in announced] == [KK, EN, RU_OFF]
    # turned back on: reminded again
    await UserRepo(people).set_reminders(RU_OFF, True)
    assert RU_OFF in [r.user_id for r in await resolve(people, audience)]
    record = await UserRepo(people).get(RU_OFF)
    assert record is not None and record.reminders is True


# -- when, to whom, once ----------------------------------------------------------------------


async def test_subscribers_are_reminded_the_day_before_in_their_language(
    people: Database, kb: KnowledgeBase
) -> None:
    reception_id = await add_reception(people)
    reminders = reminders_for(people, kb)
    # before 10:00 local on the day before: not yet; two days before: not yet
    assert await reminders.check(datetime(2026, 12, 14, 9, 59, tzinfo=ALMATY)) == []
    assert await reminders.check(datetime(2026, 12, 13, 18, 0, tzinfo=ALMATY)) == []
    # the clock's time is read in the settings' zone, whatever zone it comes in
    assert await reminders.check(datetime(2026, 12, 14, 9, 30, tzinfo=ALMATY).astimezone(UTC)) == []
    [announcement_id] = await reminders.check(DAY_BEFORE_MORNING)
    announcement = await OutboxRepo(people).get(announcement_id)
    assert announcement is not None
    assert announcement.status is AnnouncementStatus.SCHEDULED  # approved: the sender runs it
    assert announcement.audience == Audience.region_reminder("zhetysu-region")
    recipients = await resolve(people, announcement.audience)
    assert [(r.user_id, r.lang) for r in recipients] == [(KK, "kk"), (EN, "en")]
    en, kk, ru = (announcement.texts[lang] for lang in ("en", "kk", "ru"))
    assert en.startswith("⏰ " + HEAD)
    assert "Taldykorgan" in en and "By appointment." in en and "/subscriptions" in en
    assert kk.startswith("⏰ " + HEAD_KK) and "Талдықорған" in kk and "Жазылу." in kk  # in Kazakh
    assert "Талдыкорган" in ru and "Запись." in ru
    assert "<" not in en  # plain text: the sender escapes it
    async with people.read() as conn:
        row = (await conn.execute(select(reception_reminders))).one()
    assert (row.reception_id, row.date, row.announcement_id) == (
        reception_id,
        RECEPTION_DAY,
        announcement_id,
    )


async def test_a_second_run_and_a_second_instance_queue_nothing_twice(
    people: Database, kb: KnowledgeBase
) -> None:
    await add_reception(people)
    url = people.engine.url.render_as_string(hide_password=False)
    other = await Database.open(url)  # another instance: a pool (and writer queue) of its own
    try:
        first, second = reminders_for(people, kb), reminders_for(other, kb)
        # both check at the same moment: both see it unqueued, one queues it
        done = await asyncio.gather(
            first.check(DAY_BEFORE_MORNING), second.check(DAY_BEFORE_MORNING)
        )
        assert sorted(len(ids) for ids in done) == [0, 1]
        # and later checks that day find it queued
        later = datetime(2026, 12, 14, 22, 0, tzinfo=ALMATY)
        assert await first.check(later) == [] and await second.check(later) == []
    finally:
        await other.close()
    assert await count(people, announcements) == 1
    assert await count(people, reception_reminders) == 1
    # the record alone refuses a second claim
    assert await ReminderRepo(people).claim("x1", RECEPTION_DAY) is True
    assert await ReminderRepo(people).claim("x1", RECEPTION_DAY) is False


async def test_a_reception_elsewhere_reaches_only_its_own_region(
    people: Database, kb: KnowledgeBase
) -> None:
    await add_reception(people, region="astana")
    [announcement_id] = await reminders_for(people, kb).check(DAY_BEFORE_MORNING)
    announcement = await OutboxRepo(people).get(announcement_id)
    assert announcement is not None
    assert announcement.audience == Audience.region_reminder("astana")
    recipients = await resolve(people, announcement.audience)
    assert [(r.user_id, r.lang) for r in recipients] == [(EN, "en"), (OTHER_REGION, "ru")]


async def test_past_and_unattended_receptions_get_no_reminder(
    people: Database, kb: KnowledgeBase
) -> None:
    reminders = reminders_for(people, kb)
    await add_reception(people, day="2026-12-10")  # past
    await add_reception(people, day="2026-12")  # no day given: nothing to remind of
    # on the day itself, and after it: no reminder (the KB's 2025 reception is past too)
    assert await reminders.check(datetime(2026, 12, 10, 12, 0, tzinfo=ALMATY)) == []
    assert await reminders.check(DAY_BEFORE_MORNING) == []
    assert await count(people, announcements) == 0
    # a region nobody (with reminders on) subscribes to: nothing queued, nothing recorded,
    # so a subscriber who arrives later that day is still reminded
    await UserRepo(people).set_reminders(KK, False)
    await UserRepo(people).set_reminders(EN, False)
    reception_id = await add_reception(people)
    assert await reminders.check(DAY_BEFORE_MORNING) == []
    assert await ReminderRepo(people).queued([(reception_id, RECEPTION_DAY)]) == set()
    await UserRepo(people).set_reminders(KK, True)
    assert len(await reminders.check(datetime(2026, 12, 14, 23, 0, tzinfo=ALMATY))) == 1


async def test_the_loop_checks_at_start_and_then_periodically(
    people: Database, kb: KnowledgeBase
) -> None:
    moments = iter([datetime(2026, 12, 14, 8, 0, tzinfo=ALMATY)])  # first: too early
    reminders = reminders_for(people, kb)
    reminders.interval = 0.05
    reminders.now = lambda: next(moments, DAY_BEFORE_MORNING)
    await reminders.start()
    await asyncio.sleep(0.2)  # several checks, with no reception tomorrow yet
    await reminders.stop()
    assert await count(people, announcements) == 0
    await add_reception(people)
    await reminders.start()
    try:
        for _ in range(200):
            if await count(people, announcements):
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # several more checks
    finally:
        await reminders.stop()
    assert await count(people, announcements) == 1


# -- through the bot: the button and the delivery ---------------------------------------------


@pytest.fixture
async def bot(settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    runner = BotRunner(
        settings,
        token="123456:TEST",
        api_base=devserver.url,
        handle_as_tasks=False,
        today=lambda: date(2026, 12, 14),
    )
    async with runner:
        await devserver.wait_for_long_poll(timeout=10)
        yield runner


async def subscribe_to_zhetysu(chat: Chat) -> None:
    await chat.send("/subscriptions")
    await chat.press("sv:regions:0")
    page = 0
    while f"s:r:zhetysu-region:{page}" not in chat.datas():
        page += 1
        await chat.press(f"sv:regions:{page}", check=False)
    await chat.press(f"s:r:zhetysu-region:{page}")


async def test_the_reminder_reaches_subscribers_who_keep_reminders_on(
    devserver: DevServer, bot: BotRunner
) -> None:
    kk = Chat(devserver, uid=KK, lang="kk")
    await kk.choose_language()
    await subscribe_to_zhetysu(kk)
    en = Chat(devserver, uid=EN, lang="en")
    await en.choose_language()
    await subscribe_to_zhetysu(en)
    # the subscriptions screen has the reminders button; it turns them off and on
    await en.send("/subscriptions")
    assert "🔔 Reminders: on" in en.labels() and "rem:0" in en.datas()
    answer = await en.press("rem:0")
    assert answer is not None and answer["text"] == "Reminders are off."
    assert "🔕 Reminders: off" in en.labels() and "rem:1" in en.datas()
    record = await UserRepo(bot.db).get(EN)  # type: ignore[arg-type]
    assert record is not None and record.reminders is False
    await en.press("rem:1")
    assert "🔔 Reminders: on" in en.labels()
    await en.press("rem:0")  # and off for the reminder below

    assert bot.db is not None and bot.dp is not None
    await add_reception(bot.db)
    mark = devserver.marker()
    reminders: ReceptionReminders = bot.dp["reminders"]
    # the injected day (2026-12-14) is the day before the reception
    assert reminders.now().date() == date(2026, 12, 14)
    [announcement_id] = await reminders.check(DAY_BEFORE_MORNING)
    repo = OutboxRepo(bot.db)
    for _ in range(200):
        announcement = await repo.get(announcement_id)
        if announcement is not None and announcement.status is AnnouncementStatus.DONE:
            break
        await asyncio.sleep(0.05)
    report = await snapshot(repo, announcement_id)
    assert report.delivered == 1 and report.total == 1
    sent = {c.chat_id: c.params["text"] for c in devserver.get_calls("sendMessage", since=mark)}
    assert set(sent) == {KK}
    assert sent[KK].startswith("⏰ " + HEAD_KK) and "Талдықорған" in sent[KK]
    assert "2026 ж. 15 желтоқсан" in sent[KK].replace("\u202f", " ")
    # a second check queues nothing more
    assert await reminders.check(DAY_BEFORE_MORNING) == []
