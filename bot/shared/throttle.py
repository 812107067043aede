"""Per-user flood limits shared by every instance: one token bucket per user in Redis
(`bot.middlewares.throttling` keeps them in the process when there is no Redis)."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.shared.scripts import USER_BUCKET

#: A bucket left alone this long is full again: its key expires.
IDLE_S = 60


class RedisBuckets:
    def __init__(self, redis: Redis, rate: float, burst: int, *, prefix: str = "dostyq") -> None:
        self.rate, self.burst, self.prefix = rate, burst, prefix
        self._script = redis.register_script(USER_BUCKET)

    async def allow(self, user_id: int) -> tuple[bool, bool]:
        """Take a token; (allowed, notify), notify true once per burst of refusals."""
        allowed, notify = await self._script(
            keys=[f"{self.prefix}:throttle:{user_id}"], args=[self.rate, self.burst, IDLE_S]
        )
        return bool(allowed), bool(notify)
