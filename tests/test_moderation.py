"""Moderators and announcements, end to end against the devserver: roles, refusals,
the announcement wizard, delivery with faults, approval, and a real SIGKILL mid-send."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.broadcast import AnnouncementStatus, Audience, OutboxRepo
from bot.config import PROJECT_ROOT, Settings
from bot.runner import BotRunner
from bot.storage.database import Database
from bot.storage.roles import AuditRepo, ModeratorRepo
from bot.storage.users import utcnow
from devserver import DevServer
from tests import sql
from tests.bots import polling, press, say

ADMIN = 9001
MOD = 9002
USER = 9003
TEXTS = {
    "ru": "Приём в Талдыкоргане!",
    "kk": "Талдықорғанда қабылдау!",
    "en": "Reception in Taldykorgan!",
}


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_ids": (ADMIN,), "broadcast_rate": 500.0})


@pytest.fixture
async def bot(admin_settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    async with polling(admin_settings, devserver) as runner:
        yield runner


async def seed_subscribers(db: Database, n: int, topic: str = "consular") -> list[int]:
    """n users in three languages, all subscribed to a topic."""
    ids = list(range(20_000, 20_000 + n))
    now = utcnow()
    langs = ("ru", "kk", "en")
    await sql.executemany(
        db,
        "INSERT INTO users (id, locale, tg_language, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)",
        [(uid, langs[i % 3], None, now, now) for i, uid in enumerate(ids)],
    )
    await sql.executemany(
        db,
        "INSERT INTO subscriptions (user_id, kind, key, created_at) VALUES (?, 'topic', ?, ?)",
        [(uid, topic, now) for uid in ids],
    )
    return ids


# -- roles ---------------------------------------------------------------------------------


COMMANDS = [
    "/moderators",
    "/audit",
    "/announce",
    "/announcements",
    "/addreception",
    "/addevent",
    "/gaps",
]
BUTTONS = [
    "mdm:remove:9002",
    "mdm:add:0",
    "mda:aud:all",
    "mda:confirm:",
    "mdl:cancel:1",
    "mdl:approve:1",
    "mdra:taldykorgan-2025-09-10",
    "mdc:office:x",
]


async def test_non_moderators_are_refused_everywhere(
    devserver: DevServer, bot: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await say(devserver, USER, "/start")
    for command in COMMANDS:
        reply = await say(devserver, USER, command)
        assert reply == "This command is for moderators only.", command
    for data in BUTTONS:
        update = await press(devserver, USER, data)
        answer = devserver.callback_answer(update["callback_query"]["id"])
        assert answer is not None and answer["text"] == "This is for moderators only.", data
    refused = [r for r in caplog.records if "refused moderator" in r.getMessage()]
    assert len(refused) == len(COMMANDS) + len(BUTTONS)
    assert bot.db is not None
    assert await sql.fetchall(bot.db, "SELECT id FROM announcements") == []


async def test_a_handler_that_fails_half_way_leaves_nothing_behind(
    devserver: DevServer, bot: BotRunner
) -> None:
    """Adding a moderator writes the moderator, then its audit record; when the audit
    write fails (a trigger refuses it), the moderator is not kept either, and the admin
    is told, in their language, that something went wrong."""
    assert bot.db is not None
    await sql.execute(
        bot.db,
        "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is unavailable'); END",
    )
    await say(devserver, ADMIN, "/start", lang="kk")
    await press(devserver, ADMIN, "mdm:add:0")
    reply = await say(devserver, ADMIN, str(MOD), lang="kk")
    assert "Кешіріңіз" in reply, reply  # "Sorry, something went wrong on our side"
    assert await ModeratorRepo(bot.db).all() == []
    assert await AuditRepo(bot.db).recent() == []
    await sql.execute(bot.db, "DROP TRIGGER audit_down")
    await press(devserver, ADMIN, "mdm:add:0")
    assert str(MOD) in await say(devserver, ADMIN, str(MOD), lang="kk")  # works again
    assert await ModeratorRepo(bot.db).all() == [MOD]


async def test_admin_manages_moderators_and_everything_is_audited(
    devserver: DevServer, bot: BotRunner
) -> None:
    await say(devserver, ADMIN, "/start")
    assert "No moderators yet" in await say(devserver, ADMIN, "/moderators")
    await press(devserver, ADMIN, "mdm:add:0")
    reply = await say(devserver, ADMIN, str(MOD))
    assert f"Added {MOD}" in reply
    # By a forwarded message, too.
    forwarded = {
        "message": {
            "message_id": 500,
            "date": int(time.time()),
            "chat": {"id": ADMIN, "type": "private"},
            "from": {"id": ADMIN, "is_bot": False, "first_name": "Admin"},
            "forward_origin": {
                "type": "user",
                "date": 0,
                "sender_user": {"id": 9010, "is_bot": False, "first_name": "X"},
            },
            "text": "hello",
        }
    }
    await press(devserver, ADMIN, "mdm:add:0")
    update = devserver.inject.raw(forwarded)
    await devserver.wait_consumed(update, timeout=10)
    assert "Added 9010" in (devserver.messages_to(ADMIN)[-1].text or "")
    assert bot.db is not None
    assert await ModeratorRepo(bot.db).all() == [MOD, 9010]
    # The new moderator reaches moderator commands, but not the admin-only ones.
    await say(devserver, MOD, "/start")
    assert "Who should receive it?" in await say(devserver, MOD, "/announce")
    await say(devserver, MOD, "/cancel")
    assert await say(devserver, MOD, "/moderators") == "This command is for administrators only."
    await press(devserver, ADMIN, "mdm:remove:9010")
    assert await ModeratorRepo(bot.db).all() == [MOD]
    # Staff get their own command menu; a removed moderator loses it.
    menus = {
        c.params["scope"]["chat_id"]: [x["command"] for x in c.params["commands"]]
        for c in devserver.get_calls("setMyCommands")
        if c.ok and c.params.get("scope", {}).get("type") == "chat"
    }
    assert "moderators" in menus[ADMIN] and "announce" in menus[ADMIN]
    assert "announce" in menus[MOD] and "moderators" not in menus[MOD]
    cleared = [c.params["scope"]["chat_id"] for c in devserver.get_calls("deleteMyCommands")]
    assert cleared == [9010]
    actions = [e.action for e in await AuditRepo(bot.db).recent()]
    assert actions[:3] == ["moderator.remove", "moderator.add", "moderator.add"]


# -- the wizard and delivery --------------------------------------------------------------


async def run_wizard(server: DevServer, uid: int, *, topic: str = "consular") -> None:
    await say(server, uid, "/start")
    await say(server, uid, "/announce")
    await press(server, uid, "mda:menu:topic")
    await press(server, uid, f"mda:aud:topic.{topic}")
    for lang in ("ru", "kk", "en"):
        await say(server, uid, TEXTS[lang])
    await press(server, uid, "mda:media:skip")
    await press(server, uid, "mda:when:now")


async def wait_status(db: Database, announcement_id: int, status: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        row = await sql.fetchone(
            db, "SELECT status FROM announcements WHERE id = ?", announcement_id
        )
        if row is not None and row[0] == status:
            return
        await asyncio.sleep(0.1)
    rows = await sql.fetchall(
        db,
        "SELECT status, count(*) FROM outbox WHERE announcement_id = ? GROUP BY status",
        announcement_id,
    )
    announcements = await sql.fetchall(db, "SELECT * FROM announcements")
    raise AssertionError(f"never reached {status}: outbox {rows}, {announcements}")


async def test_announce_to_500_subscribers_with_faults(
    devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    ids = await seed_subscribers(bot.db, 500)
    blocked = set(ids[5:30])
    missing = set(ids[30:40])
    flooded = ids[40:46]
    for uid in blocked:
        devserver.faults.add("forbidden", chat_id=uid)
    for uid in missing:
        devserver.faults.add("chat_not_found", chat_id=uid)
    for uid in flooded:
        devserver.faults.add("retry_after", chat_id=uid, times=1, retry_after=1)

    await run_wizard(devserver, ADMIN)
    preview = [m.text for m in devserver.messages_to(ADMIN)]
    assert all(TEXTS[lang] in preview for lang in TEXTS)  # previewed as users will see it
    assert "It reaches 500 users (RU 167 · KK 167 · EN 166)." in "\n".join(p or "" for p in preview)
    await press(devserver, ADMIN, "mda:confirm:")
    await wait_status(bot.db, 1, "done")

    sent: Counter[int] = Counter()
    text_of: dict[int, str] = {}
    for call in devserver.get_calls("sendMessage"):
        if call.ok and isinstance(call.chat_id, int) and call.chat_id in set(ids):
            sent[call.chat_id] += 1
            text_of[call.chat_id] = call.params["text"]
    reachable = [uid for uid in ids if uid not in blocked | missing]
    assert all(sent[uid] == 1 for uid in reachable)  # exactly one message each
    assert not (set(sent) & (blocked | missing))
    langs = ("ru", "kk", "en")
    assert all(text_of[uid] == TEXTS[langs[(uid - 20_000) % 3]] for uid in reachable)
    rows = await sql.fetchall(bot.db, "SELECT id FROM users WHERE blocked = 1")
    assert {row[0] for row in rows} == blocked
    marks = ",".join("?" * len(blocked))
    query = f"SELECT user_id FROM subscriptions WHERE user_id IN ({marks})"
    assert await sql.fetchall(bot.db, query, *blocked) == []
    # The final report (the edited progress message) matches the devserver's record.
    await asyncio.sleep(0.2)
    report = devserver.messages_to(ADMIN)[-1].text or ""
    assert f"Delivered: {len(reachable)} of 500 (100%)" in report
    assert f"Blocked: {len(blocked)} · Failed: {len(missing)}" in report
    assert "RU: " in report and "KK: " in report and "EN: " in report
    assert any(c.status == 429 for c in devserver.get_calls("sendMessage"))
    # the metrics count the same outcomes, and every 429
    assert bot.dp is not None
    sample = bot.dp["metrics"].registry.get_sample_value
    assert sample("dostyq_broadcast_sends_total", {"outcome": "sent"}) == len(reachable)
    assert sample("dostyq_broadcast_sends_total", {"outcome": "blocked"}) == len(blocked)
    assert sample("dostyq_broadcast_sends_total", {"outcome": "failed"}) == len(missing)
    assert sample("dostyq_telegram_retry_after_total", {"method": "SendMessage"}) == len(flooded)


async def test_users_without_their_language_get_fallback_or_are_skipped(
    devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    ids = await seed_subscribers(bot.db, 6)
    await say(devserver, ADMIN, "/start")
    await say(devserver, ADMIN, "/announce")
    await press(devserver, ADMIN, "mda:aud:all")
    await say(devserver, ADMIN, TEXTS["ru"])
    await press(devserver, ADMIN, "mda:skip:")
    await press(devserver, ADMIN, "mda:skip:")
    question = devserver.messages_to(ADMIN)[-1].text or ""
    assert "Kazakh: 2" in question and "English: 3" in question  # 2 seeded + the admin
    await press(devserver, ADMIN, "mda:fallback:")  # skip them
    await press(devserver, ADMIN, "mda:media:skip")
    await press(devserver, ADMIN, "mda:when:now")
    await press(devserver, ADMIN, "mda:confirm:")
    await wait_status(bot.db, 1, "done")
    got = {c.chat_id for c in devserver.get_calls("sendMessage") if c.ok and c.chat_id in set(ids)}
    assert got == {uid for i, uid in enumerate(ids) if i % 3 == 0}  # only the Russian readers


async def test_cancel_at_any_step_stores_nothing(devserver: DevServer, bot: BotRunner) -> None:
    assert bot.db is not None
    for steps in (
        ["/announce"],
        ["/announce", "mda:aud:all"],
        ["/announce", "mda:aud:all", "Текст"],
    ):
        for step in steps:
            if step.startswith("mda:"):
                await press(devserver, ADMIN, step)
            else:
                await say(devserver, ADMIN, step)
        assert "Nothing was sent" in await say(devserver, ADMIN, "/cancel")
    update = await press(devserver, ADMIN, "mda:confirm:")  # a stale wizard button
    assert devserver.callback_answer(update["callback_query"]["id"])["show_alert"]  # type: ignore[index]
    assert await sql.fetchall(bot.db, "SELECT id FROM announcements") == []


async def test_scheduled_announcement_waits_and_can_be_cancelled(
    devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    await seed_subscribers(bot.db, 3)
    await say(devserver, ADMIN, "/start")
    await say(devserver, ADMIN, "/announce")
    await press(devserver, ADMIN, "mda:aud:all")
    for lang in ("ru", "kk", "en"):
        await say(devserver, ADMIN, TEXTS[lang])
    await press(devserver, ADMIN, "mda:media:skip")
    await press(devserver, ADMIN, "mda:when:later")
    assert "could not read" in await say(devserver, ADMIN, "tomorrow evening")
    assert "has passed" in await say(devserver, ADMIN, "2020-01-01 10:00")
    summary = await say(devserver, ADMIN, "2099-12-31 18:00")
    assert "31 December 2099" in summary and "Asia/Almaty" in summary
    await press(devserver, ADMIN, "mda:confirm:")
    repo = OutboxRepo(bot.db)
    announcement = await repo.get(1)
    assert announcement is not None and announcement.status is AnnouncementStatus.SCHEDULED
    assert announcement.send_at is not None and announcement.send_at.startswith("2099-12-31T13:00")
    listing = await say(devserver, ADMIN, "/announcements")
    assert "#1" in listing and "scheduled" in listing
    await press(devserver, ADMIN, "mdl:cancel:1")  # a Yes never shown: refused
    assert (await repo.get(1)).status is AnnouncementStatus.SCHEDULED  # type: ignore[union-attr]
    await press(devserver, ADMIN, "mdl:ask_cancel:1")
    await press(devserver, ADMIN, "mdl:cancel:1")
    assert (await repo.get(1)).status is AnnouncementStatus.CANCELLED  # type: ignore[union-attr]
    assert not [c for c in devserver.get_calls("sendMessage") if c.chat_id and c.chat_id >= 20_000]


async def test_a_language_audience_is_asked_only_its_language(
    devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    ids = await seed_subscribers(bot.db, 6)
    await say(devserver, ADMIN, "/start")
    await say(devserver, ADMIN, "/announce")
    await press(devserver, ADMIN, "mda:menu:lang")
    await press(devserver, ADMIN, "mda:aud:lang.ru")
    prompt = devserver.messages_to(ADMIN)[-1].text or ""
    assert "in Russian" in prompt and "Kazakh" not in prompt and "English" not in prompt
    # The only language cannot be skipped: no Skip button, the prompt says a text is needed.
    buttons = str(devserver.messages_to(ADMIN)[-1].reply_markup)
    assert "mda:skip" not in buttons and "at least one language" in prompt
    assert "photo or a link" in await say(devserver, ADMIN, TEXTS["ru"])  # straight on
    await press(devserver, ADMIN, "mda:media:skip")
    await press(devserver, ADMIN, "mda:when:later")
    summary = await say(devserver, ADMIN, "2099-12-31 18:00")
    assert "Texts: Russian." in summary and ":00:00" not in summary  # no seconds
    await press(devserver, ADMIN, "mda:confirm:")
    done = devserver.messages_to(ADMIN)[-1].text or ""
    assert "#1 will be sent 31 December 2099, 18:00" in done  # the time, not "queued"
    announcement = await OutboxRepo(bot.db).get(1)
    assert announcement is not None and set(announcement.texts) == {"ru"}
    assert announcement.audience == Audience.language("ru")
    assert len(ids) == 6


async def test_wizard_input_that_does_not_fit_is_answered_and_kept(
    devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    await seed_subscribers(bot.db, 3)  # readers of all three languages
    await say(devserver, ADMIN, "/start")
    await say(devserver, ADMIN, "/announce")
    assert "use the buttons" in await say(devserver, ADMIN, "hello")  # a button is expected
    await press(devserver, ADMIN, "mda:aud:all")
    reply = await say(devserver, ADMIN, "я" * 4101)
    assert "too long (4101 characters); the limit is 4096" in reply
    forged = await press(devserver, ADMIN, "mda:aud:region.atlantis")  # no such step now
    answer = devserver.callback_answer(forged["callback_query"]["id"])
    assert answer is not None and answer["show_alert"] and "step is over" in answer["text"]
    await say(devserver, ADMIN, TEXTS["ru"])  # the wizard is still at the texts step
    assert "in Kazakh" in (devserver.messages_to(ADMIN)[-1].text or "")
    # Every button press got exactly one answer (CallbackAnswerMiddleware, no manual ones).
    answers = [c for c in devserver.get_calls("answerCallbackQuery")]
    assert answers and all(c.ok for c in answers)
    assert "Nothing was sent" in await say(devserver, ADMIN, "/cancel")
    assert await sql.fetchall(bot.db, "SELECT id FROM announcements") == []


async def test_second_moderator_must_approve(
    admin_settings: Settings, devserver: DevServer
) -> None:
    settings = admin_settings.model_copy(update={"require_approval": True})
    async with polling(settings, devserver) as runner:
        assert runner.db is not None
        await ModeratorRepo(runner.db).add(MOD, ADMIN)
        ids = await seed_subscribers(runner.db, 3)
        await run_wizard(devserver, MOD)
        await press(devserver, MOD, "mda:confirm:")
        assert "waiting for a second moderator" in (devserver.messages_to(MOD)[-1].text or "")
        ask = devserver.messages_to(ADMIN)[-1]
        assert "needs a second moderator" in (ask.text or "")
        own = await press(devserver, MOD, "mdl:approve:1")
        assert "second moderator" in devserver.callback_answer(own["callback_query"]["id"])["text"]  # type: ignore[index]
        await press(devserver, ADMIN, "mdl:approve:1")
        await wait_status(runner.db, 1, "done")
        got = {
            c.chat_id for c in devserver.get_calls("sendMessage") if c.ok and c.chat_id in set(ids)
        }
        assert got == set(ids)


# -- a crash mid-broadcast ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())["result"]


async def _prepare_db(path: Path, n: int) -> list[int]:
    db = await Database.open(path)
    try:
        ids = await seed_subscribers(db, n)
        repo = OutboxRepo(db)
        announcement = await repo.create(
            audience=Audience.topic("consular"), texts=TEXTS, created_by=ADMIN
        )
        await repo.approve(announcement.id, approved_by=ADMIN)
        return ids
    finally:
        await db.close()


@pytest.mark.slow
def test_sigkill_mid_broadcast_loses_nobody(tmp_path: Path, kb_file: Path) -> None:
    n = 300
    ids = asyncio.run(_prepare_db(tmp_path / "bot.db", n))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update(
        DATABASE_PATH=str(tmp_path / "bot.db"),
        KB_PATH=str(kb_file),
        BOT_TOKEN="42:crash",
        TELEGRAM_API_BASE=base,
        BROADCAST_RATE="60",
        BROADCAST_LEASE_S="2",
        ADMIN_IDS=str(ADMIN),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "devserver", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    bots: list[subprocess.Popen[bytes]] = []
    try:
        assert server.stdout is not None and base in server.stdout.readline()

        def start_bot() -> subprocess.Popen[bytes]:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            bots.append(proc)
            return proc

        def delivered() -> list[int]:
            calls = _get(f"{base}/_control/calls?method=sendMessage")["calls"]
            return [c["chat_id"] for c in calls if c["ok"] and c["chat_id"] in ids_set]

        ids_set = set(ids)
        first = start_bot()
        deadline = time.monotonic() + 60
        while len(delivered()) < n // 3:
            assert time.monotonic() < deadline, "the broadcast never started"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        before = len(delivered())
        assert before < n, "the broadcast finished before the kill; make it slower"
        start_bot()
        deadline = time.monotonic() + 90
        while len(set(delivered())) < n:
            assert time.monotonic() < deadline, f"stuck at {len(set(delivered()))} of {n}"
            time.sleep(0.2)
        counts = Counter(delivered())
        duplicates = sum(c - 1 for c in counts.values())
        assert set(counts) == ids_set  # nobody missed
        assert duplicates <= 8  # at most the number of concurrent senders
    finally:
        for proc in [*bots, server]:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)


async def test_new_reception_offers_a_ready_announcement(
    devserver: DevServer, bot: BotRunner
) -> None:
    from bot.storage.receptions import ReceptionRepo

    assert bot.db is not None
    subscriber = 30_001
    await say(devserver, subscriber, "/start", lang="kk")
    await press(devserver, subscriber, "lang:kk")
    await sql.execute(
        bot.db,
        "INSERT INTO subscriptions (user_id, kind, key, created_at) "
        "VALUES (?, 'region', 'zhetysu-region', ?)",
        subscriber,
        utcnow(),
    )
    reception = await ReceptionRepo(bot.db).add(
        office_id="ru-consulate-general-almaty",
        city_id="taldykorgan",
        region_id="zhetysu-region",
        date="2026-12-15",
        services=["passport"],
        note={"en": "Bring your documents."},
    )
    await say(devserver, ADMIN, "/start")
    await press(devserver, ADMIN, f"mdra:{reception.id}")
    text = "\n".join(m.text or "" for m in devserver.messages_to(ADMIN)[-2:])
    assert "subscribers of Zhetysu Region" in text and "It reaches 1 user" in text
    await press(devserver, ADMIN, "mda:media:skip")
    await press(devserver, ADMIN, "mda:when:now")
    await press(devserver, ADMIN, "mda:confirm:")
    await wait_status(bot.db, 1, "done")
    got = [c for c in devserver.get_calls("sendMessage", chat_id=subscriber) if c.ok]
    assert "Жаңа консулдық қабылдау жарияланды" in got[-1].params["text"]
