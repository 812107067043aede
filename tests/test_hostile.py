"""Hostile input through the real dispatcher, answering into the devserver: over two
hundred texts, commands, buttons, files, chat shapes and inline queries that no polite
user sends, from users who chose Russian, Kazakh or English.

For each input: the bot answers (or, where a bot should, ignores it), in the user's own
language; nothing is logged as an error; every call it makes keeps Telegram's rules
(`tests/protocol.py`); and nothing stored changes that the input did not mean to change.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import text

from bot.runner import BotRunner
from devserver import DevServer
from devserver.records import CallRecord
from tests.conftest import FedBot
from tests.protocol import violations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
USERS = {"ru": 8101, "kk": 8102, "en": 8103}
#: What no input may change (users and their questions change as they should: a text is
#: a question, and the row's last_seen moves).
GUARDED_TABLES = (
    "subscriptions", "announcements", "outbox", "moderators", "audit_log", "receptions",
    "offices", "consular_details", "reception_reminders",
)  # fmt: skip

# -- the inputs ------------------------------------------------------------------------------

ODD_TEXTS = [
    " ", "\n\n", "\t", "a", "?", "...", "👍", "😀" * 50, "👨‍👩‍👧‍👦", "🏳️‍🌈", "\u200f\u202eabc",
    "\u200b", "e\u0301\u0301\u0301", "Z̴̡̛̳̩̓a̸l̷g̶o̵", "\x00", "a\x00b", "\x01\x02\x03", "\x7f",
    "\ud800", "\udfff abc", "\ufeff", "\uffff", "𝕳𝖊𝖑𝖑𝖔", "ＡＢＣ", "السلام عليكم", "שלום",
    "你好", "こんにちは", "Привет", "Сәлем", "Hello", "<b>bold</b>", "<script>alert(1)</script>",
    "</i>", "&amp;", "&lt;", "<a href='javascript:alert(1)'>x</a>", "<b><i>unclosed",
    "*bold* _it_ `code` [link](http://x)", "~~~", "||spoiler||", "\\", '"', "'", "`",
    "'; DROP TABLE users; --", "1 OR 1=1", '" OR ""="', "SELECT * FROM users",
    "NEAR(a b)", "a AND OR NOT", '"unterminated', "col:value", "*", "^", "a*", "(", ")",
    "{}", "[]", "-", "+", "a - b", "NOT", "title:Алматы", 'MATCH "x"', "x" * 4096,
    "я" * 4096, "word " * 800, "a" * 300, "Талдықорған" * 50, "123", "0", "-1", "3.14",
    "1e308", "999999999999999999999", "43.24 76.95", "12.12.2025", "2025-13-45",
    "Talдыкорган", "Kазақстан", "ALMATY", "алматы", "almaty!!!", "Алматы?",
    "http://example.com", "https://t.me/joinchat/xyz", "@username", "#hashtag", "$cash",
    "+7 700 000 00 00", "mail@example.com", "🇰🇿🇷🇺", "Қазақстан мен Ресей", "Kazakhstan?",
    "%s %d {0} {name}", "{{7*7}}", "${jndi:ldap://x}", "../../etc/passwd", "C:\\Windows",
    "\r\n", "\u2028\u2029", "ǅ", "İstanbul", "ß", "ﬁ", "Ⅻ", "①②③", "½", "°C", "∞",
]  # fmt: skip

COMMANDS = [
    "/start garbage", "/start " + "x" * 200, "/help me", "/forget now", "/location abc",
    "/location 999 999", "/location 91 181", "/location", "/location 43,24 76,95",
    "/consular xyz", "/events 2099", "/history !!!", "/subscriptions x", "/menu ''",
    "/language zz", "/about /about", "/privacy?", "/unknown", "/START", "/HeLp",
    "/start@OtherBot", "/help@dostyq_bot", "/", "//", "/123", "/cancel", "/whoami",
    "/announce", "/addoffice", "/addreception", "/audit", "/moderators", "/gaps",
    "/announcements", "/addevent", "/" + "a" * 40, "/start\x00", "/help 😀",
]  # fmt: skip

PREFIXES = [
    "lang", "m", "forget", "r", "v", "t", "ta", "ev", "ef", "e", "c", "co", "cs", "cr", "cm",
    "cmo", "s", "sv", "mdm", "mda", "mdl", "mdra", "mde", "mdu", "mdc", "rem",
]  # fmt: skip

CALLBACKS = [
    *(f"{prefix}:garbage:1:2:3" for prefix in PREFIXES),
    *(f"{prefix}:" for prefix in PREFIXES),
    "lang:xx", "lang:ru:extra", "forget:1", "forget:1:ffffffff", "forget:maybe",
    "cr:" + "x" * 55, "s:r:nowhere:0", "s:t:nowhere:0", "r:999999:0", "r:abc:0",
    "v:999999:0:1", "mde:ru-consulate-general-almaty:1:venue", "mdc:confirm:reception",
    "x" * 64, "💥", ":", "::::", "m:home", "c:home", "c:next", "ev:0:0::::1",
]  # fmt: skip

INLINE = [
    " ", "a" * 256, "<b>", "'; DROP", "NEAR(", "😀", "\u202e", "Алматы", "?", "*",
    '"', "consul", "Тұраев", "1" * 64, "\x00",
]  # fmt: skip


@dataclass
class Case:
    name: str
    lang: str
    update: dict[str, Any]
    reply: bool = True  # False: a bot should ignore it
    extra: dict[str, Any] = field(default_factory=dict)


# -- English a Russian or Kazakh reader should never see ---------------------------------------


@cache
def english_ui(lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """(clauses of 14 characters or more, whole labels) of the bot's English strings that
    `lang` translates."""
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    fragments, labels = set(), set()
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        translated = " ".join(strings)
        for english in ids:
            if english in translated:
                continue  # the same in both (a name, an emoji)
            labels.add(english)
            for part in re.split(r"\{[^}]*\}|[.,;:!?()«»“”\n]", english):
                part = part.strip()
                if len(part) >= 14 and part not in translated:
                    fragments.add(part)
    return frozenset(fragments), frozenset(labels)


def leaks(lang: str, texts: list[str], labels: list[str]) -> list[str]:
    if lang == "en":
        return []
    fragments, whole = english_ui(lang)
    found = [f for t in texts for f in fragments if f in t]
    for label in labels:
        bare = re.sub(r"^[^\w«“(]+", "", label).strip()
        if bare in whole:
            found.append(label)
    return found


# -- running one input -------------------------------------------------------------------------


def what_the_user_saw(server: DevServer, uid: int, since: int) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for call in server.get_calls(since=since):
        params = call.params
        if call.method == "answerCallbackQuery" and params.get("text"):
            texts.append(str(params["text"]))
            continue
        if call.chat_id != uid:
            continue
        for key in ("text", "caption", "title", "address"):
            if params.get(key):
                texts.append(str(params[key]))
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            for row in markup.get("inline_keyboard") or markup.get("keyboard") or []:
                labels += [str(b.get("text", "")) for b in row]
    return texts, labels


async def snapshot(runner: BotRunner) -> dict[str, Any]:
    assert runner.db is not None
    found: dict[str, Any] = {}
    async with runner.db.read() as conn:
        for table in GUARDED_TABLES:
            rows = (await conn.execute(text(f"SELECT * FROM {table}"))).all()
            found[table] = sorted(map(tuple, rows), key=repr)
        locales = await conn.execute(text("SELECT id, locale FROM users ORDER BY id"))
        found["locales"] = [tuple(r) for r in locales.all()]
    return found


async def chosen(fed: FedBot) -> dict[str, int]:
    """Three users who chose their language; returns each one's last message id."""
    last: dict[str, int] = {}
    for lang, uid in USERS.items():
        await fed.feed(fed.server.inject.command(uid, "/start", language_code="de"))
        picker = fed.server.messages_to(uid)[-1]
        await fed.feed(
            fed.server.inject.callback(uid, f"lang:{lang}", message_id=picker.message_id)
        )
        last[lang] = fed.server.messages_to(uid)[-1].message_id
    return last


def base_message(uid: int, **content: Any) -> dict[str, Any]:
    chat = content.pop("chat", {"id": uid, "type": "private", "first_name": "U"})
    sender = content.pop("sender", {"id": uid, "is_bot": False, "first_name": "U"})
    return {
        "message_id": 900_000 + uid,
        "date": 1_764_000_000,
        "chat": chat,
        "from": sender,
        **content,
    }


_ids = iter(range(50_000_000, 60_000_000))


def raw(**body: Any) -> dict[str, Any]:
    return {"update_id": next(_ids), **body}


def cases(server: DevServer, last: dict[str, int]) -> list[Case]:
    inject = server.inject
    langs = list(USERS)
    found: list[Case] = []

    def lang_of(i: int) -> str:
        return langs[i % len(langs)]

    for i, value in enumerate(ODD_TEXTS):
        lang = lang_of(i)
        found.append(Case(f"text {value[:20]!r}", lang, inject.message(USERS[lang], value)))
    for i, value in enumerate(COMMANDS):
        lang = lang_of(i)
        found.append(Case(f"command {value[:20]!r}", lang, inject.message(USERS[lang], value)))
    for i, data in enumerate(CALLBACKS):
        lang = lang_of(i)
        uid = USERS[lang]
        update = inject.callback(uid, data or "-", message_id=last[lang], check_button=False)
        found.append(Case(f"button {data[:24]!r}", lang, update))
    for i, query in enumerate(INLINE):
        lang = lang_of(i)
        found.append(Case(f"inline {query[:20]!r}", lang, inject.inline_query(USERS[lang], query)))
    for i, lang in enumerate(langs * 2):
        uid = USERS[lang]
        found += [
            Case("photo", lang, inject.photo(uid)),
            Case("sticker", lang, inject.sticker(uid)),
            Case("binary file", lang, inject.document(uid, b"\x00\x01\xff" * 10, "x.bin")),
            Case("text file", lang, inject.document(uid, "Привет".encode(), "news.txt")),
            Case("location", lang, inject.location(uid, 43.24 + i, 76.95)),
            Case("location 0 0", lang, inject.location(uid, 0.0, 0.0)),
        ]
    for lang, uid in USERS.items():
        private = base_message
        found += [
            Case("voice", lang, raw(message=private(uid, voice={
                "file_id": "v1", "file_unique_id": "v1", "duration": 1}))),
            Case("video", lang, raw(message=private(uid, video={
                "file_id": "v2", "file_unique_id": "v2", "width": 1, "height": 1, "duration": 1}))),
            Case("contact", lang, raw(message=private(uid, contact={
                "phone_number": "+70000000000", "first_name": "X"}))),
            Case("dice", lang, raw(message=private(uid, dice={"emoji": "🎲", "value": 3}))),
            Case("venue", lang, raw(message=private(uid, venue={
                "location": {"latitude": 43.2, "longitude": 76.9}, "title": "<b>x</b>",
                "address": "'; DROP"}))),
            Case("forwarded question", lang, raw(message=private(uid, text="Who is Turaev?",
                forward_origin={"type": "hidden_user", "date": 1, "sender_user_name": "X"}))),
            Case("via bot", lang, raw(message=private(uid, text="hi", via_bot={
                "id": 42, "is_bot": True, "first_name": "B", "username": "other_bot"}))),
            # what a bot should ignore: other chats, other bots, edits, channel posts
            Case("group text", lang, raw(message=private(uid, text="/start",
                chat={"id": -1001, "type": "group", "title": "G"})), reply=False),
            Case("supergroup text", lang, raw(message=private(uid, text="hello",
                chat={"id": -1002, "type": "supergroup", "title": "S"})), reply=False),
            Case("channel post", lang, raw(channel_post=private(uid, text="/help",
                chat={"id": -1003, "type": "channel", "title": "C"})), reply=False),
            Case("from a bot", lang, raw(message=private(uid, text="/start", sender={
                "id": uid + 1_000_000, "is_bot": True, "first_name": "B"})), reply=False),
            Case("edited message", lang, raw(edited_message={
                **private(uid, text="/help"), "edit_date": 1_764_000_100}), reply=False),
            Case("bot stopped", lang, raw(my_chat_member={
                "chat": {"id": -2000 - uid, "type": "group", "title": "G"},
                "from": {"id": uid, "is_bot": False, "first_name": "U"}, "date": 1,
                "old_chat_member": {"status": "member", "user": {
                    "id": 1, "is_bot": True, "first_name": "Dostyq"}},
                "new_chat_member": {"status": "left", "user": {
                    "id": 1, "is_bot": True, "first_name": "Dostyq"}}}), reply=False),
        ]  # fmt: skip
    return found


def answered(server: DevServer, case: Case, since: int) -> bool:
    calls = server.get_calls(since=since)
    if "callback_query" in case.update:
        return any(c.method == "answerCallbackQuery" for c in calls)
    if "inline_query" in case.update:
        return any(c.method == "answerInlineQuery" for c in calls)
    uid = USERS[case.lang]
    return any(c.chat_id == uid and c.method.startswith(("send", "edit")) for c in calls)


async def test_two_hundred_hostile_inputs(fed: FedBot, caplog: pytest.LogCaptureFixture) -> None:
    server = fed.server
    last = await chosen(fed)
    before = await snapshot(fed.runner)
    tour_end = server.marker()
    all_cases = cases(server, last)
    assert len(all_cases) >= 200
    caplog.set_level(logging.WARNING)
    problems: list[str] = []
    for case in all_cases:
        mark = server.marker()
        await fed.feed(case.update)
        if case.reply and not answered(server, case, mark):
            problems.append(f"{case.name} ({case.lang}): no reply")
        if not case.reply and server.get_calls(since=mark):
            problems.append(f"{case.name}: answered what it should ignore")
        texts, labels = what_the_user_saw(server, USERS[case.lang], mark)
        for leak in leaks(case.lang, texts, labels):
            problems.append(f"{case.name} ({case.lang}): English {leak!r}")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    problems += [f"logged: {r.getMessage()[:200]}" for r in errors]
    problems += violations(server.get_calls(since=tour_end))
    assert await snapshot(fed.runner) == before
    assert problems == []


def test_the_checks_catch_what_they_look_for() -> None:
    """The suite's checks are not vacuous: English in a Russian reply is found, and so
    are calls Telegram would refuse."""
    assert leaks("ru", ["I could not find an answer to this in my sources, so I'd rather"], [])
    assert leaks("kk", [], ["◀️ Main menu"])
    assert not leaks("ru", ["Не удалось найти ответ"], ["◀️ Главное меню"])
    assert not leaks("en", ["I could not find an answer to this in my sources"], [])
    bad = [
        CallRecord(1, "sendMessage", {"text": "", "reply_markup": {"inline_keyboard": [[
            {"text": "x", "callback_data": "я" * 40}]]}}, [], 1, 0.0, 200),
        CallRecord(2, "answerCallbackQuery", {"text": "x" * 201}, [], None, 0.0, 200),
        CallRecord(3, "answerInlineQuery", {"results": [{"id": "a"}, {"id": "a"}]}, [], None,
                   0.0, 200),
        CallRecord(4, "setMyCommands", {"commands": [{"command": "Start", "description": "x"}]},
                   [], None, 0.0, 200),
        CallRecord(5, "editMessageText", {"text": "x"}, [], 1, 0.0, 400,
                   error="Bad Request: message is not modified"),
    ]  # fmt: skip
    found = violations(bad)
    for expected in ("a text of 0", "callback_data of 80 bytes", "callback answer of 201",
                     "ids repeat", "command name 'Start'", "not modified"):  # fmt: skip
        assert any(expected in problem for problem in found), (expected, found)


async def test_a_user_who_blocks_the_bot_mid_search_is_remembered_not_an_error(
    fed: FedBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    last = await chosen(fed)
    uid = USERS["kk"]
    await fed.feed(
        fed.server.inject.callback(uid, "c:city", message_id=last["kk"], check_button=False)
    )
    fed.server.faults.add("blocked", chat_id=uid)
    await fed.feed(fed.server.inject.message(uid, "Алматы"))
    record = await fed.users.get(uid)
    assert record is not None and record.blocked
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    # back again: unblocked on the next message, and answered
    fed.server.faults.clear(chat_id=uid)
    await fed.feed(fed.server.inject.message(uid, "/menu"))
    record = await fed.users.get(uid)
    assert record is not None and not record.blocked
    assert "қош келдіңіз" in (fed.server.messages_to(uid)[-1].text or "")
