"""History, events, consular services and subscriptions, end to end against the devserver."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date
from html import escape
from pathlib import Path

import pytest

from bot.broadcast import AnnouncementStatus, OutboxRepo, snapshot
from bot.config import PROJECT_ROOT, Settings
from bot.notify import notify_new_reception
from bot.runner import BotRunner
from bot.storage.receptions import ReceptionRepo
from devserver import DevServer
from tests.chat import Chat

UID = 3100
TODAY = date(2026, 11, 22)


@pytest.fixture
async def bot(settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    runner = BotRunner(
        settings,
        token="123456:TEST",
        api_base=devserver.url,
        handle_as_tasks=False,
        today=lambda: TODAY,
    )
    async with runner:
        await devserver.wait_for_long_poll(timeout=10)
        yield runner
        bad = [c for c in devserver.calls if c.status == 400 and c.method != "editMessageText"]
        assert bad == [], [(c.method, c.error) for c in bad]  # no oversized text or button data


# -- history -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "root", "topic", "fragment", "sources"),
    [
        ("ru", "Общее наследие", "Дивизии Казахстана под Сталинградом", "292", "Источники"),
        ("kk", "Ортақ мұра", "Сталинградтағы Қазақстан дивизиялары", "292", "Дереккөздер"),
        ("en", "Shared heritage", "Kazakhstan's divisions at Stalingrad", "292", "Sources"),
    ],
)
async def test_browse_a_history_topic_in_each_language(
    devserver: DevServer,
    bot: BotRunner,
    lang: str,
    root: str,
    topic: str,
    fragment: str,
    sources: str,
) -> None:
    chat = Chat(devserver, UID, lang=lang)
    await chat.choose_language()
    await chat.send("/history")
    assert root in chat.labels()
    await chat.press(label=root)
    assert any(topic in label for label in chat.labels())
    await chat.press(label=next(lbl for lbl in chat.labels() if topic in lbl))
    card = chat.last.text or ""
    assert fragment in card and sources in card and ".txt" not in card
    assert "ta:stalingrad-divisions" in chat.datas()
    mark = devserver.marker()
    await chat.press("ta:stalingrad-divisions")
    answer = devserver.get_calls("sendMessage", since=mark)[-1].params["text"]
    assert "Сталинград" in answer or "Stalingrad" in answer
    assert ".txt" not in answer


# -- events --------------------------------------------------------------------------------


async def test_events_newest_first_filter_by_city_and_card(
    devserver: DevServer, bot: BotRunner
) -> None:
    chat = Chat(devserver, UID, lang="ru")
    await chat.choose_language()
    await chat.send("/events")
    assert "5 событий, сначала новые." in (chat.last.text or "")
    first = chat.labels()[0]
    assert first.startswith("10 сентября 2025")  # newest first
    await chat.press(label="🏙 Город")
    assert "Алматы" in chat.labels() and "Талдыкорган" in chat.labels()
    await chat.press(label="Алматы")
    text = chat.last.text or ""
    assert "Фильтры: Алматы" in text and "1 событие, сначала новые." in text
    await chat.press(chat.datas()[0])  # the one event
    card = chat.last.text or ""
    assert "Память Победы" in card and "Абзал Нукенов" in card
    assert "заведующий отделом внутренней политики" in card
    assert "Источник: Kazpravda.kz" in card and ".txt" not in card


async def test_events_by_year_and_kind(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, UID, lang="en")
    await chat.choose_language()
    await chat.press("ev:::2025::0:0", check=False)
    assert "2 events, newest first." in (chat.last.text or "")
    await chat.press("ev::::conference:0:0", check=False)
    assert "Memory of Victory" in chat.labels()[0] or "conference" in chat.labels()[0].lower()


async def test_no_upcoming_events_offers_subscription(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, UID, lang="kk")
    await chat.choose_language()
    await chat.send("/events")
    await chat.press(label="⏭ Алдағы")
    assert "Алдағы іс-шаралар әзірге белгісіз" in (chat.last.text or "")
    assert "s:t:events:0" in chat.datas()


# -- consular ------------------------------------------------------------------------------


async def test_find_reception_by_typing_a_place(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, UID, lang="en")
    await chat.choose_language()
    await chat.send("/consular")
    await chat.press("c:city")
    reply = await chat.send("Талдықорған")
    assert "Receptions in Taldykorgan" in (reply.text or "")
    assert "Reception in Taldykorgan, 10 September 2025 · past" in chat.labels()
    assert "s:r:zhetysu-region:0" in chat.datas()  # offered: the user's region
    await chat.press("cr:taldykorgan-2025-09-10")
    card = (chat.last.text or "").replace("\u202f", " ")
    assert "Outreach consular reception — past" in card
    assert "certificate of no criminal record" in card and "consultations on citizenship" in card
    # Past: the note says once what the source does not give; no advice to check first.
    assert card.count("does not give the venue, hours") == 1
    assert "no address, opening hours or fees" not in card and "before you go" not in card
    mark = devserver.marker()
    await chat.press("cm:taldykorgan-2025-09-10")
    venue = devserver.get_calls("sendVenue", since=mark)[0].params
    assert abs(float(venue["latitude"]) - 45.02) < 0.1 and "venue is not given" in venue["address"]


async def test_find_by_other_spellings_and_regions(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, UID, lang="ru")
    await chat.choose_language()
    for typed in ["Taldykorgan", "Жетысу", "Семиречье"]:
        await chat.press("c:city", check=False)
        await chat.send(typed)
        assert any("Талдыкорган" in label for label in chat.labels()), typed
    await chat.press("c:city", check=False)
    await chat.send("Атлантида")
    assert "Я не знаю такого места" in (chat.last.text or "")


async def test_find_by_service(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, UID, lang="kk")
    await chat.choose_language()
    await chat.send("/consular")
    await chat.press("c:services")
    assert "соттылығының болмауы туралы анықтама" in chat.labels()
    await chat.press(label="соттылығының болмауы туралы анықтама")
    assert any("Талдықорған" in label for label in chat.labels())


async def test_nearest_by_shared_location(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, UID, lang="en")
    await chat.choose_language()
    await chat.send("/consular")
    await chat.press("c:near")
    asked = chat.last.reply_markup or {}
    assert asked["keyboard"][0][0]["request_location"] is True
    update = devserver.inject.location(UID, 45.01, 78.37)
    await devserver.wait_consumed(update, timeout=10)
    listing, details = devserver.messages_to(UID)[-2:]
    text = listing.text or ""
    assert "Nearest to you" in text and "Taldykorgan" in text and " km" in text
    assert (listing.reply_markup or {}).get("remove_keyboard") is True
    assert "Consulate General of Russia in Almaty" in (details.text or "")
    datas = [b.get("callback_data") for row in details.buttons for b in row]
    assert "cr:taldykorgan-2025-09-10" in datas and "s:r:zhetysu-region:0" in datas


# -- subscriptions and notifications -------------------------------------------------------


async def test_toggle_subscriptions_and_get_notified(devserver: DevServer, bot: BotRunner) -> None:
    kk = Chat(devserver, uid=UID, lang="kk")
    await kk.choose_language()
    await kk.send("/subscriptions")
    await kk.press("sv:regions:0")
    page = 0
    while f"s:r:zhetysu-region:{page}" not in kk.datas():
        page += 1
        await kk.press(f"sv:regions:{page}", check=False)
    answer = await kk.press(f"s:r:zhetysu-region:{page}")
    assert answer is not None and answer["text"] == "Жазылдыңыз: Жетісу облысы"
    assert "✅ Жетісу облысы" in kk.labels()
    # A second user subscribes to consular receptions in general, then to nothing.
    en = Chat(devserver, uid=UID + 1, lang="en")
    await en.choose_language()
    await en.send("/subscriptions")
    await en.press("s:t:consular:0")
    assert "✅ Consular receptions" in en.labels()
    await en.press("s:t:events:0")
    await en.press("s:t:events:0")  # toggled off again
    assert "☐ New events" in en.labels()
    # A third user, not subscribed, must get nothing.
    other = Chat(devserver, uid=UID + 2, lang="ru")
    await other.choose_language()

    assert bot.db is not None and bot.kb is not None and bot.dp is not None
    reception = await ReceptionRepo(bot.db).add(
        office_id="ru-consulate-general-almaty",
        city_id="taldykorgan",
        region_id="zhetysu-region",
        date="2026-12-15",
        services=["passport"],
        note={"ru": "Тест.", "kk": "Тест.", "en": "Test."},
    )
    mark = devserver.marker()
    announcement_id = await notify_new_reception(
        bot.db,
        reception,
        kb=bot.kb,
        consular=bot.dp["consular"],
        i18n=bot.i18n,  # type: ignore[arg-type]
        broadcasts=bot.dp["broadcasts"],
    )
    repo = OutboxRepo(bot.db)
    for _ in range(200):
        announcement = await repo.get(announcement_id)
        if announcement is not None and announcement.status is AnnouncementStatus.DONE:
            break
        await asyncio.sleep(0.05)
    report = await snapshot(repo, announcement_id)
    # The region's subscribers hear about it (through the outbox), each in their language.
    assert report.delivered == 1 and report.total == 1
    sent = {c.chat_id: c.params["text"] for c in devserver.get_calls("sendMessage", since=mark)}
    assert set(sent) == {UID}
    assert "Жаңа консулдық қабылдау жарияланды" in sent[UID] and "2026 ж. 15 желтоқсан" in sent[
        UID
    ].replace("\u202f", " ")
    # The new reception is listed with the others, and is not past.
    await en.send("/consular")
    assert "1 upcoming reception." in (en.last.text or "")


# -- stale and forged buttons --------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "t:nowhere:0",
        "e:0000000000",
        "cr:nope",
        "cm:m999",
        "s:r:atlantis:0",
        "s:x:y:0",
        "cs:teleport",
        "ef:colour::::",
        "c:explode",
        "ev:::notayear::0:0",
    ],
)
async def test_stale_or_forged_browse_buttons(
    devserver: DevServer, bot: BotRunner, data: str
) -> None:
    chat = Chat(devserver, UID, lang="en")
    await chat.choose_language()
    answer = await chat.press(data, check=False)
    assert answer is not None and answer.get("show_alert") is True


# -- the console shows the same flows --------------------------------------------------------


@pytest.mark.slow
def test_console_consular_flow(tmp_path: Path, kb_file: Path) -> None:
    shutil.copy2(kb_file, tmp_path / "kb.db")
    script = (
        "/start\nEnglish\n/consular\nBy city or region\nТалдықорған\n"
        "/location 45.01 78.37\n/events\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "KB_PATH": str(tmp_path / "kb.db"),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--lang", "en"],
        cwd=PROJECT_ROOT,
        env=env,
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.replace("\u202f", " ")
    assert "Receptions in Taldykorgan:" in out
    assert "Reception in Taldykorgan, 10 September 2025 · past" in out
    assert "Nearest to you" in out and "km" in out
    assert "5 events, newest first." in out


def test_a_card_without_a_summary_shows_the_first_passage_from_the_kb(
    kb_file: Path,
) -> None:
    """The catalog keeps no passage texts (memory with a large KB): a card whose event
    has no summary reads the first passage through the KB instead."""
    import dataclasses

    from aiogram.utils.i18n import I18n

    from bot.cards import event_card
    from bot.kb.search import KnowledgeBase

    kb = KnowledgeBase(kb_file)
    listed = kb.catalog.events()[0]
    assert listed.passages == []
    whole = kb.document(listed.id)
    assert whole is not None and whole.passages
    first = whole.passages[0].text["en"]
    i18n = I18n(path="locales", default_locale="en", domain="messages")
    with i18n.context(), i18n.use_locale("en"):
        assert first not in event_card(kb, listed, "en")  # its summary is shown instead
        bare = dataclasses.replace(listed, summary={})
        assert escape(first) in event_card(kb, bare, "en")
    kb.close()
