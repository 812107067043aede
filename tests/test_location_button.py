"""Mobile-first location (issue 12): the consular "near me" flow asks with a reply-keyboard
button that shares the location, offers a way back, and takes the keyboard away once the
location arrives; `/location LAT LON` typed by hand gives the same answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from bot.config import Settings
from bot.runner import BotRunner
from devserver import DevServer
from tests.chat import Chat

UID = 3300


@pytest.fixture
async def bot(settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    runner = BotRunner(
        settings,
        token="123456:TEST",
        api_base=devserver.url,
        handle_as_tasks=False,
        today=lambda: date(2026, 11, 22),
    )
    async with runner:
        await devserver.wait_for_long_poll(timeout=10)
        yield runner
        bad = [c for c in devserver.calls if c.status == 400 and c.method != "editMessageText"]
        assert bad == [], [(c.method, c.error) for c in bad]


async def ask_for_location(chat: Chat) -> dict[str, Any]:
    await chat.choose_language()
    await chat.send("/consular")
    await chat.press(label="📍 Near me")
    return chat.last.reply_markup or {}


def assert_nearest(listing_text: str) -> None:
    assert "Nearest to you" in listing_text
    assert "Taldykorgan" in listing_text and " km" in listing_text


async def test_near_me_asks_with_a_location_button_and_a_way_back(
    devserver: DevServer, bot: BotRunner
) -> None:
    chat = Chat(devserver, UID, lang="en")
    markup = await ask_for_location(chat)
    assert "Share your location" in (chat.last.text or "")
    assert "/location" in (chat.last.text or "")  # for clients that cannot share one
    [share], [back] = markup["keyboard"]
    assert share["request_location"] is True and share["text"].startswith("📍 ")
    assert back["text"] == "Cancel" and not back.get("request_location")
    assert markup["one_time_keyboard"] is True and markup["resize_keyboard"] is True
    # the way back: the keyboard goes, the main menu comes
    await chat.send("Cancel")
    cancelled, menu = devserver.messages_to(UID)[-2:]
    assert (cancelled.reply_markup or {}).get("remove_keyboard") is True
    assert menu.buttons  # the inline main menu


async def test_sharing_the_location_lists_the_nearest_and_removes_the_keyboard(
    devserver: DevServer, bot: BotRunner
) -> None:
    chat = Chat(devserver, UID, lang="en")
    await ask_for_location(chat)
    mark = devserver.marker()
    update = devserver.inject.location(UID, 45.01, 78.37)  # Taldykorgan
    await devserver.wait_consumed(update, timeout=10)
    listing, details = devserver.messages_to(UID)[-2:]
    assert_nearest(listing.text or "")
    assert (listing.reply_markup or {}).get("remove_keyboard") is True
    assert "Consulate General of Russia in Almaty" in (details.text or "")
    assert "cr:taldykorgan-2025-09-10" in [
        b.get("callback_data") for r in details.buttons for b in r
    ]
    # nothing after it brings the reply keyboard back
    later = devserver.get_calls("sendMessage", since=mark)
    markups = [c.params.get("reply_markup") or {} for c in later]
    assert markups[0] == {"remove_keyboard": True}
    assert not any("keyboard" in markup for markup in markups[1:])


async def test_a_typed_location_gives_the_same_answer(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, UID, lang="en")
    await ask_for_location(chat)
    await chat.send("/location 45.01 78.37")
    listing, _details = devserver.messages_to(UID)[-2:]
    assert_nearest(listing.text or "")
    assert (listing.reply_markup or {}).get("remove_keyboard") is True
    await chat.send("/location 45,01, 78,37")  # decimal commas
    assert_nearest(devserver.messages_to(UID)[-2].text or "")
    for wrong in ("/location", "/location here", "/location 95 10", "/location 10 200"):
        await chat.send(wrong)
        assert "Type the latitude and longitude after /location" in (chat.last.text or ""), wrong
