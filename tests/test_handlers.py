"""Handlers through the real dispatcher (`feed_raw_update`), answering into the devserver."""

from __future__ import annotations

import pytest

from bot import __version__
from devserver import DevServer, StoredMessage
from tests.conftest import FedBot

UID = 501


def last(server: DevServer, chat: int = UID) -> StoredMessage:
    messages = server.messages_to(chat)
    assert messages, "the bot sent nothing"
    return messages[-1]


def labels(message: StoredMessage) -> list[str]:
    return [b["text"] for row in message.buttons for b in row]


def datas(message: StoredMessage) -> list[str]:
    return [b.get("callback_data", "") for row in message.buttons for b in row]


async def choose(fed: FedBot, code: str, language_code: str = "ru") -> StoredMessage:
    await fed.feed(fed.server.inject.command(UID, "/start", language_code=language_code))
    picker = last(fed.server)
    await fed.feed(fed.server.inject.callback(UID, f"lang:{code}", message_id=picker.message_id))
    return last(fed.server)


async def test_first_start_asks_language_with_telegram_language_first(fed: FedBot) -> None:
    await fed.feed(fed.server.inject.command(UID, "/start", language_code="kk"))
    msg = last(fed.server)
    assert labels(msg) == ["Қазақша", "Русский", "English"]
    assert "Тілді таңдаңыз" in (msg.text or "")
    record = await fed.users.get(UID)
    assert record is not None and record.locale is None and record.tg_language == "kk"


async def test_unknown_telegram_language_falls_back_to_default(fed: FedBot) -> None:
    await fed.feed(fed.server.inject.command(UID, "/start", language_code="de"))
    msg = last(fed.server)
    assert labels(msg) == ["Русский", "Қазақша", "English"]
    assert "выберите язык" in (msg.text or "")


@pytest.mark.parametrize(
    ("code", "greeting", "history"),
    [
        ("ru", "Добро пожаловать", "📜 История"),
        ("kk", "қош келдіңіз", "📜 Тарих"),
        ("en", "Welcome to Dostyq", "📜 History"),
    ],
)
async def test_choosing_language_stores_it_and_shows_menu(
    fed: FedBot, code: str, greeting: str, history: str
) -> None:
    menu = await choose(fed, code)
    assert greeting in (menu.text or "")
    assert labels(menu)[0] == history and len(labels(menu)) == 7
    record = await fed.users.get(UID)
    assert record is not None and record.locale == code
    # The next /start goes straight to the menu, in the stored language.
    await fed.feed(fed.server.inject.command(UID, "/start", language_code="ru"))
    assert labels(last(fed.server))[0] == history


async def test_language_command_switches(fed: FedBot) -> None:
    await choose(fed, "kk")
    await fed.feed(fed.server.inject.command(UID, "/language"))
    picker = last(fed.server)
    assert labels(picker)[0] == "Қазақша"
    await fed.feed(fed.server.inject.callback(UID, "lang:en", message_id=picker.message_id))
    assert "Welcome to Dostyq" in (last(fed.server).text or "")
    answer = fed.server.get_calls("answerCallbackQuery")[-1]
    assert answer.params.get("text") == "Language set: English"


@pytest.mark.parametrize(
    ("code", "command", "fragment"),
    [
        ("en", "/help", "/forget"),
        ("kk", "/help", "Сұрағыңызды"),
        ("ru", "/about", __version__),
        ("en", "/about", "source document"),
        ("kk", "/privacy", "идентификаторыңызды"),
        ("ru", "/privacy", "/forget"),
    ],
)
async def test_info_commands(fed: FedBot, code: str, command: str, fragment: str) -> None:
    await choose(fed, code)
    await fed.feed(fed.server.inject.command(UID, command))
    assert fragment in (last(fed.server).text or "")


async def test_menu_sections_answer_and_go_back(fed: FedBot) -> None:
    menu = await choose(fed, "en")
    for data in datas(menu):
        await fed.feed(fed.server.inject.callback(UID, data, message_id=menu.message_id))
        shown = last(fed.server)
        assert shown.message_id == menu.message_id  # edited in place
        assert shown.text and "Welcome to Dostyq" not in shown.text
        assert "m:home" in datas(shown)  # every section leads back
        await fed.feed(fed.server.inject.callback(UID, "m:home", message_id=menu.message_id))
        assert "Welcome to Dostyq" in (last(fed.server).text or "")
    errors = [c for c in fed.server.calls if not c.ok]
    assert errors == []


async def test_pressing_the_same_button_twice_is_harmless(fed: FedBot) -> None:
    menu = await choose(fed, "en")
    mark = fed.server.marker()
    for _ in range(2):  # a quick double tap: the second press lands after the edit
        await fed.feed(
            fed.server.inject.callback(
                UID, "m:help", message_id=menu.message_id, check_button=False
            )
        )
    # the second press finds the screen already shown: answered, with no edit
    edits = fed.server.get_calls("editMessageText", since=mark)
    assert len(edits) == 1 and edits[0].ok
    assert len(fed.server.get_calls("answerCallbackQuery", since=mark)) == 2  # both taps
    assert all("Sorry" not in (m.text or "") for m in fed.server.messages_to(UID))


async def test_forget_after_confirmation(fed: FedBot) -> None:
    await choose(fed, "en")
    await fed.feed(fed.server.inject.command(UID, "/forget"))
    confirm = last(fed.server)
    yes, no = datas(confirm)
    assert yes.startswith("forget:1:") and no == "forget:0:"
    await fed.feed(fed.server.inject.callback(UID, no, message_id=confirm.message_id))
    assert await fed.users.get(UID) is not None
    assert "Nothing was deleted" in (last(fed.server).text or "")
    # The Yes of an earlier question, a bare Yes, or a forged proof deletes nothing.
    await fed.feed(fed.server.inject.command(UID, "/forget"))
    confirm = last(fed.server)
    for forged in (yes, "forget:1", "forget:1:", "forget:1:00000000"):
        update = fed.server.inject.callback(
            UID, forged, message_id=confirm.message_id, check_button=False
        )
        await fed.feed(update)
        answer = fed.server.callback_answer(update["callback_query"]["id"])
        assert answer is not None and "no longer active" in answer.get("text", "")
        assert await fed.users.get(UID) is not None
    shown_yes = datas(confirm)[0]
    await fed.feed(fed.server.inject.callback(UID, shown_yes, message_id=confirm.message_id))
    assert await fed.users.get(UID) is None
    assert "deleted" in (last(fed.server).text or "")


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("command", "don't know this command"),
        ("sticker", "only read text"),
        ("photo", "only read text"),
        ("document", "only read text"),
        ("voice", "only read text"),
    ],
)
async def test_unexpected_input_gets_a_short_translated_reply(
    fed: FedBot, kind: str, fragment: str
) -> None:
    await choose(fed, "en")
    inject = fed.server.inject
    update = {
        "command": lambda: inject.command(UID, "/definitely_not_a_command"),
        "sticker": lambda: inject.sticker(UID),
        "photo": lambda: inject.photo(UID),
        "document": lambda: inject.document(UID, b"\x00\x01", "x.bin"),
        "voice": lambda: inject.raw(
            {
                "message": {
                    "message_id": 99,
                    "date": 0,
                    "chat": {"id": UID, "type": "private"},
                    "from": {"id": UID, "is_bot": False, "first_name": "A"},
                    "voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 2},
                }
            }
        ),
    }[kind]()
    await fed.feed(update)
    assert fragment in (last(fed.server).text or "")


@pytest.mark.parametrize(
    "data", ["lang:fr", "m:nowhere", "forget:maybe", "garbage", "x" * 64, "lang:ru:extra"]
)
async def test_forged_or_stale_button_gets_polite_alert(fed: FedBot, data: str) -> None:
    menu = await choose(fed, "kk")
    update = fed.server.inject.callback(UID, data, message_id=menu.message_id, check_button=False)
    await fed.feed(update)
    answer = fed.server.callback_answer(update["callback_query"]["id"])
    assert answer is not None and answer.get("show_alert") is True
    assert "түйме" in answer["text"]
    record = await fed.users.get(UID)
    assert record is not None and record.locale == "kk"  # nothing changed


async def test_odd_unicode_and_very_long_text(fed: FedBot) -> None:
    await choose(fed, "en")
    for text in ["\u200f\u202e" + "ق" * 10 + "\u0000?", "🇰🇿" * 500, "a" * 4096, "‮"]:
        await fed.feed(fed.server.inject.message(UID, text))
    assert all(c.ok for c in fed.server.get_calls("sendMessage"))


async def test_handler_failure_is_logged_and_user_gets_apology(
    fed: FedBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await choose(fed, "en")

    def broken() -> str:
        raise RuntimeError("kaboom")

    monkeypatch.setattr("bot.handlers.info.help_text", broken)
    await fed.feed(fed.server.inject.command(UID, "/help"))
    text = last(fed.server).text or ""
    assert text.startswith("Sorry, something went wrong")
    assert "kaboom" not in text and "Traceback" not in text
    assert any("kaboom" in r.getMessage() for r in caplog.records)


async def test_blocked_user_is_marked(fed: FedBot) -> None:
    await choose(fed, "en")
    await fed.feed(fed.server.inject.my_chat_member(UID, blocked=True))
    record = await fed.users.get(UID)
    assert record is not None and record.blocked
    await fed.feed(fed.server.inject.my_chat_member(UID, blocked=False))
    record = await fed.users.get(UID)
    assert record is not None and not record.blocked


async def test_forbidden_while_answering_marks_user_blocked(fed: FedBot) -> None:
    await choose(fed, "en")
    fed.server.faults.add("forbidden", chat_id=UID)
    await fed.feed(fed.server.inject.message(UID, "hello"))
    record = await fed.users.get(UID)
    assert record is not None and record.blocked


async def test_flood_is_dropped_with_one_notice(settings: object, devserver: DevServer) -> None:
    from bot.config import Settings
    from bot.runner import BotRunner
    from tests.conftest import TOKEN

    assert isinstance(settings, Settings)
    tight = settings.model_copy(update={"throttle_rate": 0.001, "throttle_burst": 3})
    runner = BotRunner(tight, token=TOKEN, api_base=devserver.url)
    await runner.open()
    try:
        bot_fed = FedBot(runner, devserver)
        for _ in range(10):
            await bot_fed.feed(devserver.inject.command(UID, "/help", language_code="en"))
        texts = [m.text or "" for m in devserver.messages_to(UID)]
        assert len(texts) == 4
        assert sum("Too many requests" in t for t in texts) == 1
        # A button pressed during the flood is still answered, so it never spins.
        update = devserver.inject.callback(UID, "m:help", check_button=False)
        await bot_fed.feed(update)
        assert devserver.callback_answer(update["callback_query"]["id"]) is not None
    finally:
        await runner.stop()
