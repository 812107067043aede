"""Subscriptions: topics (events, heritage, consular) and regions, per user."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, insert, or_, select

from bot.storage.base import Repo, upsert
from bot.storage.schema import subscriptions, users
from bot.storage.users import utcnow

TOPICS = ("events", "heritage", "consular")


class SubscriptionRepo(Repo):
    async def of_user(self, user_id: int) -> set[tuple[str, str]]:
        statement = select(subscriptions.c.kind, subscriptions.c.key).where(
            subscriptions.c.user_id == user_id
        )
        async with self._read() as conn:
            return {(kind, key) for kind, key in (await conn.execute(statement)).all()}

    async def toggle(self, user_id: int, kind: str, key: str) -> bool:
        """Subscribe if not subscribed, else unsubscribe; returns the new state."""
        async with self._write() as conn:
            removed = await conn.execute(
                delete(subscriptions).where(
                    subscriptions.c.user_id == user_id,
                    subscriptions.c.kind == kind,
                    subscriptions.c.key == key,
                )
            )
            if removed.rowcount:
                return False
            await conn.execute(
                insert(subscriptions).values(
                    user_id=user_id, kind=kind, key=key, created_at=utcnow()
                )
            )
        return True

    async def subscribe(self, user_id: int, kind: str, key: str) -> None:
        async with self._write() as conn:
            statement = upsert(conn, subscriptions).values(
                user_id=user_id, kind=kind, key=key, created_at=utcnow()
            )
            await conn.execute(statement.on_conflict_do_nothing())

    async def subscribers(
        self, *, regions: Iterable[str] = (), topics: Iterable[str] = ()
    ) -> list[tuple[int, str | None]]:
        """(user id, locale) of reachable users subscribed to any of the regions or topics."""
        wanted = [("region", r) for r in regions] + [("topic", t) for t in topics]
        if not wanted:
            return []
        matches = or_(
            *(
                and_(subscriptions.c.kind == kind, subscriptions.c.key == key)
                for kind, key in wanted
            )
        )
        statement = (
            select(users.c.id, users.c.locale)
            .distinct()
            .join(subscriptions, subscriptions.c.user_id == users.c.id)
            .where(users.c.blocked.is_(False), matches)
            .order_by(users.c.id)
        )
        async with self._read() as conn:
            return [(int(uid), locale) for uid, locale in (await conn.execute(statement)).all()]
