"""A send-rate limiter shared by every sender of the process.

Telegram's limit (about 30 messages per second) is per bot and counted where the
messages arrive, so one limiter serves all senders and announcements of a process and
keeps two rules:

* **Pacing** (GCRA: a token bucket that keeps one timestamp): send slots are spaced
  ``1 / rate`` apart, ``burst`` 1 by default. A sender that wakes more than one interval
  after its slot (the process was busy) gives it up and takes a new one, so a stall is
  not followed by a burst.
* **A window** that makes ``rate`` a ceiling as the server counts, whatever the network
  or the server does to arrival times: a send counts from the moment it is let through
  until one second after its answer came back (:meth:`release`), and no send starts
  while ``rate`` sends count. Any one-second window of the server's clock then sees at
  most ``rate`` of them (each arrived between its start and its answer). The price is
  throughput: with answers taking L seconds, at most ``rate / (1 + L)`` sends a second.

:meth:`pause_for` (called on 429) holds back every sender, including those already
waiting for a slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

#: Names one send let through by a limiter, for its :meth:`SendLimiter.release`.
Ticket = str

#: How long a send whose answer was never recorded (its process died) keeps counting in
#: the window every instance shares: aiogram's default request timeout.
UNANSWERED_HOLD_S = 60.0


class SendLimiter(Protocol):
    """What senders need of a limiter: this process's `RateLimiter`, or the one every
    instance shares (`bot.shared.ratelimit.RedisRateLimiter`)."""

    pauses: int

    async def acquire(self, stop: asyncio.Event | None = None) -> Ticket | None:
        """Wait until a send may start; None if `stop` was set meanwhile."""

    async def release(self, ticket: Ticket) -> None:
        """The send `ticket` let through has its answer (or failed)."""

    async def pause_for(self, seconds: float) -> None:
        """No sender starts a send for `seconds`."""


def ceiling(rate: float | None) -> float | None:
    """The rate as a limit: None, 0 or infinity mean none."""
    return rate if rate and not math.isinf(rate) and rate > 0 else None


def window_size(rate: float) -> int:
    """Sends that may count at once: the rate's whole sends, at least one."""
    return max(1, math.floor(rate))


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
        self.rate = ceiling(rate)
        self.interval = 1.0 / self.rate if self.rate else 0.0
        self.size = window_size(self.rate) if self.rate else 0
        self.burst = burst
        self.clock = clock
        self._next = 0.0  # earliest time the next slot may start (GCRA's theoretical arrival)
        self._paused_until = 0.0
        self._in_flight: set[Ticket] = set()  # let through, no answer yet
        self._answered: deque[float] = deque()  # when each answered send stops counting
        self._tickets = itertools.count(1)
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

    async def release(self, ticket: Ticket) -> None:
        if ticket in self._in_flight:
            self._in_flight.discard(ticket)
            self._answered.append(self.clock() + 1.0)  # in order: the clock only grows

    async def acquire(self, stop: asyncio.Event | None = None) -> Ticket | None:
        while True:
            if stop is not None and stop.is_set():
                return None
            now = self.clock()
            if now < self._paused_until:
                await wait_or_stop(self._paused_until - now, stop)
                continue
            if self.rate is None:
                return self._admit()
            slot = max(self._next, now - (self.burst - 1) * self.interval)
            self._next = slot + self.interval
            if slot > now:
                await wait_or_stop(slot - now, stop)
                now = self.clock()
                if stop is not None and stop.is_set():
                    return None
                # A 429 may have arrived while we waited: the slot is then void. So is a
                # slot this sender woke up too late for (a busy process wakes many at once).
                if now < self._paused_until or now - slot > self.interval:
                    continue
            free_at = self._window_free_at(now)
            if free_at is None:
                return self._admit()
            await wait_or_stop(free_at - now, stop)  # then a new slot

    def _window_free_at(self, now: float) -> float | None:
        """None when a send may start now, else when to look again: when the oldest
        answered send stops counting, or one interval on if none is answered yet."""
        while self._answered and self._answered[0] <= now:
            self._answered.popleft()
        if len(self._in_flight) + len(self._answered) < self.size:
            return None
        return self._answered[0] if self._answered else now + self.interval

    def _admit(self) -> Ticket:
        ticket = str(next(self._tickets))
        if self.rate is not None:
            self._in_flight.add(ticket)
        return ticket


async def wait_or_stop(delay: float, stop: asyncio.Event | None) -> None:
    """Sleep `delay` seconds, or less when `stop` is set meanwhile."""
    if stop is None:
        await asyncio.sleep(delay)
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(delay):
            await stop.wait()
