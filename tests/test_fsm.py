"""Wizards survive restarts: aiogram's FSM state and data live in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.config import Settings
from bot.handlers.moderation.content import TypeReceptionCity
from bot.runner import BotRunner
from bot.storage.database import Database
from bot.storage.fsm import SQLStorage
from devserver import DevServer
from tests import sql
from tests.chat import Chat

ADMIN_ID = 5200
CITY_STEP = TypeReceptionCity.__scene_config__.state  # the reception wizard's step 2
TOKEN = "123456:TEST-token"


async def test_state_and_data_round_trip(database: Database) -> None:
    storage = SQLStorage(database)
    key = StorageKey(bot_id=1, chat_id=7_000_000_123, user_id=7_000_000_123)
    other = StorageKey(bot_id=1, chat_id=8, user_id=8)
    assert await storage.get_state(key) is None and await storage.get_data(key) == {}
    await storage.set_state(key, CITY_STEP)
    await storage.update_data(key, {"office": "ru-almaty", "note": {"kk": "Жазылу"}})
    assert await storage.get_state(key) == CITY_STEP
    assert await storage.get_data(key) == {"office": "ru-almaty", "note": {"kk": "Жазылу"}}
    await storage.set_state(key, None)  # the data stays until it is cleared too
    assert await storage.get_data(key) == {"office": "ru-almaty", "note": {"kk": "Жазылу"}}
    assert await storage.get_state(other) is None
    await storage.set_data(key, {})
    async with database.read() as conn:
        assert (await conn.exec_driver_sql("SELECT count(*) FROM fsm_states")).scalar() == 0


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_ids": (ADMIN_ID,)})


@asynccontextmanager
async def _running(settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    """The bot as one process runs it: polling the devserver until the block ends."""
    runner = BotRunner(settings, token=TOKEN, api_base=devserver.url, handle_as_tasks=False)
    async with runner:
        await devserver.wait_for_long_poll(timeout=10)
        yield runner


async def test_a_wizard_continues_after_a_restart(
    admin_settings: Settings, devserver: DevServer
) -> None:
    chat = Chat(devserver, ADMIN_ID, "en")
    async with _running(admin_settings, devserver) as runner:
        await chat.choose_language()
        await chat.send("/addreception")
        assert "Which office holds the reception?" in (chat.last.text or "")
        office = next(d for d in chat.datas() if d.startswith("mdc:office:"))
        await chat.press(office)
        assert "Step 2" in (chat.last.text or "")
        assert runner.db is not None
        # (the Scenes' history is a row of its own, without a state)
        rows = await sql.fetchall(runner.db, "SELECT state FROM fsm_states WHERE state IS NOT NULL")
        assert [r[0] for r in rows] == [CITY_STEP]
    # a new process: the same database, the wizard goes on at step 2
    async with _running(admin_settings, devserver):
        await chat.send("Талдыкорган")
        text = chat.last.text or ""
        assert "Step 3" in text, text
