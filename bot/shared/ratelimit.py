"""The bot's send rate shared by every instance: Telegram's ~30 messages/s is per bot,
not per process. The same two rules as `bot.broadcast.ratelimit.RateLimiter` (GCRA
pacing, and a window in which at most ``rate`` sends count from their start until a
second after their answer), their state in Redis on Redis's clock; a 429 seen by one
instance pauses them all. A sender that wakes too late for its slot takes a new one."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid

from redis.asyncio import Redis

from bot.broadcast.ratelimit import (
    UNANSWERED_HOLD_S,
    Ticket,
    ceiling,
    wait_or_stop,
    window_size,
)
from bot.shared.scripts import ADMIT, PAUSE, PAUSED, RELEASE, SEND_SLOT


class RedisRateLimiter:
    def __init__(
        self, redis: Redis, rate: float | None, *, burst: int = 1, prefix: str = "dostyq"
    ) -> None:
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = ceiling(rate)
        self.interval_us = round(1_000_000 / self.rate) if self.rate else 0
        self.size = window_size(self.rate) if self.rate else 0
        self.burst = burst
        self.pauses = 0  # 429s this process passed on
        self._next_key, self._paused_key = f"{prefix}:send:next", f"{prefix}:send:paused"
        self._window_key = f"{prefix}:send:window"
        self._slot = redis.register_script(SEND_SLOT)
        self._admit = redis.register_script(ADMIT)
        self._release = redis.register_script(RELEASE)
        self._pause = redis.register_script(PAUSE)
        self._paused = redis.register_script(PAUSED)
        self._name = uuid.uuid4().hex[:12]  # this limiter's tickets, among all instances'
        self._tickets = itertools.count(1)

    async def pause_for(self, seconds: float) -> None:
        """No sender of any instance starts a send for `seconds`."""
        if await self._pause(keys=[self._paused_key], args=[seconds]):
            self.pauses += 1

    async def release(self, ticket: Ticket) -> None:
        if self.rate is not None:
            await self._release(keys=[self._window_key], args=[ticket])

    async def acquire(self, stop: asyncio.Event | None = None) -> Ticket | None:
        """Wait until a send may start; None if `stop` was set meanwhile."""
        while True:
            if stop is not None and stop.is_set():
                return None
            ticket = f"{self._name}:{next(self._tickets)}"
            if self.rate is None:
                left = int(await self._paused(keys=[self._paused_key]))
                if left <= 0:
                    return ticket
                await wait_or_stop(left / 1e6, stop)
                continue
            paused, wait_us = await self._slot(
                keys=[self._next_key, self._paused_key], args=[self.interval_us, self.burst]
            )
            due = time.monotonic() + max(int(wait_us), 0) / 1e6
            if wait_us > 0:
                await wait_or_stop(int(wait_us) / 1e6, stop)
            if paused:
                continue
            if stop is not None and stop.is_set():
                return None
            if time.monotonic() - due > self.interval_us / 1e6:
                continue  # woke too late for the slot (a busy process): take a new one
            state, wait_us = await self._admit(
                keys=[self._window_key, self._paused_key],
                args=[self.size, round(UNANSWERED_HOLD_S * 1e6), ticket],
            )
            if state == 0:
                return ticket
            await wait_or_stop(max(int(wait_us), 1) / 1e6, stop)  # paused or full: a new slot
