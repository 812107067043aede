"""Faults during normal use (not only in broadcasts): the devserver answers getUpdates
with 5xx, 429, 409 and latency, and a reply with 5xx. Polling recovers by itself, a
reply that fails is logged and replaced by an apology, and the next update is answered
as usual."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.runner import BotRunner
from devserver import DevServer
from tests.bots import polling

UID = 7301


@pytest.fixture
async def bot(settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    async with polling(settings, devserver) as runner:
        yield runner


async def test_polling_recovers_from_errors_on_get_updates(
    devserver: DevServer, bot: BotRunner
) -> None:
    faults = devserver.faults
    faults.add("500", methods=["getUpdates"], times=2)
    faults.add("429", methods=["getUpdates"], times=1, retry_after=1)
    faults.add("custom", methods=["getUpdates"], times=1, status=409,
               description="Conflict: terminated by other getUpdates request")  # fmt: skip
    faults.add("latency", methods=["getUpdates"], times=2, latency_ms=300)
    update = devserver.inject.message(UID, "/help", language_code="en")
    await devserver.wait_consumed(update, timeout=60)
    refused = [c.status for c in devserver.get_calls("getUpdates") if not c.ok]
    assert sorted(refused) == [409, 429, 500, 500]
    assert "How to use Dostyq" in (devserver.messages_to(UID)[-1].text or "")


async def test_a_reply_that_fails_is_logged_and_the_next_one_goes_out(
    devserver: DevServer, bot: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    devserver.faults.add("502", chat_id=UID, methods=["sendMessage"], times=1)
    update = devserver.inject.message(UID, "/help", language_code="en")
    await devserver.wait_consumed(update, timeout=30)
    assert any("failed" in r.getMessage() for r in caplog.records)  # one line, not a crash
    assert "Sorry, something went wrong" in (devserver.messages_to(UID)[-1].text or "")
    update = devserver.inject.message(UID, "/help", language_code="en")
    await devserver.wait_consumed(update, timeout=30)
    assert "How to use Dostyq" in (devserver.messages_to(UID)[-1].text or "")
