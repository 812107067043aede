"""Health, readiness and metrics over HTTP: beside the webhook, and on HEALTH_PORT when
polling; /readyz says which check fails; /metrics counts what the bot did."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.config import Settings
from bot.runner import BotRunner
from devserver import DevServer
from tests.chat import Chat
from tests.test_webhook import TOKEN, webhook_settings

USER = 6200


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def sample(text: str, name: str) -> float | None:
    """The value of one sample line (`name` with its labels) of the text format."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


@pytest.fixture
async def polling(settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    own = settings.model_copy(update={"health_port": 0})
    runner = BotRunner(own, token=TOKEN, api_base=devserver.url, handle_as_tasks=False)
    async with runner:
        await devserver.wait_for_long_poll(timeout=30)
        yield runner


async def test_polling_serves_health_and_metrics_on_its_port(
    devserver: DevServer, polling: BotRunner
) -> None:
    base = f"http://127.0.0.1:{polling.health_port}"
    assert await get(f"{base}/healthz") == (200, '{"status": "ok"}')
    status, body = await get(f"{base}/readyz")
    assert status == 200 and '"database": "ok"' in body and '"knowledge_base": "ok"' in body

    chat = Chat(devserver, USER, "ru")
    await chat.choose_language()
    await chat.send("Когда был подписан меморандум о сотрудничестве?")  # answered
    await chat.send("Какая погода завтра в Париже?")  # out of scope: abstained
    devserver.faults.add("retry_after", chat_id=USER, times=1, retry_after=1)
    await chat.send("/help")  # answered 429: the handler fails, the 429 is counted
    status, text = await get(f"{base}/metrics")
    assert status == 200
    assert sample(text, 'dostyq_questions_total{outcome="answered"}') == 1
    assert sample(text, 'dostyq_questions_total{outcome="abstained"}') == 1
    assert sample(text, 'dostyq_updates_total{type="message"}') == 4
    assert sample(text, 'dostyq_updates_total{type="callback_query"}') == 1
    assert sample(text, 'dostyq_update_seconds_count{type="message"}') == 4
    assert sample(text, 'dostyq_telegram_retry_after_total{method="SendMessage"}') == 1
    assert sample(text, "dostyq_outbox_backlog") == 0
    assert sample(text, "dostyq_updates_in_flight") == 0


async def test_readiness_fails_and_says_why(devserver: DevServer, polling: BotRunner) -> None:
    assert polling.kb is not None
    polling.kb.close()  # the knowledge base can no longer answer
    status, body = await get(f"http://127.0.0.1:{polling.health_port}/readyz")
    assert status == 503
    assert '"knowledge_base": "failed: ProgrammingError"' in body and '"database": "ok"' in body


async def test_webhook_mode_serves_them_beside_the_webhook(
    settings: Settings, devserver: DevServer
) -> None:
    async with BotRunner(webhook_settings(settings), token=TOKEN, api_base=devserver.url) as r:
        await devserver.wait_for_calls("setWebhook", timeout=30)
        base = f"http://127.0.0.1:{r.webhook_port}"
        assert (await get(f"{base}/healthz"))[0] == 200
        assert (await get(f"{base}/readyz"))[0] == 200
        chat = Chat(devserver, USER, "en")
        await chat.choose_language()
        text = (await get(f"{base}/metrics"))[1]
        assert sample(text, 'dostyq_updates_total{type="message"}') == 1
