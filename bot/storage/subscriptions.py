"""Subscriptions: topics (events, heritage, consular) and regions, per user."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from bot.storage.users import utcnow

TOPICS = ("events", "heritage", "consular")


class SubscriptionRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def of_user(self, user_id: int) -> set[tuple[str, str]]:
        async with self.conn.execute(
            "SELECT kind, key FROM subscriptions WHERE user_id = ?", (user_id,)
        ) as cur:
            return {(row["kind"], row["key"]) for row in await cur.fetchall()}

    async def toggle(self, user_id: int, kind: str, key: str) -> bool:
        """Subscribe if not subscribed, else unsubscribe; returns the new state."""
        cur = await self.conn.execute(
            "DELETE FROM subscriptions WHERE user_id = ? AND kind = ? AND key = ?",
            (user_id, kind, key),
        )
        if cur.rowcount:
            await self.conn.commit()
            return False
        await self.conn.execute(
            "INSERT INTO subscriptions (user_id, kind, key, created_at) VALUES (?, ?, ?, ?)",
            (user_id, kind, key, utcnow()),
        )
        await self.conn.commit()
        return True

    async def subscribe(self, user_id: int, kind: str, key: str) -> None:
        await self.conn.execute(
            "INSERT OR IGNORE INTO subscriptions (user_id, kind, key, created_at) "
            "VALUES (?, ?, ?, ?)",
            (user_id, kind, key, utcnow()),
        )
        await self.conn.commit()

    async def subscribers(
        self, *, regions: Iterable[str] = (), topics: Iterable[str] = ()
    ) -> list[tuple[int, str | None]]:
        """(user id, locale) of reachable users subscribed to any of the regions or topics."""
        wanted = [("region", r) for r in regions] + [("topic", t) for t in topics]
        if not wanted:
            return []
        clause = " OR ".join("(s.kind = ? AND s.key = ?)" for _ in wanted)
        params = [v for pair in wanted for v in pair]
        async with self.conn.execute(
            "SELECT DISTINCT u.id, u.locale FROM subscriptions s JOIN users u ON u.id = s.user_id "
            f"WHERE u.blocked = 0 AND ({clause}) ORDER BY u.id",
            params,
        ) as cur:
            return [(row["id"], row["locale"]) for row in await cur.fetchall()]
