"""Per-user token bucket: a flood is dropped quietly, with at most one notice per burst.

Callback queries over the limit are still answered (with a short notice) so the
user's button never keeps spinning. The buckets live in the process (`LocalBuckets`),
or in Redis when several instances serve the bot (`bot.shared.throttle.RedisBuckets`),
so a user cannot get N times the limit by landing on N instances.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, InlineQuery, Message, TelegramObject, User
from aiogram.utils.i18n import gettext as _

#: Buckets idle this long are full again and can be forgotten.
_IDLE_S = 60.0
_PRUNE_EVERY = 1024


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    notified: bool = False


class Buckets(Protocol):
    async def allow(self, user_id: int) -> tuple[bool, bool]:
        """Take a token; (allowed, notify), notify true once per burst of refusals."""
        ...


class LocalBuckets:
    """The buckets of this process."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self._seen = 0

    async def allow(self, user_id: int) -> tuple[bool, bool]:
        """Take a token; (allowed, notify), notify true once per burst of refusals."""
        now = self.clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(self.burst, now)
            self._maybe_prune(now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            if bucket.tokens >= self.burst / 2:
                bucket.notified = False
            return True, False
        notify = not bucket.notified
        bucket.notified = True
        return False, notify

    def _maybe_prune(self, now: float) -> None:
        self._seen += 1
        if self._seen % _PRUNE_EVERY:
            return
        stale = [uid for uid, b in self._buckets.items() if now - b.updated > _IDLE_S]
        for uid in stale:
            del self._buckets[uid]


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, buckets: Buckets) -> None:
        self.buckets = buckets

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: User | None = data.get("event_from_user")
        if tg_user is None:
            return await handler(event, data)
        allowed, notify = await self.buckets.allow(tg_user.id)
        if allowed:
            return await handler(event, data)
        notice = _("Too many requests at once. Please wait a few seconds.")
        if isinstance(event, CallbackQuery):
            await event.answer(notice if notify else None)
        elif isinstance(event, InlineQuery):
            await event.answer([], cache_time=1, is_personal=True)
        elif isinstance(event, Message) and notify:
            await event.answer(notice)
        return None
