"""Webhook mode end to end: the devserver delivers updates as Telegram does (secret
header, retries, getWebhookInfo), the bot answers them, and whatever is not Telegram
with the secret is refused before any handler runs."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from ipaddress import ip_address, ip_network
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.config import Settings, SettingsError, load_settings
from bot.runner import BotRunner
from bot.web.webhook import MAX_BODY, client_address
from devserver import DevServer
from tests.chat import Chat

TOKEN = "123456:TEST-webhook"
SECRET = "s3cret-token_for-the-tests"
USER = 6100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook_settings(settings: Settings, **extra: Any) -> Settings:
    port = free_port()
    return settings.model_copy(
        update={
            "webhook_url": f"http://127.0.0.1:{port}/tg/hook",
            "webhook_secret": load_settings(_env_file=None, webhook_secret=SECRET).webhook_secret,
            "webhook_port": port,
            **extra,
        }
    )


@pytest.fixture
async def hooked(settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    runner = BotRunner(webhook_settings(settings), token=TOKEN, api_base=devserver.url)
    async with runner:
        await devserver.wait_for_calls("setWebhook", timeout=30)
        yield runner


async def post(runner: BotRunner, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    url = runner.settings.webhook_url
    assert url is not None
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status, await response.text()


def update(update_id: int, text: str = "/start") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": USER, "type": "private"},
            "from": {"id": USER, "is_bot": False, "first_name": "U", "language_code": "en"},
            "text": text,
        },
    }


def test_a_webhook_without_a_secret_is_refused_at_start() -> None:
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET is not"):
        load_settings(_env_file=None, webhook_url="https://bot.example.kz/tg")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET: expected 16 to 256"):
        load_settings(_env_file=None, webhook_url="https://bot.example.kz/tg", webhook_secret="x")
    good = load_settings(_env_file=None, webhook_url="https://b.kz/tg/x", webhook_secret=SECRET)
    assert good.webhook_path == "/tg/x"


async def test_updates_arrive_by_webhook_and_are_answered(
    devserver: DevServer, hooked: BotRunner
) -> None:
    [call] = devserver.get_calls("setWebhook")
    assert call.params["url"] == hooked.settings.webhook_url
    assert call.params["secret_token"] == SECRET
    assert "message" in call.params["allowed_updates"]
    chat = Chat(devserver, USER, "en")
    await chat.choose_language()
    await chat.send("/help")
    assert "How to use Dostyq" in (chat.last.text or "")
    info = devserver.webhook.info()
    assert info["url"] == hooked.settings.webhook_url and info["pending_update_count"] == 0
    assert devserver.webhook.delivered == 3
    # while the webhook is set, getUpdates is refused as Telegram refuses it
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{devserver.url}/bot{TOKEN}/getUpdates") as response,
    ):
        assert response.status == 409


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, update(900_001), 401),  # no secret
        ({"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-wrong-secret"}, update(900_002), 401),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET}, b"{not json", 400),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET}, b"\xff\xfe\x00", 400),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET}, [], 400),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET}, {"update_id": "1"}, 400),
        # an update that does not decode is skipped with 200: Telegram would resend a
        # refused one and hold back every later update
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET}, {"update_id": 7, "message": {}}, 200),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET}, b"x" * (MAX_BODY + 1), 413),
    ],
    ids=["no-secret", "wrong-secret", "not-json", "not-utf8", "array", "no-id", "bad", "big"],
)
async def test_what_is_not_telegram_with_the_secret_reaches_no_handler(
    devserver: DevServer, hooked: BotRunner, headers: dict[str, str], body: Any, status: int
) -> None:
    mark = devserver.marker()
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    code, _ = await post(hooked, raw, {"Content-Type": "application/json", **headers})
    assert code == status
    await asyncio.sleep(0.2)  # a handler, had one run, would have answered by now
    assert devserver.get_calls(since=mark) == []
    assert devserver.messages_to(USER) == []


async def test_the_right_secret_is_answered_after_the_handler_ran(
    devserver: DevServer, hooked: BotRunner
) -> None:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    code, _ = await post(hooked, json.dumps(update(900_100)).encode(), headers)
    assert code == 200
    # handled before the answer (no background handling): the reply is already there
    assert [m.text for m in devserver.messages_to(USER)] != []


async def test_devserver_retries_a_failing_webhook_and_reports_the_error(
    devserver: DevServer,
) -> None:
    """A webhook that fails twice, then takes the update: delivered once, with the
    secret header; getWebhookInfo shows the last error meanwhile."""
    seen: list[tuple[str | None, int]] = []

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body["update_id"]))
        return web.Response(status=502 if len(seen) <= 2 else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            api = f"{devserver.url}/bot{TOKEN}"
            params = {"url": f"http://127.0.0.1:{port}/hook", "secret_token": SECRET}
            async with session.post(f"{api}/setWebhook", data=params) as response:
                assert response.status == 200
            sent = devserver.inject.message(USER, "hello")
            await devserver.wait_consumed(sent, timeout=10)
            async with session.post(f"{api}/getWebhookInfo") as response:
                info = (await response.json())["result"]
            async with session.post(f"{api}/deleteWebhook") as response:
                assert response.status == 200
    finally:
        await runner.cleanup()
    assert seen == [(SECRET, sent["update_id"])] * 3
    assert info["pending_update_count"] == 0
    assert "502" in info["last_error_message"] and info["last_error_date"] > 0


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    proxies = [ip_network("10.0.0.0/8")]
    telegram = ip_address("149.154.167.220")
    # straight from a client: its own address, whatever it claims
    assert client_address("149.154.167.220", None, proxies) == telegram
    assert client_address("203.0.113.9", "149.154.167.220", proxies) == ip_address("203.0.113.9")
    # through our proxy: the right-most address it did not add itself
    assert client_address("10.0.0.2", "149.154.167.220", proxies) == telegram
    spoofed = "149.154.167.220, 203.0.113.9"  # the client wrote the first one
    assert client_address("10.0.0.2", spoofed, proxies) == ip_address("203.0.113.9")
    assert client_address("10.0.0.2", "203.0.113.9, 10.0.0.3", proxies) == ip_address("203.0.113.9")
    assert client_address("10.0.0.2", "garbage", proxies) is None


async def test_the_ip_filter_refuses_other_networks(
    settings: Settings, devserver: DevServer
) -> None:
    only_telegram = webhook_settings(
        settings,
        webhook_allowed_ips=(ip_network("149.154.160.0/20"),),
        webhook_trusted_proxies=(ip_network("127.0.0.1/32"),),
    )
    runner = BotRunner(only_telegram, token=TOKEN, api_base=devserver.url)
    async with runner:
        await devserver.wait_for_calls("setWebhook", timeout=30)
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        body = json.dumps(update(900_200)).encode()
        assert (await post(runner, body, headers))[0] == 403  # from 127.0.0.1 itself
        via_proxy = {**headers, "X-Forwarded-For": "149.154.167.220"}
        assert (await post(runner, body, via_proxy))[0] == 200
        other = {**headers, "X-Forwarded-For": "203.0.113.9"}
        assert (await post(runner, body, other))[0] == 403
