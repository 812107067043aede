"""Count updates being handled, so a stopping process can let them finish (and time
them for the metrics).

`TrackingDispatcher` counts from the first step of `feed_update` (before aiogram's own
middlewares, whose awaits a stop could otherwise slip between), for polling and webhook
alike; the dispatcher's first shutdown hook waits, for at most a bound, until none is
left, before the broadcast engine, the database and the bot's HTTP session close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError

from bot.metrics import Metrics
from bot.session import valid_unicode

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
    """aiogram's Dispatcher, counting the updates it is handling in `in_flight` and
    timing them by type in `metrics`, and handling at most `at_once` at a time.

    Polling with `handle_as_tasks` starts a task for every update fetched, however many:
    under a burst (1,500 updates queued, questions on a 100k-passage KB) every task
    joined the queues for the CPU, the search threads and SQLite's one writer at once,
    and writes waited past their 30 s bound, so users got the apology. Past `at_once`,
    an update waits for a turn (first come, first served) before aiogram sees it, holding
    nothing; it still counts as in flight, so a stopping process lets it finish."""

    def __init__(
        self, *, in_flight: InFlight, metrics: Metrics, at_once: int = 32, **kwargs: Any
    ) -> None:
        super().__init__(metrics=metrics, **kwargs)  # handlers get it injected too
        self.in_flight = in_flight
        self.metrics = metrics
        self._turns = asyncio.Semaphore(at_once)

    async def feed_raw_update(self, bot: Bot, update: dict[str, Any], **kwargs: Any) -> Any:
        """An update given as a dict (not read by `TolerantSession`): repaired the same way."""
        return await super().feed_raw_update(bot, valid_unicode(update), **kwargs)

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        try:
            kind = update.event_type
        except UpdateTypeLookupError:
            # A type this aiogram does not know, or one `TolerantSession` could not decode
            # (only its id is left): counted and skipped.
            log.warning("skipped update %s: no event this bot can handle", update.update_id)
            self.metrics.updates.labels("unknown").inc()
            return None
        started = time.perf_counter()
        self.metrics.in_flight.inc()
        try:
            with self.in_flight.track():
                async with self._turns:
                    return await super().feed_update(bot, update, **kwargs)
        finally:
            self.metrics.in_flight.dec()
            self.metrics.updates.labels(kind).inc()
            self.metrics.update_seconds.labels(kind).observe(time.perf_counter() - started)
