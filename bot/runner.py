"""Run the bot: open its resources, poll, and close everything on the way out.

`BotRunner` is the one place that wires settings, database, catalogues, bot and
dispatcher together; `run`, the console and the end-to-end tests all use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterator
from datetime import date
from types import TracebackType

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import I18n
from aiohttp import web
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from bot.i18n import create_i18n
from bot.kb.search import KnowledgeBase
from bot.metrics import RetryAfterCounter
from bot.services.knowledge import prepare_kb
from bot.session import build_common_types
from bot.storage.database import Database
from bot.web.server import create_status_app, create_web_app

log = logging.getLogger(__name__)


def connect_redis(url: str) -> Redis:
    """A Redis client that survives connections the server (or a proxy) closed: idle
    pooled connections are pinged before use, and a command that meets a closed one is
    retried on a new one (three times, with a short backoff)."""
    return Redis.from_url(
        url,
        health_check_interval=5,
        socket_keepalive=True,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=3),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )


@contextlib.contextmanager
def _signals_set(event: asyncio.Event, *, enabled: bool) -> Iterator[None]:
    """SIGTERM and SIGINT set `event` (instead of killing the process) while inside."""
    if not enabled:
        yield
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, event.set)
    try:
        yield
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


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
        self.redis: Redis | None = None
        self.bot: Bot | None = None
        self.dp: Dispatcher | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop_webhook: asyncio.Event | None = None
        self.webhook_port: int | None = None  # the port the webhook listens on, once it does
        self.health_port: int | None = None  # when polling: health and metrics

    async def open(self) -> Dispatcher:
        """Open the database and build the bot and dispatcher (no polling yet)."""
        self.db = await Database.open(self.settings.db_url)
        self.broadcast_db = self.db.sibling()
        self.i18n = i18n = create_i18n(self.settings.default_locale)
        built = await prepare_kb(self.db, self.settings)
        if built is not None:
            log.info("knowledge base built: %s", built.line())
        self.kb = KnowledgeBase(self.settings.kb_path)
        if self.settings.redis_url:
            self.redis = connect_redis(self.settings.redis_url)
        self.dp = create_dispatcher(
            self.settings,
            db=self.db,
            i18n=i18n,
            kb=self.kb,
            today=self.today,
            broadcast_db=self.broadcast_db,
            redis=self.redis,
        )
        self.bot = create_bot(self.token, self.api_base)
        self.bot.session.middleware(RetryAfterCounter(self.dp["metrics"]))
        build_common_types()
        return self.dp

    async def poll(self, *, handle_signals: bool = True) -> None:
        """Poll in the foreground until a signal (or `stop`)."""
        assert self.dp is not None and self.bot is not None
        await self.bot.delete_webhook()  # a webhook left from webhook mode blocks getUpdates
        status = await self._serve_status()
        try:
            await self.dp.start_polling(
                self.bot,
                handle_signals=handle_signals,
                handle_as_tasks=self.handle_as_tasks,
                polling_timeout=10,
            )
        finally:
            if status is not None:
                await status.cleanup()

    async def _serve_status(self) -> web.AppRunner | None:
        """When polling with `HEALTH_PORT` set: health and metrics on that port."""
        if self.settings.health_port is None:
            return None
        assert self.dp is not None
        runner = web.AppRunner(create_status_app(self.dp), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.health_host, self.settings.health_port)
        await site.start()
        self.health_port = int(runner.addresses[0][1])
        return runner

    async def serve_webhook(self, *, handle_signals: bool = True) -> None:
        """Serve the webhook until a signal (or `stop`): register it with the Bot API,
        then answer Telegram's POSTs, each once its update is handled."""
        assert self.dp is not None and self.bot is not None
        settings = self.settings
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        app = create_web_app(settings, self.dp, self.bot)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=settings.shutdown_grace_s)
        await runner.setup()  # runs the dispatcher's startup
        try:
            site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
            await site.start()
            self.webhook_port = int(runner.addresses[0][1])
            await self.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=self.dp.resolve_used_update_types(),
            )
            log.info("serving the webhook %s on port %s", settings.webhook_url, self.webhook_port)
            self._stop_webhook = asyncio.Event()
            with _signals_set(self._stop_webhook, enabled=handle_signals):
                await self._stop_webhook.wait()
        finally:
            # stops listening, lets requests in flight finish, then the dispatcher's
            # shutdown (the webhook stays registered: other instances may serve it)
            await runner.cleanup()

    async def serve(self, *, handle_signals: bool = True) -> None:
        """By webhook when `WEBHOOK_URL` is set, else by long polling."""
        if self.settings.webhook_url:
            await self.serve_webhook(handle_signals=handle_signals)
        else:
            await self.poll(handle_signals=handle_signals)

    async def start(self) -> None:
        """Open and serve in a background task; returns once serving has started."""
        await self.open()
        self._task = asyncio.create_task(self.serve(handle_signals=False), name="bot-serving")
        await asyncio.sleep(0)

    async def stop(self) -> None:
        if self._task is not None and self._stop_webhook is not None:
            self._stop_webhook.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=self.settings.shutdown_grace_s + 10)
            self._task = None
        if self._task is not None and self.dp is not None:
            try:
                await self.dp.stop_polling()
            except RuntimeError:  # polling never started or already ended
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=self.settings.shutdown_grace_s + 10)
            self._task = None
        if self.bot is not None:
            await self.bot.session.close()
        if self.broadcast_db is not None and self.broadcast_db is not self.db:
            await self.broadcast_db.close()
        if self.redis is not None:
            await self.redis.aclose()
            self.redis = None
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
    """`python -m bot run` with a token: poll the configured Bot API, or serve the webhook,
    until interrupted."""
    assert settings.bot_token is not None
    runner = BotRunner(
        settings, token=settings.bot_token.get_secret_value(), api_base=settings.telegram_api_base
    )
    await runner.open()
    try:
        await runner.serve()
    finally:
        await runner.stop()
