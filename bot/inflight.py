"""Count updates being handled, so a stopping process can let them finish.

`TrackingDispatcher` counts from the first step of `feed_update` (before aiogram's own
middlewares, whose awaits a stop could otherwise slip between), for polling and webhook
alike; the dispatcher's first shutdown hook waits, for at most a bound, until none is
left, before the broadcast engine, the database and the bot's HTTP session close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

log = logging.getLogger(__name__)


class InFlight:
    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        self.count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.count -= 1
            if self.count == 0:
                self._idle.set()

    async def drained(self, limit_s: float) -> bool:
        """Wait until no update is being handled; False when `limit_s` ran out first."""
        if self.count:
            log.info("waiting for %d update(s) in flight", self.count)
        try:
            async with asyncio.timeout(limit_s):
                await self._idle.wait()
        except TimeoutError:
            log.warning("%d update(s) still in flight after %.0f s: stopping", self.count, limit_s)
            return False
        return True


class TrackingDispatcher(Dispatcher):
    """aiogram's Dispatcher, counting the updates it is handling in `in_flight`."""

    def __init__(self, *, in_flight: InFlight, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.in_flight = in_flight

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        with self.in_flight.track():
            return await super().feed_update(bot, update, **kwargs)
