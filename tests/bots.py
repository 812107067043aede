"""The bot as the end-to-end tests run it: polling the devserver with settings of the
test's own, and a user typing or pressing a button's data as it is."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.kb.sources import DATA_DIR, INGESTED
from bot.runner import BotRunner
from devserver import DevServer
from tests.protocol import violations


def with_own_data(settings: Settings, tmp_path: Path, **update: Any) -> Settings:
    """A data folder and a KB of the test's own (what moderators add there stays there)."""
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir, ignore=shutil.ignore_patterns(INGESTED))
    return settings.model_copy(
        update={"data_dir": data_dir, "kb_path": tmp_path / "kb.db", **update}
    )


@asynccontextmanager
async def polling(
    settings: Settings,
    devserver: DevServer,
    *,
    token: str = "123456:TEST",
    today: Callable[[], date] | None = None,
) -> AsyncIterator[BotRunner]:
    """The bot polling the devserver; afterwards, every call it made must have kept
    Telegram's rules (`tests.protocol`)."""
    runner = BotRunner(
        settings, token=token, api_base=devserver.url, handle_as_tasks=False, today=today
    )
    async with runner:
        await devserver.wait_for_long_poll(timeout=10)
        yield runner
    problems = violations(devserver.calls)
    assert not problems, problems


async def say(
    server: DevServer, uid: int, text: str, lang: str = "en", *, first_name: str | None = None
) -> str:
    update = server.inject.message(uid, text, language_code=lang, first_name=first_name)
    await server.wait_consumed(update, timeout=15)
    return server.messages_to(uid)[-1].text or ""


async def press(server: DevServer, uid: int, data: str) -> dict[str, Any]:
    """A button's data sent as it is (forged or stale, maybe: no button is checked)."""
    update = server.inject.callback(uid, data, check_button=False)
    await server.wait_consumed(update, timeout=15)
    return update
