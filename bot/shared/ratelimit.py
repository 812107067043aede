"""The bot's send rate shared by every instance: Telegram's ~30 messages/s is per bot,
not per process. The same GCRA as `bot.broadcast.ratelimit.RateLimiter` (slots spaced
``1 / rate`` apart, so any one-second window holds at most ``rate + 1`` sends), its
state in Redis on Redis's clock; a 429 seen by one instance pauses them all. A sender
that wakes too late for its slot takes a new one, as the local limiter's do."""

from __future__ import annotations

import asyncio
import math
import time

from redis.asyncio import Redis

from bot.broadcast.ratelimit import wait_or_stop
from bot.shared.scripts import PAUSE, PAUSED, SEND_SLOT


class RedisRateLimiter:
    def __init__(
        self, redis: Redis, rate: float | None, *, burst: int = 1, prefix: str = "dostyq"
    ) -> None:
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = rate if rate and not math.isinf(rate) and rate > 0 else None
        self.interval_us = round(1_000_000 / self.rate) if self.rate else 0
        self.burst = burst
        self.pauses = 0  # 429s this process passed on
        self._keys = [f"{prefix}:send:next", f"{prefix}:send:paused"]
        self._slot = redis.register_script(SEND_SLOT)
        self._pause = redis.register_script(PAUSE)
        self._paused = redis.register_script(PAUSED)

    async def pause_for(self, seconds: float) -> None:
        """No sender of any instance starts a send for `seconds`."""
        if await self._pause(keys=[self._keys[1]], args=[seconds]):
            self.pauses += 1

    async def acquire(self, stop: asyncio.Event | None = None) -> bool:
        """Wait for a send slot; False if `stop` was set while waiting."""
        while True:
            if stop is not None and stop.is_set():
                return False
            if self.rate is None:
                left = int(await self._paused(keys=[self._keys[1]]))
                if left <= 0:
                    return True
                await wait_or_stop(left / 1e6, stop)
                continue
            paused, wait_us = await self._slot(keys=self._keys, args=[self.interval_us, self.burst])
            due = time.monotonic() + max(int(wait_us), 0) / 1e6
            if wait_us > 0:
                await wait_or_stop(int(wait_us) / 1e6, stop)
            if paused:
                continue
            if stop is not None and stop.is_set():
                return False
            if time.monotonic() - due > self.interval_us / 1e6:
                continue  # woke too late for the slot (a busy process): take a new one
            # A 429 may have arrived while we waited for the slot: the slot is then void.
            if wait_us <= 0 or int(await self._paused(keys=[self._keys[1]])) <= 0:
                return True
