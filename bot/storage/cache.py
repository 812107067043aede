"""This process's copy of the rows read on every update (the sender's row, the moderator
set, a wizard's state): read once, then served from memory until a change is committed.

Each of those reads was a unit of work of its own: on SQLite about 1.3 ms of CPU, most of
it in trips to aiosqlite's thread, three of them before any handler ran — the largest part
of the bot's time per update (`bench/updates.py`).

Why a copy is never older than the database, once a change has committed:
- a write names the keys it changes (`Database.evict_after_commit`); `Database` evicts
  them here after the commit, so a reader after the commit loads the new row;
- a load that began before an eviction does not store what it read (it may predate the
  change): each load holds a token the eviction withdraws;
- other processes: with Redis, an eviction is also published on `CHANNEL` and every
  process evicts the key; a process that lost the channel clears its whole copy when it
  is back, since it may have missed some. Without Redis the copy is kept only on SQLite,
  whose file one process serves; on PostgreSQL without Redis, instances could change
  rows without telling each other, so nothing is kept.

Entries also expire after `ttl` seconds, and at most `size` are kept (the least recently
used go first). Values must be immutable: callers share them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.shared.channel import follow

log = logging.getLogger(__name__)

#: Where a process says which keys a change of its made stale (with Redis).
CHANNEL = "dostyq:cache-evict"
T = TypeVar("T")


class HotCache:
    def __init__(
        self,
        *,
        enabled: bool = True,
        size: int = 50_000,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.size = size
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()  # key -> (until, value)
        self._loading: dict[str, object] = {}  # key -> the token of its latest load
        self._redis: Redis | None = None
        self._origin = uuid.uuid4().hex  # this process, so it skips its own news
        self._listener: asyncio.Task[None] | None = None

    async def get(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        """The cached value of `key`, or what `load()` returns (kept unless the key was
        evicted while it ran)."""
        if not self.enabled:
            return await load()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > self._clock():
            self._entries.move_to_end(key)
            value: T = entry[1]
            return value
        token = object()
        self._loading[key] = token
        try:
            value = await load()
        finally:
            stored = self._loading.get(key) is token
            if stored:
                del self._loading[key]
        if stored:
            self._entries[key] = (self._clock() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    async def evict(self, keys: list[str]) -> None:
        """Forget `keys` here and, with Redis, in every other process."""
        if not self.enabled or not keys:
            return
        self._evict_here(keys)
        if self._redis is not None:
            try:
                await self._redis.publish(CHANNEL, "\n".join([self._origin, *keys]))
            except RedisError:
                log.warning("could not tell the other instances that %s changed", keys)

    def clear(self) -> None:
        self._entries.clear()
        self._loading.clear()

    def share_through(self, redis: Redis) -> None:
        """Keep the copy with several instances: evictions go through `redis`."""
        self._redis = redis
        self.enabled = True

    def start(self) -> None:
        """Listen for other processes' evictions (with Redis)."""
        if self._redis is not None and self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="cache-evictions")

    async def stop(self) -> None:
        task, self._listener = self._listener, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _missed_some(self) -> None:
        log.info("the cache channel is back: this process's copy starts again")
        self.clear()

    def _evict_here(self, keys: list[str]) -> None:
        for key in keys:
            self._entries.pop(key, None)
            self._loading.pop(key, None)

    async def _listen(self) -> None:
        assert self._redis is not None
        await follow(self._redis, CHANNEL, self._news, on_subscribed=self._missed_some)

    async def _news(self, data: bytes | str) -> None:
        origin, *keys = (data.decode() if isinstance(data, bytes) else data).split("\n")
        if origin != self._origin:
            self._evict_here(keys)
