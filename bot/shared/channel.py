"""Following a Redis pub/sub channel for as long as the process runs, as the news of new
documents and the cache's evictions both do."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class _Hook:
    """redis-py keeps connect callbacks as weak methods: this holds a plain function."""

    def __init__(self, fn: Callable[[], None]) -> None:
        self.fn = fn

    def connected(self, _connection: Any) -> None:
        self.fn()


async def follow(
    redis: Redis,
    channel: str,
    on_message: Callable[[Any], Awaitable[None]],
    *,
    on_subscribed: Callable[[], None] | None = None,
) -> None:
    """Await `on_message(data)` for every message on `channel`, subscribing again 1 s
    after a lost connection. `on_subscribed()` runs each time the subscription is made
    anew, by this loop or by redis-py reconnecting by itself: what was published in
    between never arrives. Runs until cancelled."""
    while True:
        pubsub = redis.pubsub()
        try:
            await pubsub.subscribe(channel)
            if on_subscribed is not None:
                on_subscribed()
                hook = _Hook(on_subscribed)  # alive as long as this subscription
                assert pubsub.connection is not None
                pubsub.connection.register_connect_callback(hook.connected)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    await on_message(message["data"])
        except RedisError:
            log.warning("lost the channel %s; listening again in 1 s", channel, exc_info=True)
            if on_subscribed is not None:
                on_subscribed()
            await asyncio.sleep(1.0)
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
