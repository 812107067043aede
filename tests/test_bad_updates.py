"""One update the bot cannot decode (a Bot API newer than aiogram, or a server sending a
shape it should not) is logged and skipped: polling goes on for everyone else."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.runner import BotRunner
from devserver import DevServer
from tests.bots import polling

#: A message without the chat and date aiogram's model requires (a type the bot asks for:
#: the devserver drops those it does not, as Telegram does).
BROKEN = {"message": {"message_id": 999_999, "text": "hi"}}


@pytest.fixture
async def bot(settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    async with polling(settings, devserver) as runner:
        yield runner


async def test_polling_goes_on_past_an_update_that_does_not_decode(
    devserver: DevServer, bot: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    before = devserver.inject.message(7001, "/help", language_code="en")
    broken = devserver.inject.raw(BROKEN)
    after = devserver.inject.message(7002, "/help", language_code="en")
    await devserver.wait_consumed(after, timeout=15)
    assert devserver.messages_to(7001) and devserver.messages_to(7002)
    assert before["update_id"] < broken["update_id"] < after["update_id"]
    skipped = [r.getMessage() for r in caplog.records if "does not decode" in r.getMessage()]
    assert len(skipped) == 1 and f"update {broken['update_id']}" in skipped[0]


async def test_a_broken_update_last_in_the_queue_is_confirmed_too(
    devserver: DevServer, bot: BotRunner
) -> None:
    """The offset moves past it at once: it is not fetched again and again."""
    broken = devserver.inject.raw(BROKEN)
    await devserver.wait_consumed(broken, timeout=15)
    fetches = [c for c in devserver.get_calls("getUpdates")]
    later = devserver.inject.message(7003, "/help", language_code="en")
    await devserver.wait_consumed(later, timeout=15)
    assert devserver.messages_to(7003)
    # between the two, the bot asked for updates a handful of times, not in a hot loop
    assert len(devserver.get_calls("getUpdates")) - len(fetches) < 5
