"""``DevServer``: a local fake of the Telegram Bot API for an unchanged aiogram bot.

Point aiogram at it with
``AiohttpSession(api=TelegramAPIServer.from_base(server.url))``; requests arrive
as ``POST /bot<token>/<method>`` and downloads as ``GET /file/bot<token>/<path>``.
Tests drive it in-process (``server.inject.*``, ``server.faults``,
``wait_for_calls``...), other processes through ``/_control/`` (see control.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Collection, Mapping
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from . import control
from .context import Ctx
from .errors import ApiError, retry_after
from .faults import FaultInjector
from .inject import Injector
from .limits import SEND_METHODS, LimitConfig, RateLimiter
from .methods import resolve
from .params import ChatKey, Params, chat_key
from .parsing import TOKEN_RE, read_params
from .records import CallListener, CallLog, CallPredicate, CallRecord
from .state import DEFAULT_BOT_NAME, DEFAULT_BOT_USERNAME, BotState, StoredMessage
from .updates import UpdateQueue
from .webhook import WebhookDelivery

log = logging.getLogger(__name__)

MAX_UPLOAD = 50 * 1024 * 1024
DOWNLOAD_METHOD = "downloadFile"


def _json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type="application/json",
    )


class DevServer:
    """Fake Bot API server with recorded calls, injected updates, faults and limits."""

    def __init__(
        self,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_name: str = DEFAULT_BOT_NAME,
        seed: int | None = 0,
        limits: LimitConfig | None = None,
        tokens: Collection[str] | None = None,
    ) -> None:
        """``tokens``: if given, only these tokens are accepted (others get 401)."""
        self.state = BotState(bot_username, bot_name)
        self.updates = UpdateQueue()
        self.log = CallLog()
        self.faults = FaultInjector(seed)
        self.limiter = RateLimiter(limits)
        self.inject = Injector(self.state, self.updates, self.faults)
        self.webhook = WebhookDelivery(self.updates)
        self.api_in_flight = 0  # Bot API requests being served (getUpdates long polls too)
        self.tokens = frozenset(tokens) if tokens is not None else None
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port = 0

    # -- lifecycle -------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0 picks a free port); returns :attr:`url`."""
        if self._runner is not None:
            raise RuntimeError("DevServer is already running")
        self.updates.closed = False
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])
        return self.url

    async def stop(self) -> None:
        """Release long polls, then close the listener and connections."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self.updates.close()
        await self.webhook.delete()
        await asyncio.sleep(0)
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Base URL for ``TelegramAPIServer.from_base``, e.g. ``http://127.0.0.1:8081``."""
        if self._runner is None:
            raise RuntimeError("DevServer is not running")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    def make_app(self) -> web.Application:
        """The aiohttp application (also usable with aiohttp's test utilities)."""
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        control.add_routes(app, self)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        return app

    # -- Bot API ---------------------------------------------------------------------
    def _check_token(self, token: str) -> int:
        if not TOKEN_RE.match(token) or (self.tokens is not None and token not in self.tokens):
            raise ApiError(401, "Unauthorized")
        return int(token.split(":", 1)[0])

    async def _handle_api(self, request: web.Request) -> web.Response:
        self.api_in_flight += 1
        try:
            return await self._serve_api(request)
        finally:
            self.api_in_flight -= 1

    async def _serve_api(self, request: web.Request) -> web.Response:
        started = time.time()
        clock = time.perf_counter()
        name = request.match_info["method"]
        params: dict[str, Any] = {}
        files: list[dict[str, Any]] = []
        chat: ChatKey | None = None
        ctx: Ctx | None = None
        result: Any = None
        error: str | None = None
        try:
            bot_id = self._check_token(request.match_info["token"])
            raw, uploads = await read_params(request)
            params = raw
            files = [upload.meta() for upload in uploads.values()]
            found = resolve(name)
            if found is None:
                raise ApiError(404, "Not Found: method not found")
            name, handler = found
            chat = chat_key(raw.get("chat_id"))
            if self.faults.active:
                delay, fault = self.faults.match(name, chat)
                if delay:
                    await asyncio.sleep(delay)
                if fault is not None:
                    raise fault
            limited = self.limiter.config.enabled and chat is not None and name in SEND_METHODS
            if limited and chat is not None:
                wait = self.limiter.check(chat)
                if wait is not None:
                    raise retry_after(wait)
            self.state.bot_id = bot_id
            ctx = Ctx(name, Params(raw, uploads), bot_id, self.state, self.updates, self.webhook)
            result = await handler(ctx)
            if limited and chat is not None:
                self.limiter.commit(chat)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, body, error = exc.status, exc.payload(), exc.description
        except Exception as exc:
            log.exception("devserver: %s failed", name)
            error = f"Internal Server Error: {type(exc).__name__}: {exc}"
            status, body = 500, ApiError(500, error).payload()
        record = self.log.add(
            name,
            params,
            files,
            chat,
            started,
            status,
            result,
            error,
            (time.perf_counter() - clock) * 1000.0,
        )
        if ctx is not None:
            for message in ctx.created:
                message.call_index = record.index
        return _json_response(body, status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        started = time.time()
        path = request.match_info["path"]
        status = 200
        error: str | None = None
        response: web.StreamResponse
        try:
            self._check_token(request.match_info["token"])
            stored = self.state.files_by_path.get(path)
            if stored is None or stored.data is None:
                raise ApiError(404, "Not Found")
            response = web.Response(
                body=stored.data, content_type=stored.mime_type or "application/octet-stream"
            )
        except ApiError as exc:
            status, error = exc.status, exc.description
            response = _json_response(exc.payload(), exc.status)
        self.log.add(
            DOWNLOAD_METHOD, {"file_path": path}, [], None, started, status, None, error, 0.0
        )
        return response

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return _json_response(ApiError(404, "Not Found").payload(), 404)

    # -- reading what happened ---------------------------------------------------------
    @property
    def calls(self) -> list[CallRecord]:
        """All recorded calls (live list; don't mutate)."""
        return self.log.records

    def marker(self) -> int:
        """Index the next call will get; pass it as ``since`` to see only later calls."""
        return len(self.log)

    def get_calls(
        self,
        method: str | None = None,
        *,
        chat_id: ChatKey | None = None,
        since: int = 0,
        limit: int | None = None,
    ) -> list[CallRecord]:
        return self.log.query(method, chat_key(chat_id), since, limit)

    async def wait_for_calls(
        self,
        method: str | None,
        predicate: CallPredicate | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the test-helper API
        *,
        since: int = 0,
        chat_id: ChatKey | None = None,
    ) -> list[CallRecord]:
        """Wait until ``count`` calls (index >= ``since``) match; returns all matches so far.

        Matches already recorded count, so take a :meth:`marker` before acting.
        Raises ``TimeoutError`` listing recent calls when nothing arrives in time.
        """
        return await self.log.wait_for(method, predicate, count, timeout, since, chat_key(chat_id))

    def messages_to(
        self, chat_id: int, since: int = 0, include_deleted: bool = False
    ) -> list[StoredMessage]:
        """The bot's messages in a chat, oldest first, in their current (edited) state."""
        return self.state.bot_messages(chat_id, since, include_deleted)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        *,
        since: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the test-helper API
    ) -> list[StoredMessage]:
        """Wait for ``count`` bot messages in a chat created by calls at/after ``since``."""
        await self.wait_for_calls(
            None,
            lambda r: r.ok and r.method in SEND_METHODS,
            count,
            timeout,
            since=since,
            chat_id=chat_id,
        )
        return self.messages_to(chat_id, since, include_deleted=True)

    async def wait_consumed(self, update: int | Mapping[str, Any], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return when a getUpdates arrived with offset > update_id (the bot confirmed it).

        With aiogram polling and ``handle_as_tasks=False`` that means the update was
        fully handled.  Updates dropped by ``allowed_updates`` also count.
        """
        update_id = int(update["update_id"]) if isinstance(update, Mapping) else int(update)
        await self.updates.wait_consumed(update_id, timeout)

    async def wait_for_long_poll(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once a ``getUpdates`` is waiting in a long poll (polling is up and idle)."""
        await self.updates.wait_poller(timeout)

    def callback_answer(self, callback_query_id: str) -> dict[str, Any] | None:
        """Parameters of answerCallbackQuery for that query, or None if unanswered."""
        return self.state.callback_answers.get(callback_query_id)

    def inline_answer(self, inline_query_id: str) -> dict[str, Any] | None:
        return self.state.inline_answers.get(inline_query_id)

    def add_listener(self, listener: CallListener) -> None:
        """Call ``listener(record)`` synchronously after every recorded call."""
        self.log.listeners.append(listener)

    # -- configuration ---------------------------------------------------------------
    def set_limits(
        self,
        enabled: bool = True,
        *,
        global_per_second: int | None = None,
        private_per_second: int | None = None,
        group_per_minute: int | None = None,
    ) -> LimitConfig:
        config = self.limiter.config
        config.enabled = enabled
        if global_per_second is not None:
            config.global_per_second = global_per_second
        if private_per_second is not None:
            config.private_per_second = private_per_second
        if group_per_minute is not None:
            config.group_per_minute = group_per_minute
        self.limiter.reset()
        return config

    def reset(self, seed: int | None = None) -> None:
        """Forget calls, chats, users, files, updates and faults (limits config stays).

        ``update_id`` keeps increasing so a bot that is still polling is unaffected.
        """
        self.state.reset()
        self.updates.clear()
        self.log.clear()
        self.faults.clear()
        if seed is not None:
            self.faults.seed(seed)
        self.limiter.reset()

    def summary(self) -> dict[str, Any]:
        return {
            "url": self.url if self._runner is not None else None,
            "calls": len(self.log),
            "pending_updates": len(self.updates.pending),
            "webhook": self.webhook.url or None,
            "webhook_in_flight": self.webhook.in_flight,
            "api_in_flight": self.api_in_flight,
            "chats": len(self.state.chats),
            "users": len(self.state.users),
            "faults": len(self.faults.list()),
            "limits": self.limiter.config.to_json(),
            "bot": self.state.bot_user(full=True),
        }


async def serve_forever(host: str = "127.0.0.1", port: int = 8081) -> None:
    """Run a DevServer until cancelled (Ctrl-C under ``asyncio.run``); prints its URL."""
    server = DevServer()
    url = await server.start(host, port)
    print(f"Dostyq devserver: Bot API at {url} (control: {url}/_control/state)", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def run(host: str = "127.0.0.1", port: int = 8081) -> None:
    """Blocking entry point for a CLI: serve until Ctrl-C, exit quietly."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(host, port))
