"""Receive updates from Telegram by webhook, refusing everything else cleanly.

aiogram's `SimpleRequestHandler` checks the secret header; this subclass also turns a
body that is not an update (not JSON, not an object, not a valid `Update`) into 400
instead of a 500, and keeps the default of handling the update before answering, so
Telegram only drops an update once the bot has handled it (see README, Delivery).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.session import loads

log = logging.getLogger(__name__)

#: Telegram's updates are far smaller; a larger body is refused before it is read.
MAX_BODY = 1024 * 1024
Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address


class WebhookHandler(SimpleRequestHandler):
    """One bot's webhook: 401 without the secret, 400 for a body that is no update,
    413 over `MAX_BODY` (the application's limit), else the update is handled first."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret_token: str) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token)

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            raw = loads((await request.read()).decode())
        except (ValueError, UnicodeDecodeError):
            return _refuse(400, "the body is not JSON")
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            return _refuse(400, "the body is not an update")
        try:
            update = Update.model_validate(raw, context={"bot": bot})
        except ValidationError as exc:
            # An update from Telegram this aiogram cannot decode: refusing it would have
            # Telegram send it again and hold back every later update. Skipped instead.
            log.warning("skipped update %s: it does not decode: %s", raw["update_id"],
                        exc.errors(include_url=False, include_input=False)[:3])  # fmt: skip
            return web.json_response({"ok": True})
        result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(
            bot, update, **self.data
        )
        return web.Response(body=self._build_response_writer(bot=bot, result=result))

    async def close(self) -> None:
        """The bot's session is the runner's to close, not the web application's."""


def _refuse(status: int, reason: str) -> web.Response:
    log.warning("webhook request refused: %s", reason)
    return web.json_response({"ok": False, "error": reason}, status=status)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: Iterable[Network]
) -> Address | None:
    """The address a request comes from: the peer's, or, when the peer is a trusted
    proxy, the right-most X-Forwarded-For entry that is not one (a client can write any
    X-Forwarded-For it likes; only what trusted proxies appended is believed)."""
    networks = tuple(trusted)

    def parse(text: str) -> Address | None:
        try:
            return ip_address(text.strip())
        except ValueError:
            return None

    address = parse(peer) if peer else None
    if address is None or not any(address in n for n in networks) or not forwarded_for:
        return address
    for hop in reversed(forwarded_for.split(",")):
        hop_address = parse(hop)
        if hop_address is None:
            return None  # a malformed chain: believe none of it
        if not any(hop_address in n for n in networks):
            return hop_address
    return hop_address  # every hop a trusted proxy: the first one


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def ip_filter(path: str, allowed: Iterable[Network], trusted: Iterable[Network]) -> Any:
    """aiohttp middleware: 403 for a request to `path` whose client is outside `allowed`
    (other paths, such as health checks, are not filtered)."""
    allowed_networks, trusted_networks = tuple(allowed), tuple(trusted)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != path:
            return await handler(request)
        client = client_address(
            request.remote, request.headers.get("X-Forwarded-For"), trusted_networks
        )
        if client is None or not any(client in n for n in allowed_networks):
            log.warning("webhook request from %s refused: not an allowed address", client)
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        return await handler(request)

    return middleware
