"""Deliver updates to a webhook the way Telegram does.

After ``setWebhook`` each pending update is POSTed as JSON to the URL, with the
``X-Telegram-Bot-Api-Secret-Token`` header when a secret was set, over at most
``max_connections`` requests at once. A 2xx answer consumes the update; anything else
(a status, a refused connection, a timeout) is recorded for ``getWebhookInfo`` and the
update is retried later, with a growing pause, until ``MAX_ATTEMPTS``. While a webhook
is set, ``getUpdates`` answers 409 as Telegram's does.

Unlike Telegram: http:// URLs and any port are accepted (the bot runs on 127.0.0.1),
retries come after fractions of a second rather than minutes, and a method in the
webhook's reply body is not executed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

import aiohttp

from .updates import UpdateQueue

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
FIRST_PAUSE_S = 0.05
LONGEST_PAUSE_S = 2.0
REQUEST_TIMEOUT_S = 60.0


class WebhookDelivery:
    """The webhook of one devserver: its settings, its delivery tasks, its last error."""

    def __init__(self, updates: UpdateQueue) -> None:
        self.updates = updates
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.delivered = 0
        self._busy: set[int] = set()
        self._attempts: dict[int, int] = {}
        self._not_before: dict[int, float] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._session: aiohttp.ClientSession | None = None
        self._spread: list[str] = []
        self._turn = 0

    def spread_over(self, urls: list[str]) -> None:
        """Deliver to these URLs in turn instead of the registered one: a load balancer
        in front of several instances, for tests and benches (Telegram knows one URL)."""
        self._spread = list(urls)

    @property
    def in_flight(self) -> int:
        """Updates POSTed and not answered yet."""
        return len(self._busy)

    @property
    def active(self) -> bool:
        return bool(self.url)

    async def set(self, url: str, secret_token: str | None, max_connections: int) -> None:
        """Deliver to `url` from now on (replacing a previous webhook)."""
        await self.delete()
        self.url, self.secret_token, self.max_connections = url, secret_token, max_connections
        self.last_error_date = self.last_error_message = None
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
        )
        self._tasks = [
            asyncio.create_task(self._deliver(), name=f"devserver-webhook-{n}")
            for n in range(max_connections)
        ]

    async def delete(self) -> None:
        """Stop delivering; pending updates stay for ``getUpdates``."""
        self.url = ""
        self._spread = []
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._busy.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def info(self) -> dict[str, Any]:
        """``getWebhookInfo``'s object."""
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates.pending),
        }
        if self.url:
            info["max_connections"] = self.max_connections
            if self.updates.allowed_updates is not None:
                info["allowed_updates"] = sorted(self.updates.allowed_updates)
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def _deliver(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            update = await self.updates.next_to_deliver(self._busy, self._not_before)
            if update is None:
                return
            update_id = update["update_id"]
            self._busy.add(update_id)
            try:
                error = await self._post(update)
            finally:
                self._busy.discard(update_id)
            if error is None:
                self._done(update_id)
                self.delivered += 1
                continue
            self.last_error_date, self.last_error_message = int(time.time()), error
            attempts = self._attempts.get(update_id, 0) + 1
            if attempts >= MAX_ATTEMPTS:
                log.warning("update %s given up after %d attempts: %s", update_id, attempts, error)
                self._done(update_id)
                continue
            self._attempts[update_id] = attempts
            pause = min(LONGEST_PAUSE_S, FIRST_PAUSE_S * 2 ** (attempts - 1))
            self._not_before[update_id] = loop.time() + pause
            self.updates.wake()  # another task may take an update this one skipped

    def _done(self, update_id: int) -> None:
        self._attempts.pop(update_id, None)
        self._not_before.pop(update_id, None)
        self.updates.acknowledge(update_id)

    async def _post(self, update: dict[str, Any]) -> str | None:
        """POST one update; None when the webhook took it, else the error as Telegram
        words it in ``last_error_message``."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        url = self.url
        if self._spread:
            url = self._spread[self._turn % len(self._spread)]
            self._turn += 1
        try:
            async with self._session.post(url, data=body, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, OSError) as exc:
            return f"Connection refused: {exc}"
        except TimeoutError:
            return "Timeout expired"
