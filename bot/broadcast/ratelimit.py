"""A send-rate limiter shared by every sender of the process.

Telegram's limit (about 30 messages per second) is per bot, so one limiter must
serve all senders and all announcements of a process. It hands out send slots
spaced ``1 / rate`` apart (GCRA: a token bucket that keeps one timestamp), with a
``burst`` of 1 by default so that any one-second window holds at most
``rate + 1`` sends. A sender that wakes more than one interval after its slot (the
process was busy) gives the slot up and takes a new one, so a stall is not followed by
a burst. :meth:`pause_until` (called on 429) holds back every sender, including those
already waiting for a slot, until the given time.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from typing import Protocol


class SendLimiter(Protocol):
    """What senders need of a limiter: this process's `RateLimiter`, or the one every
    instance shares (`bot.shared.ratelimit.RedisRateLimiter`)."""

    pauses: int

    async def acquire(self, stop: asyncio.Event | None = None) -> bool: ...

    async def pause_for(self, seconds: float) -> None: ...


class RateLimiter:
    def __init__(
        self,
        rate: float | None = 25.0,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``rate`` sends per second; None, 0 or infinity means no limit (429 pauses
        still apply)."""
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = rate if rate and not math.isinf(rate) and rate > 0 else None
        self.interval = 1.0 / self.rate if self.rate else 0.0
        self.burst = burst
        self.clock = clock
        self._next = 0.0  # earliest time the next slot may start (GCRA's theoretical arrival)
        self._paused_until = 0.0
        self.pauses = 0

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def pause_until(self, moment: float) -> None:
        """No sender may start a send before `moment` (limiter clock)."""
        if moment > self._paused_until:
            self._paused_until = moment
            self.pauses += 1

    async def pause_for(self, seconds: float) -> None:
        """Every sender waits `seconds` (async like the shared limiter's, which asks Redis)."""
        self.pause_until(self.clock() + seconds)

    async def acquire(self, stop: asyncio.Event | None = None) -> bool:
        """Wait for a send slot; False if `stop` was set while waiting."""
        while True:
            if stop is not None and stop.is_set():
                return False
            now = self.clock()
            if now < self._paused_until:
                await wait_or_stop(self._paused_until - now, stop)
                continue
            if self.rate is None:
                return True
            slot = max(self._next, now - (self.burst - 1) * self.interval)
            self._next = slot + self.interval
            if slot <= now:
                return True
            await wait_or_stop(slot - now, stop)
            woke = self.clock()
            if stop is not None and stop.is_set():
                return False
            # A 429 may have arrived while we waited: the slot is then void. So is a slot
            # this sender woke up too late for (a busy process wakes many at once).
            if woke >= self._paused_until and woke - slot <= self.interval:
                return True


async def wait_or_stop(delay: float, stop: asyncio.Event | None) -> None:
    """Sleep `delay` seconds, or less when `stop` is set meanwhile."""
    if stop is None:
        await asyncio.sleep(delay)
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(delay):
            await stop.wait()
