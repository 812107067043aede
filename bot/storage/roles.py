"""Moderators (admins come from settings) and the audit log of every moderator action."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select

from bot.storage.base import Repo, upsert
from bot.storage.schema import audit_log, moderators
from bot.storage.users import utcnow

log = logging.getLogger(__name__)

#: The moderator set in the `HotCache`.
MODERATORS = "moderators"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    actor_id: int
    action: str
    details: dict[str, Any]
    at: str


@dataclass(frozen=True, slots=True)
class ModeratorEntry:
    user_id: int
    added_by: int
    added_at: str


class ModeratorRepo(Repo):
    async def is_moderator(self, user_id: int) -> bool:
        """Asked on every update: the whole (small) set is kept in the `HotCache`."""

        async def load() -> frozenset[int]:
            async with self._read() as conn:
                rows = (await conn.execute(select(moderators.c.user_id))).scalars()
                return frozenset(int(uid) for uid in rows)

        return user_id in await self._cached(MODERATORS, load)

    async def add(self, user_id: int, added_by: int) -> bool:
        async with self._write() as conn:
            statement = upsert(conn, moderators).values(
                user_id=user_id, added_by=added_by, added_at=utcnow()
            )
            result = await conn.execute(statement.on_conflict_do_nothing())
            self._stale(conn, MODERATORS)
        return result.rowcount > 0

    async def remove(self, user_id: int) -> bool:
        async with self._write() as conn:
            result = await conn.execute(delete(moderators).where(moderators.c.user_id == user_id))
            self._stale(conn, MODERATORS)
        return result.rowcount > 0

    async def all(self) -> list[int]:
        async with self._read() as conn:
            statement = select(moderators.c.user_id).order_by(moderators.c.added_at)
            return [int(uid) for uid in (await conn.execute(statement)).scalars()]

    async def entries(self) -> list[ModeratorEntry]:
        """Every moderator with who added them and when, in the order they were added."""
        statement = select(moderators.c.user_id, moderators.c.added_by, moderators.c.added_at)
        async with self._read() as conn:
            rows = (
                await conn.execute(statement.order_by(moderators.c.added_at, moderators.c.user_id))
            ).all()
        return [ModeratorEntry(int(r.user_id), int(r.added_by), str(r.added_at)) for r in rows]


class AuditRepo(Repo):
    async def record(self, actor_id: int, action: str, **details: Any) -> None:
        async with self._write() as conn:
            await conn.execute(
                insert(audit_log).values(
                    actor_id=actor_id,
                    action=action,
                    details=json.dumps(details, ensure_ascii=False, default=str),
                    at=utcnow(),
                )
            )
        log.info("audit: %s by %s %s", action, actor_id, details)

    async def recent(self, limit: int = 50) -> list[AuditEntry]:
        async with self._read() as conn:
            statement = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
            rows = (await conn.execute(statement)).all()
        return [AuditEntry(r.id, r.actor_id, r.action, json.loads(r.details), r.at) for r in rows]
