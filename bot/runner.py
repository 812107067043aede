"""Run the bot: open its resources, poll, and close everything on the way out.

`BotRunner` is the one place that wires settings, database, catalogues, bot and
dispatcher together; `run`, the console and the end-to-end tests all use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date
from types import TracebackType

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import I18n

from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from bot.i18n import create_i18n
from bot.kb.search import KnowledgeBase
from bot.services.knowledge import prepare_kb
from bot.storage.database import Database

log = logging.getLogger(__name__)


class BotRunner:
    """Polls `api_base` with `token` until stopped."""

    def __init__(
        self,
        settings: Settings,
        *,
        token: str,
        api_base: str,
        handle_as_tasks: bool = True,
        today: Callable[[], date] | None = None,
    ) -> None:
        self.settings = settings
        self.token = token
        self.api_base = api_base
        self.handle_as_tasks = handle_as_tasks
        self.today = today
        self.i18n: I18n | None = None
        self.db: Database | None = None
        self.broadcast_db: Database | None = None  # the broadcast engine's own pool
        self.kb: KnowledgeBase | None = None
        self.bot: Bot | None = None
        self.dp: Dispatcher | None = None
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> Dispatcher:
        """Open the database and build the bot and dispatcher (no polling yet)."""
        self.db = await Database.open(self.settings.db_url)
        self.broadcast_db = self.db.sibling()
        self.i18n = i18n = create_i18n(self.settings.default_locale)
        built = await prepare_kb(self.db, self.settings)
        if built is not None:
            log.info("knowledge base built: %s", built.line())
        self.kb = KnowledgeBase(self.settings.kb_path)
        self.dp = create_dispatcher(
            self.settings,
            db=self.db,
            i18n=i18n,
            kb=self.kb,
            today=self.today,
            broadcast_db=self.broadcast_db,
        )
        self.bot = create_bot(self.token, self.api_base)
        return self.dp

    async def poll(self, *, handle_signals: bool = True) -> None:
        """Poll in the foreground until a signal (or `stop`)."""
        assert self.dp is not None and self.bot is not None
        await self.dp.start_polling(
            self.bot,
            handle_signals=handle_signals,
            handle_as_tasks=self.handle_as_tasks,
            polling_timeout=10,
        )

    async def start(self) -> None:
        """Open and poll in a background task; returns once polling has started."""
        await self.open()
        self._task = asyncio.create_task(self.poll(handle_signals=False), name="bot-polling")
        await asyncio.sleep(0)

    async def stop(self) -> None:
        if self._task is not None and self.dp is not None:
            try:
                await self.dp.stop_polling()
            except RuntimeError:  # polling never started or already ended
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=15)
            self._task = None
        if self.bot is not None:
            await self.bot.session.close()
        if self.broadcast_db is not None and self.broadcast_db is not self.db:
            await self.broadcast_db.close()
        if self.db is not None:
            await self.db.close()
        self.db = self.broadcast_db = None
        if self.kb is not None:
            self.kb.close()
            self.kb = None

    async def __aenter__(self) -> BotRunner:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


async def run_live(settings: Settings) -> None:
    """`python -m bot run` with a token: poll the configured Bot API until interrupted."""
    assert settings.bot_token is not None
    runner = BotRunner(
        settings, token=settings.bot_token.get_secret_value(), api_base=settings.telegram_api_base
    )
    await runner.open()
    try:
        await runner.poll()
    finally:
        await runner.stop()
