"""The moderators' screens a new moderator reads, end to end against the devserver:
/announcements (readable lines, cancel only after confirming), one announcement's
report (real numbers before it starts), /audit in words at local times, /moderators
with names. English only: the translations are checked elsewhere."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.broadcast import AnnouncementStatus, Audience, OutboxRepo
from bot.config import Settings
from bot.formatting import format_moment
from bot.runner import BotRunner
from bot.storage.database import Database
from bot.storage.roles import AuditRepo, ModeratorRepo
from bot.storage.users import utcnow
from devserver import DevServer
from tests import sql
from tests.bots import polling, press, say

ADMIN = 9001
MOD = 9002
STRANGER = 9010  # a moderator who never talked to the bot: no name to show
TEXTS = {"ru": "Приём в Талдыкоргане!", "kk": "Талдықорғанда қабылдау!", "en": "Reception!"}
#: 2099-12-31 13:00 UTC: 18:00 in Almaty, 16:00 in Moscow.
SEND_AT = datetime(2099, 12, 31, 13, 0, tzinfo=UTC)
ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_ids": (ADMIN,), "broadcast_rate": 500.0})


@pytest.fixture
async def bot(admin_settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    async with polling(admin_settings, devserver) as runner:
        yield runner


async def tap(server: DevServer, uid: int, label: str) -> dict[str, Any]:
    """Tap the button labelled `label` on the bot's latest message, as a user would."""
    update = server.inject.callback(uid, button_text=label)
    await server.wait_consumed(update, timeout=15)
    return update


def answer_of(server: DevServer, update: dict[str, Any]) -> dict[str, Any]:
    answer = server.callback_answer(update["callback_query"]["id"])
    assert answer is not None
    return answer


def buttons(server: DevServer, uid: int) -> dict[str, str]:
    """Label -> callback data of the buttons under the bot's latest message."""
    markup = server.messages_to(uid)[-1].reply_markup or {}
    return {
        b["text"]: b.get("callback_data", "")
        for row in markup.get("inline_keyboard", [])
        for b in row
    }


async def seed_users(db: Database, n: int, lang: str = "en") -> list[int]:
    ids = list(range(30_000, 30_000 + n))
    now = utcnow()
    await sql.executemany(
        db,
        "INSERT INTO users (id, locale, tg_language, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)",
        [(uid, lang, None, now, now) for uid in ids],
    )
    return ids


async def schedule(db: Database, audience: Audience | None = None) -> int:
    """An announcement by ADMIN, approved and scheduled for SEND_AT."""
    repo = OutboxRepo(db)
    announcement = await repo.create(
        audience=audience or Audience.everyone(), texts=TEXTS, created_by=ADMIN
    )
    assert await repo.approve(announcement.id, approved_by=ADMIN, send_at=SEND_AT)
    return announcement.id


async def status_of(db: Database, announcement_id: int) -> AnnouncementStatus:
    announcement = await OutboxRepo(db).get(announcement_id)
    assert announcement is not None
    return announcement.status


# -- /announcements ---------------------------------------------------------------------


async def test_the_list_says_what_each_one_is_in_words(
    devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    await seed_users(bot.db, 3)
    await say(devserver, ADMIN, "/start")
    first = await schedule(bot.db)
    second = await schedule(bot.db, Audience.language("ru"))
    listing = await say(devserver, ADMIN, "/announcements")
    lines = listing.splitlines()
    # Newest first; each: number, status, audience; then when and how many.
    head = lines.index(f"#{second} — scheduled · users who read Russian")
    assert lines[head + 1].strip() == "scheduled for 31 December 2099, 18:00 · will reach 0 users"
    head = lines.index(f"#{first} — scheduled · everyone")
    assert lines[head + 1].strip() == "scheduled for 31 December 2099, 18:00 · will reach 4 users"
    assert "Times are in Asia/Almaty." in listing
    assert not SECONDS.search(listing) and not ISO_STAMP.search(listing)
    assert buttons(devserver, ADMIN) == {
        f"👁 #{second}": f"mdl:view:{second}",
        f"✖️ Cancel #{second}": f"mdl:ask_cancel:{second}",
        f"👁 #{first}": f"mdl:view:{first}",
        f"✖️ Cancel #{first}": f"mdl:ask_cancel:{first}",
    }


async def test_the_list_uses_the_timezone_setting(
    admin_settings: Settings, devserver: DevServer
) -> None:
    settings = admin_settings.model_copy(update={"timezone": "Europe/Moscow"})
    async with polling(settings, devserver) as runner:
        assert runner.db is not None
        await say(devserver, ADMIN, "/start")
        await schedule(runner.db)
        listing = await say(devserver, ADMIN, "/announcements")
        assert "scheduled for 31 December 2099, 16:00" in listing
        assert "Times are in Europe/Moscow." in listing


async def test_cancel_asks_first_and_only_the_confirm_cancels(
    devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    await seed_users(bot.db, 2)
    await say(devserver, ADMIN, "/start")
    announcement_id = await schedule(bot.db)
    await say(devserver, ADMIN, "/announcements")
    # The first tap only asks, and shows what would be cancelled.
    await tap(devserver, ADMIN, f"✖️ Cancel #{announcement_id}")
    assert await status_of(bot.db, announcement_id) is AnnouncementStatus.SCHEDULED
    ask = devserver.messages_to(ADMIN)[-1].text or ""
    assert f"Cancel announcement #{announcement_id}?" in ask
    assert "this cannot be undone" in ask and "It will reach 3 users." in ask
    assert buttons(devserver, ADMIN) == {
        f"✖️ Yes, cancel #{announcement_id}": f"mdl:cancel:{announcement_id}",
        "◀️ Back": f"mdl:back:{announcement_id}",
    }
    # Back leaves it as it was, and withdraws the confirmation: a Yes sent after it is refused.
    await tap(devserver, ADMIN, "◀️ Back")
    assert await status_of(bot.db, announcement_id) is AnnouncementStatus.SCHEDULED
    late_yes = await press(devserver, ADMIN, f"mdl:cancel:{announcement_id}")
    assert answer_of(devserver, late_yes)["show_alert"]
    assert await status_of(bot.db, announcement_id) is AnnouncementStatus.SCHEDULED
    assert "Recent announcements" in (devserver.messages_to(ADMIN)[-1].text or "")
    # Asked again and confirmed: now it is cancelled, and the list says so.
    await tap(devserver, ADMIN, f"✖️ Cancel #{announcement_id}")
    done = await tap(devserver, ADMIN, f"✖️ Yes, cancel #{announcement_id}")
    assert answer_of(devserver, done)["text"] == "Cancelled."
    assert await status_of(bot.db, announcement_id) is AnnouncementStatus.CANCELLED
    listing = devserver.messages_to(ADMIN)[-1].text or ""
    assert f"#{announcement_id} — cancelled · everyone" in listing
    assert "was scheduled for 31 December 2099, 18:00 · nothing was sent" in listing
    assert f"✖️ Cancel #{announcement_id}" not in buttons(devserver, ADMIN)
    # A confirm for one that can no longer be cancelled is a stale button; asking says why.
    forged = await press(devserver, ADMIN, f"mdl:cancel:{announcement_id}")
    answer = answer_of(devserver, forged)
    assert answer["show_alert"] and "no longer active" in answer["text"]
    late = await press(devserver, ADMIN, f"mdl:ask_cancel:{announcement_id}")
    assert answer_of(devserver, late)["text"] == "It can no longer be cancelled."
    cancels = [e for e in await AuditRepo(bot.db).recent() if e.action == "announcement.cancel"]
    assert len(cancels) == 1
    assert not [c for c in devserver.get_calls("sendMessage") if c.chat_id and c.chat_id >= 30_000]


async def test_a_forged_action_is_refused_and_changes_nothing(
    devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    await say(devserver, ADMIN, "/start")
    announcement_id = await schedule(bot.db)
    forged = await press(devserver, ADMIN, f"mdl:cancel_now:{announcement_id}")
    assert answer_of(devserver, forged)["show_alert"]
    assert await status_of(bot.db, announcement_id) is AnnouncementStatus.SCHEDULED


async def test_a_scheduled_ones_report_shows_its_audience_not_zero_of_zero(
    devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    await seed_users(bot.db, 1, lang="kk")
    await say(devserver, ADMIN, "/start")
    announcement_id = await schedule(bot.db, Audience.language("kk"))
    await say(devserver, ADMIN, "/announcements")
    await tap(devserver, ADMIN, f"👁 #{announcement_id}")
    report = devserver.messages_to(ADMIN)[-1].text or ""
    assert f"Announcement #{announcement_id} — scheduled" in report
    assert "Not started yet, scheduled for 31 December 2099, 18:00 (Asia/Almaty)." in report
    assert "It will reach 1 user." in report  # the singular, for one
    assert "Audience: users who read Kazakh." in report
    assert "0 of 0" not in report and "%" not in report
    assert not SECONDS.search(report) and not ISO_STAMP.search(report)
    assert buttons(devserver, ADMIN) == {
        f"✖️ Cancel #{announcement_id}": f"mdl:ask_cancel:{announcement_id}",
        "◀️ Back": f"mdl:back:{announcement_id}",
    }


# -- /audit and /moderators -------------------------------------------------------------


async def test_audit_speaks_in_words_and_local_times(
    admin_settings: Settings, devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    await say(devserver, ADMIN, "/start", first_name="Aigerim <Admin> & Co")
    await say(devserver, MOD, "/start", first_name="Bota")
    await press(devserver, ADMIN, "mdm:add:0")
    await say(devserver, ADMIN, str(MOD))
    announcement_id = await schedule(bot.db)
    await press(devserver, ADMIN, f"mdl:ask_cancel:{announcement_id}")
    await press(devserver, ADMIN, f"mdl:cancel:{announcement_id}")
    await AuditRepo(bot.db).record(0, "document.import", ids=["a", "b"])
    log = await say(devserver, ADMIN, "/audit")
    assert "Aigerim <Admin> & Co:" in log  # the actor by name, escaped (the parse held)
    assert "made Bota a moderator" in log
    assert f"cancelled announcement #{announcement_id}" in log
    assert "the bot (automatic):" in log
    assert "imported 2 documents from the import folder: a, b" in log
    assert "Times are in Asia/Almaty." in log
    assert "=" not in log and "moderator.add" not in log
    assert not ISO_STAMP.search(log) and not SECONDS.search(log)
    zone = ZoneInfo(admin_settings.timezone)
    for entry in await AuditRepo(bot.db).recent():
        local = format_moment(datetime.fromisoformat(entry.at), zone, "en")
        assert local in log


async def test_moderators_are_listed_by_name_with_who_added_them(
    admin_settings: Settings, devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    await say(devserver, ADMIN, "/start", first_name="Aigerim")
    await say(devserver, MOD, "/start", first_name="Bota <b>")
    await press(devserver, ADMIN, "mdm:add:0")
    await say(devserver, ADMIN, str(MOD))
    await ModeratorRepo(bot.db).add(STRANGER, ADMIN)
    listing = await say(devserver, ADMIN, "/moderators")
    lines = listing.splitlines()
    assert f"• Bota <b> · {MOD}" in lines  # escaped: shown as typed, not as markup
    assert f"• user {STRANGER} · {STRANGER}" in lines
    added = await sql.fetchone(bot.db, "SELECT added_at FROM moderators WHERE user_id = ?", MOD)
    assert added is not None
    when = format_moment(datetime.fromisoformat(added[0]), ZoneInfo(admin_settings.timezone), "en")
    assert lines[lines.index(f"• Bota <b> · {MOD}") + 1].strip() == f"added by Aigerim, {when}"
    assert not ISO_STAMP.search(listing)
    labels = buttons(devserver, ADMIN)
    assert labels["✖️ Remove Bota <b>"] == f"mdm:remove:{MOD}"
    assert labels[f"✖️ Remove user {STRANGER}"] == f"mdm:remove:{STRANGER}"
