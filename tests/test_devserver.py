"""Tests for the fake Bot API (devserver) driven by a real aiogram Bot."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import CommandStart
from aiogram.methods.base import Response
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from aiogram.utils.backoff import BackoffConfig

from bot.session import TolerantSession
from devserver import DevServer

TOKEN = "123456:TEST"
BOT_ID = 123456


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs]
    )


@pytest.fixture
async def server() -> AsyncIterator[DevServer]:
    async with DevServer() as srv:
        yield srv


@pytest.fixture
async def bot(server: DevServer) -> AsyncIterator[Bot]:
    instance = Bot(TOKEN, session=TolerantSession(api=TelegramAPIServer.from_base(server.url)))
    yield instance
    await instance.session.close()


@pytest.fixture
async def http(server: DevServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=server.url) as session:
        yield session


# -- identity and sending ------------------------------------------------------------


async def test_get_me_derives_bot_from_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == BOT_ID
    assert me.is_bot is True
    assert me.username == "dostyq_dev_bot"
    assert me.can_join_groups is True


async def test_an_answer_type_outlives_a_garbage_collection(bot: Bot) -> None:
    """aiogram parametrises `Response[...]` on every answer, and pydantic keeps such a
    model only while something refers to it: the session keeps the ones it used, so a
    garbage collection does not make the next answer build its schema and validator
    again (3-6 ms each)."""
    await bot.send_message(1, "one")
    await bot.get_updates(timeout=0)
    built = [weakref.ref(Response[Message]), weakref.ref(Response[list[Update]])]
    gc.collect()
    assert [ref() for ref in built] == [Response[Message], Response[list[Update]]]
    sent = await bot.send_message(1, "two")
    assert sent.text == "two"


async def test_send_message_with_inline_keyboard_round_trips(bot: Bot, server: DevServer) -> None:
    markup = keyboard(("Yes", "answer:yes"), ("No", "answer:no"))
    first = await bot.send_message(42, "Hello", reply_markup=markup)
    second = await bot.send_message(42, "Again")
    other = await bot.send_message(7, "Other chat")

    assert isinstance(first, Message)
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == 42 and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.id == BOT_ID
    assert first.text == "Hello"
    assert first.reply_markup is not None
    assert first.reply_markup.model_dump() == markup.model_dump()
    assert second.reply_markup is None
    assert first.date.timestamp() == pytest.approx(time.time(), abs=5)

    sent = server.messages_to(42)
    assert [m.text for m in sent] == ["Hello", "Again"]
    assert sent[0].buttons[1][0]["callback_data"] == "answer:no"
    [record] = server.get_calls("sendMessage", chat_id=7)
    assert record.ok and record.params == {"chat_id": 7, "text": "Other chat"}


async def test_messages_to_since_marker(bot: Bot, server: DevServer) -> None:
    await bot.send_message(5, "before")
    mark = server.marker()
    await bot.send_message(5, "after")
    assert [m.text for m in server.messages_to(5, since=mark)] == ["after"]
    assert [r.params["text"] for r in server.get_calls("sendMessage", since=mark)] == ["after"]


async def test_html_is_validated_and_stored_as_plain_text(bot: Bot, server: DevServer) -> None:
    message = await bot.send_message(
        1, "<b>Bold</b> &amp; <a href='https://kz.example'>link</a>", parse_mode="HTML"
    )
    assert message.text == "Bold & link"
    assert message.entities is not None
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 4),
        ("text_link", 7, 4),
    ]
    assert message.entities[1].url == "https://kz.example"
    stored = server.messages_to(1)[0]
    assert stored.raw_text == "<b>Bold</b> &amp; <a href='https://kz.example'>link</a>"

    with pytest.raises(TelegramBadRequest, match="can't parse entities: Can't find end tag"):
        await bot.send_message(1, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "br"'):
        await bot.send_message(1, "line<br>line", parse_mode="HTML")


async def test_markdown_v2_reserved_characters(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match=r"Character '\.' is reserved"):
        await bot.send_message(1, "*Astana* 2024.", parse_mode="MarkdownV2")
    message = await bot.send_message(1, "*Astana* 2024\\.", parse_mode="MarkdownV2")
    assert message.text == "Astana 2024."
    assert message.entities is not None and message.entities[0].type == "bold"


async def test_send_message_validation_errors(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1, "   ")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "x" * 4097)
    await bot.send_message(1, "x" * 4096)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1, "hi", reply_markup=keyboard(("b", "d" * 65)))


async def test_raw_http_errors_and_json_bodies(
    http: aiohttp.ClientSession, server: DevServer
) -> None:
    async with http.post(f"/bot{TOKEN}/fooBar") as resp:
        assert resp.status == 404
        assert await resp.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
    async with http.post("/botnot-a-token/getMe") as resp:
        assert resp.status == 401
        assert (await resp.json())["description"] == "Unauthorized"
    async with http.post(f"/bot{TOKEN}/sendMessage", json={"text": "no chat"}) as resp:
        assert resp.status == 400
        assert (await resp.json())["description"] == "Bad Request: chat_id is empty"
    body = {
        "chat_id": 9,
        "text": "json",
        "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x"}]]},
    }
    async with http.post(f"/bot{TOKEN}/SENDMESSAGE", json=body) as resp:
        assert resp.status == 200
        result = (await resp.json())["result"]
    assert result["reply_markup"] == body["reply_markup"]
    assert server.get_calls("sendMessage")[-1].params["chat_id"] == 9


# -- files ---------------------------------------------------------------------------


async def test_multipart_photo_and_document_uploads(bot: Bot, server: DevServer) -> None:
    photo = await bot.send_photo(
        3,
        BufferedInputFile(b"\x89PNG-not-really", "map.png"),
        caption="<i>Map</i>",
        parse_mode="HTML",
    )
    assert photo.photo is not None and photo.caption == "Map"
    record = server.get_calls("sendPhoto")[-1]
    assert record.files[0]["filename"] == "map.png"
    assert record.files[0]["size"] == len(b"\x89PNG-not-really")
    assert str(record.params["photo"]).startswith("attach://")

    again = await bot.send_photo(3, photo.photo[-1].file_id)
    assert again.photo is not None and again.photo[-1].file_id == photo.photo[-1].file_id

    doc = await bot.send_document(3, BufferedInputFile(b"name;date\n", "events.csv"))
    assert doc.document is not None
    assert doc.document.file_name == "events.csv"
    assert doc.document.mime_type == "text/csv"
    file = await bot.get_file(doc.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"name;date\n"


async def test_injected_document_can_be_downloaded(bot: Bot, server: DevServer) -> None:
    update = server.inject.document(11, b"%PDF-1.4 fake", "visa.pdf", "application/pdf")
    [received] = await bot.get_updates()
    assert received.update_id == update["update_id"]
    assert received.message is not None and received.message.document is not None
    document = received.message.document
    assert (document.file_name, document.mime_type) == ("visa.pdf", "application/pdf")
    file = await bot.get_file(document.file_id)
    assert file.file_size == len(b"%PDF-1.4 fake")
    assert file.file_path is not None
    data = await bot.download_file(file.file_path)
    assert data is not None and data.read() == b"%PDF-1.4 fake"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


# -- edits and deletes ---------------------------------------------------------------


async def test_edit_message_text(bot: Bot, server: DevServer) -> None:
    markup = keyboard(("Next", "page:2"))
    sent = await bot.send_message(8, "Page 1", reply_markup=markup)
    edited = await bot.edit_message_text(
        text="Page 2", chat_id=8, message_id=sent.message_id, reply_markup=markup
    )
    assert isinstance(edited, Message)
    assert edited.text == "Page 2" and edited.edit_date is not None
    assert server.messages_to(8)[0].text == "Page 2"
    assert server.messages_to(8)[0].edits == 1

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="Page 2", chat_id=8, message_id=sent.message_id, reply_markup=markup
        )
    # Without reply_markup Telegram drops the keyboard: that is a modification.
    plain = await bot.edit_message_text(text="Page 2", chat_id=8, message_id=sent.message_id)
    assert isinstance(plain, Message) and plain.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=8, message_id=999)


async def test_edit_reply_markup_and_delete(bot: Bot, server: DevServer) -> None:
    sent = await bot.send_message(8, "Choose", reply_markup=keyboard(("A", "a")))
    updated = await bot.edit_message_reply_markup(
        chat_id=8, message_id=sent.message_id, reply_markup=keyboard(("B", "b"))
    )
    assert isinstance(updated, Message) and updated.reply_markup is not None
    assert updated.reply_markup.model_dump() == keyboard(("B", "b")).model_dump()
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=8, message_id=sent.message_id, reply_markup=keyboard(("B", "b"))
        )
    assert await bot.delete_message(8, sent.message_id) is True
    assert server.messages_to(8) == []
    assert server.messages_to(8, include_deleted=True)[0].deleted
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(8, sent.message_id)


# -- updates -------------------------------------------------------------------------


async def test_get_updates_offset_semantics(bot: Bot, server: DevServer) -> None:
    ids = [server.inject.message(1, f"m{i}")["update_id"] for i in range(4)]
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]

    # offset confirms everything below it, forever.
    assert [u.update_id for u in await bot.get_updates(offset=ids[2])] == ids[2:]
    assert [u.update_id for u in await bot.get_updates()] == ids[2:]
    await server.wait_consumed(ids[1], timeout=0.1)

    # negative offset: only the last N remain, the earlier ones are forgotten.
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[3:]
    assert [u.update_id for u in await bot.get_updates()] == ids[3:]

    assert await bot.get_updates(offset=ids[3] + 1) == []
    newer = server.inject.message(1, "later")["update_id"]
    assert newer > ids[3]
    [update] = await bot.get_updates(offset=ids[3] + 1)
    assert update.message is not None and update.message.text == "later"


async def test_long_poll_returns_when_update_injected(bot: Bot, server: DevServer) -> None:
    # the poll would wait 60 s; it returns as soon as the update is there
    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await server.wait_for_long_poll()
    injected = server.inject.command(5, "/start", first_name="Aida", language_code="kk")
    [update] = await asyncio.wait_for(poll, 30)
    assert update.update_id == injected["update_id"]
    assert update.message is not None and update.message.text == "/start"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "kk"
    assert update.message.entities is not None
    assert update.message.entities[0].type == "bot_command"


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9


async def test_allowed_updates_filters_and_counts_as_consumed(bot: Bot, server: DevServer) -> None:
    await bot.send_message(2, "menu", reply_markup=keyboard(("Go", "go")))
    press = server.inject.callback(2, "go")
    text = server.inject.message(2, "hello")
    [update] = await bot.get_updates(allowed_updates=["message"])
    assert update.update_id == text["update_id"]
    await server.wait_consumed(press, timeout=0.1)


async def test_stop_releases_long_polls() -> None:
    srv = DevServer()
    await srv.start()
    other = Bot(TOKEN, session=TolerantSession(api=TelegramAPIServer.from_base(srv.url)))
    try:
        poll = asyncio.create_task(other.get_updates(timeout=120))
        await srv.wait_for_long_poll()
        await srv.stop()
        assert await asyncio.wait_for(poll, 60) == []  # released, not left to time out
    finally:
        await other.session.close()


# -- callbacks and inline mode ------------------------------------------------------------


async def test_injected_callback_carries_stored_message(bot: Bot, server: DevServer) -> None:
    sent = await bot.send_message(4, "Pick a city", reply_markup=keyboard(("Almaty", "c:ala")))
    await bot.edit_message_text(
        text="Pick a city (edited)",
        chat_id=4,
        message_id=sent.message_id,
        reply_markup=keyboard(("Almaty", "c:ala"), ("Astana", "c:ast")),
    )
    injected = server.inject.callback(4, button_text="Astana")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.id == injected["callback_query"]["id"]
    assert query.data == "c:ast"
    assert isinstance(query.message, Message)
    assert query.message.message_id == sent.message_id
    assert query.message.text == "Pick a city (edited)"
    assert query.message.from_user is not None and query.message.from_user.id == BOT_ID

    assert await bot.answer_callback_query(query.id, text="Saved") is True
    assert server.callback_answer(query.id) == {"callback_query_id": query.id, "text": "Saved"}
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(LookupError):
        server.inject.callback(4, "not-a-button")


async def test_inline_query_and_inline_message_edit(bot: Bot, server: DevServer) -> None:
    query = server.inject.inline_query(6, "nauryz", first_name="Dana")
    [update] = await bot.get_updates()
    assert update.inline_query is not None and update.inline_query.query == "nauryz"
    article = InlineQueryResultArticle(
        id="ev1",
        title="Nauryz",
        input_message_content=InputTextMessageContent(message_text="Nauryz, 21 March"),
        reply_markup=keyboard(("More", "ev:1")),
    )
    assert await bot.answer_inline_query(query["inline_query"]["id"], [article]) is True
    chosen = server.inject.chosen_inline_result(6, "ev1", "nauryz")
    inline_id = chosen["chosen_inline_result"]["inline_message_id"]
    assert await bot.edit_message_text(text="Nauryz (updated)", inline_message_id=inline_id)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(text="Nauryz (updated)", inline_message_id=inline_id)
    assert server.state.inline_messages[inline_id].text == "Nauryz (updated)"


# -- other methods ---------------------------------------------------------------------


async def test_commands_are_stored_per_scope_and_language(bot: Bot) -> None:
    ru = [BotCommand(command="start", description="Начать")]
    kk = [BotCommand(command="start", description="Бастау")]
    scope = BotCommandScopeAllPrivateChats()
    assert await bot.set_my_commands(ru, scope=scope, language_code="ru")
    assert await bot.set_my_commands(kk, scope=scope, language_code="kk")
    got_kk = await bot.get_my_commands(scope=scope, language_code="kk")
    got_ru = await bot.get_my_commands(scope=scope, language_code="ru")
    assert [(c.command, c.description) for c in got_kk] == [("start", "Бастау")]
    assert [(c.command, c.description) for c in got_ru] == [("start", "Начать")]
    assert await bot.get_my_commands() == []
    assert await bot.delete_my_commands(scope=scope, language_code="ru")
    assert await bot.get_my_commands(scope=scope, language_code="ru") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])


async def test_location_venue_chat_action_and_get_chat(bot: Bot, server: DevServer) -> None:
    server.inject.location(12, 43.2389, 76.8897, first_name="Arman")
    location = await bot.send_location(12, latitude=51.1282, longitude=71.4306)
    assert location.location is not None and location.location.latitude == 51.1282
    venue = await bot.send_venue(12, 51.1282, 71.4306, "Embassy", "Astana, Kabanbay 1")
    assert venue.venue is not None and venue.venue.title == "Embassy"
    assert await bot.send_chat_action(12, "typing") is True
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(12, "dancing")
    chat = await bot.get_chat(12)
    assert chat.id == 12 and chat.first_name == "Arman"
    assert await bot.set_my_description("Dostyq") is True
    assert (await bot.get_my_description()).description == "Dostyq"


# -- faults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "extra", "error", "text"),
    [
        ("retry_after", {"retry_after": 7}, TelegramRetryAfter, "retry after 7"),
        ("forbidden", {}, TelegramForbiddenError, "bot was blocked by the user"),
        ("chat_not_found", {}, TelegramBadRequest, "chat not found"),
        ("server_error", {}, TelegramServerError, "Internal Server Error"),
        ("server_error", {"status": 502}, TelegramServerError, "Bad Gateway"),
    ],
)
async def test_fault_kinds_map_to_aiogram_exceptions(
    bot: Bot,
    server: DevServer,
    kind: str,
    extra: dict[str, Any],
    error: type[Exception],
    text: str,
) -> None:
    server.faults.add(kind, chat_id=100, **extra)
    with pytest.raises(error, match=text) as caught:
        await bot.send_message(100, "hi")
    if isinstance(caught.value, TelegramRetryAfter):
        assert caught.value.retry_after == 7
    # Chat-scoped: other chats are unaffected, the faulted chat stays faulted.
    assert (await bot.send_message(101, "hi")).text == "hi"
    with pytest.raises(error):
        await bot.send_message(100, "again")
    assert server.faults.clear(chat_id=100) == 1
    assert (await bot.send_message(100, "ok now")).text == "ok now"
    assert [m.text for m in server.messages_to(100)] == ["ok now"]


async def test_fault_times_methods_and_get_updates(bot: Bot, server: DevServer) -> None:
    server.faults.add("server_error", times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(1, "x")
    assert (await bot.send_message(1, "x")).text == "x"

    server.faults.add("retry_after", methods=["sendPhoto"], retry_after=3)
    assert (await bot.send_message(1, "text is fine")).text == "text is fine"
    with pytest.raises(TelegramRetryAfter):
        await bot.send_photo(1, "AgACfileid")
    server.faults.clear()

    # getUpdates is only faulted when asked for explicitly; polling then recovers.
    server.faults.add("server_error", methods=["getUpdates"], status=502, times=1)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.get_updates()
    assert await bot.get_updates() == []


async def test_probability_faults_are_reproducible_with_seed() -> None:
    async def pattern(seed: int) -> list[bool]:
        async with DevServer(seed=seed) as srv:
            srv.faults.add("forbidden", probability=0.5)
            other = Bot(TOKEN, session=TolerantSession(api=TelegramAPIServer.from_base(srv.url)))
            outcomes = []
            for i in range(30):
                try:
                    await other.send_message(i + 1, "x")
                    outcomes.append(True)
                except TelegramForbiddenError:
                    outcomes.append(False)
            await other.session.close()
            return outcomes

    first, second = await pattern(1), await pattern(1)
    assert first == second
    assert 5 < first.count(False) < 25


async def test_latency_fault_delays_answer(bot: Bot, server: DevServer) -> None:
    server.faults.add("latency", latency_ms=150, chat_id=1)
    started = time.monotonic()
    await bot.send_message(1, "slow")
    assert time.monotonic() - started >= 0.14


async def test_blocked_user_via_my_chat_member(bot: Bot, server: DevServer) -> None:
    update = server.inject.my_chat_member(77, blocked=True)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(77, "come back")
    server.inject.my_chat_member(77, blocked=False)
    assert (await bot.send_message(77, "welcome back")).text == "welcome back"
    [first, second] = await bot.get_updates()
    assert first.my_chat_member is not None and second.my_chat_member is not None


# -- limits ----------------------------------------------------------------------------


async def test_limits_per_chat_and_global(bot: Bot, server: DevServer) -> None:
    now = [1000.0]
    server.limiter.clock = lambda: now[0]
    server.set_limits(enabled=True)

    await bot.send_message(1, "first")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(1, "second within a second")
    assert caught.value.retry_after == 1
    now[0] += 1.0
    await bot.send_message(1, "after the window slid")

    now[0] += 5.0
    for chat in range(100, 130):
        await bot.send_message(chat, "broadcast")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(130, "31st in the same second")
    assert caught.value.retry_after == 1
    failed = server.get_calls("sendMessage", chat_id=130)[0]
    assert failed.status == 429

    now[0] += 5.0
    for _ in range(20):
        await bot.send_message(-100500, "group")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(-100500, "21st per minute")
    assert 50 <= caught.value.retry_after <= 60


async def test_limits_off_by_default(bot: Bot) -> None:
    for _ in range(5):
        await bot.send_message(1, "fast")


# -- test helpers ----------------------------------------------------------------------


async def test_wait_for_calls(bot: Bot, server: DevServer) -> None:
    mark = server.marker()
    waiter = asyncio.create_task(
        server.wait_for_calls(
            "sendMessage", lambda r: r.params["text"].startswith("b"), count=2, since=mark
        )
    )
    for text in ("a1", "b1", "a2", "b2"):
        await bot.send_message(1, text)
    records = await waiter
    assert [r.params["text"] for r in records] == ["b1", "b2"]
    with pytest.raises(TimeoutError, match="recent calls"):
        await server.wait_for_calls("sendMessage", count=5, since=mark, timeout=0.05)


# -- HTTP control surface -----------------------------------------------------------------


async def test_http_control_endpoints(
    bot: Bot, server: DevServer, http: aiohttp.ClientSession
) -> None:
    user = {"id": 31, "first_name": "Aigerim", "language_code": "kk"}
    async with http.post(
        "/_control/inject/command", json={"user": user, "command": "start", "args": "ref42"}
    ) as resp:
        assert resp.status == 200
        injected = (await resp.json())["result"]
    [update] = await bot.get_updates()
    assert update.update_id == injected["update_id"]
    assert update.message is not None and update.message.text == "/start ref42"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "kk"

    async with http.post("/_control/faults", json={"kind": "forbidden", "chat_id": 31}) as resp:
        fault = (await resp.json())["result"]
        assert fault["kind"] == "forbidden" and fault["chat_id"] == 31
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(31, "hi")
    async with http.delete("/_control/faults", params={"chat_id": "31"}) as resp:
        assert (await resp.json())["result"] == 1
    await bot.send_message(31, "Сәлем", reply_markup=keyboard(("Events", "events")))

    async with http.get(
        "/_control/calls", params={"method": "sendMessage", "chat_id": "31"}
    ) as resp:
        calls = (await resp.json())["result"]["calls"]
    assert [c["status"] for c in calls] == [403, 200]
    assert calls[1]["params"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Events"

    async with http.get("/_control/messages", params={"chat_id": "31"}) as resp:
        messages = (await resp.json())["result"]
    assert [m["text"] for m in messages] == ["Сәлем"]

    async with http.post(
        "/_control/inject/callback", json={"user_id": 31, "data": "events"}
    ) as resp:
        press = (await resp.json())["result"]
    assert press["callback_query"]["message"]["text"] == "Сәлем"

    async with http.post(
        "/_control/wait", json={"method": "sendMessage", "count": 2, "timeout": 1}
    ) as resp:
        assert len((await resp.json())["result"]["calls"]) == 2
    async with http.post("/_control/wait", json={"method": "sendPhoto", "timeout": 0.05}) as resp:
        assert resp.status == 408
    async with http.post("/_control/inject/message", json={"text": "no user"}) as resp:
        assert resp.status == 400

    async with http.post(
        "/_control/limits", json={"enabled": True, "private_per_second": 2}
    ) as resp:
        assert (await resp.json())["result"]["private_per_second"] == 2
    async with http.post("/_control/reset", json={}) as resp:
        assert resp.status == 200
    assert server.calls == [] and server.messages_to(31) == []


# -- a real dispatcher -------------------------------------------------------------------


async def test_dispatcher_polling_answers_start_and_callback(bot: Bot, server: DevServer) -> None:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        name = message.from_user.first_name if message.from_user else "?"
        await message.answer(f"Сәлем, {name}!", reply_markup=keyboard(("Events", "events")))

    @router.callback_query(F.data == "events")
    async def events(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("Upcoming events: none")
        await query.answer()

    dp = Dispatcher()
    dp.include_router(router)
    # The first getUpdates fails with 502: polling must back off and recover.
    server.faults.add("server_error", methods=["getUpdates"], status=502, times=1)
    fast_retry = BackoffConfig(min_delay=0.01, max_delay=0.05, factor=1.5, jitter=0.0)
    polling = asyncio.create_task(
        dp.start_polling(
            bot,
            handle_signals=False,
            handle_as_tasks=False,
            close_bot_session=False,
            backoff_config=fast_retry,
        )
    )
    try:
        await server.wait_consumed(server.inject.command(55, "/start", first_name="Dana"))
        [greeting] = server.messages_to(55)
        assert greeting.text == "Сәлем, Dana!"
        assert greeting.buttons[0][0]["callback_data"] == "events"

        press = server.inject.callback(55, "events", message_id=greeting.message_id)
        await server.wait_consumed(press)
        assert server.messages_to(55)[0].text == "Upcoming events: none"
        assert server.callback_answer(press["callback_query"]["id"]) is not None
        statuses = [r.status for r in server.get_calls("getUpdates")]
        assert statuses[0] == 502 and 200 in statuses
    finally:
        await dp.stop_polling()
        await polling
