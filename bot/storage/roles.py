"""Moderators (admins come from settings) and the audit log of every moderator action."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.storage.users import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    actor_id: int
    action: str
    details: dict[str, Any]
    at: str


class ModeratorRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def is_moderator(self, user_id: int) -> bool:
        async with self.conn.execute(
            "SELECT 1 FROM moderators WHERE user_id = ?", (user_id,)
        ) as cur:
            return await cur.fetchone() is not None

    async def add(self, user_id: int, added_by: int) -> bool:
        cur = await self.conn.execute(
            "INSERT OR IGNORE INTO moderators (user_id, added_by, added_at) VALUES (?, ?, ?)",
            (user_id, added_by, utcnow()),
        )
        await self.conn.commit()
        return cur.rowcount > 0

    async def remove(self, user_id: int) -> bool:
        cur = await self.conn.execute("DELETE FROM moderators WHERE user_id = ?", (user_id,))
        await self.conn.commit()
        return cur.rowcount > 0

    async def all(self) -> list[int]:
        async with self.conn.execute("SELECT user_id FROM moderators ORDER BY added_at") as cur:
            return [row[0] for row in await cur.fetchall()]


class AuditRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def record(self, actor_id: int, action: str, **details: Any) -> None:
        await self.conn.execute(
            "INSERT INTO audit_log (actor_id, action, details, at) VALUES (?, ?, ?, ?)",
            (actor_id, action, json.dumps(details, ensure_ascii=False, default=str), utcnow()),
        )
        await self.conn.commit()
        log.info("audit: %s by %s %s", action, actor_id, details)

    async def recent(self, limit: int = 50) -> list[AuditEntry]:
        async with self.conn.execute(
            "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
        ) as cur:
            rows = await cur.fetchall()
        return [
            AuditEntry(r["id"], r["actor_id"], r["action"], json.loads(r["details"]), r["at"])
            for r in rows
        ]
