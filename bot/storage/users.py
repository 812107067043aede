"""Users: the stored language choice, when we last saw them, whether they blocked us."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import aiosqlite


def utcnow() -> str:
    """Timestamps are stored as ISO-8601 UTC text: sortable and readable."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    locale: str | None
    tg_language: str | None
    first_seen: str
    last_seen: str
    blocked: bool


class UserRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def get(self, user_id: int) -> UserRecord | None:
        async with self.conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)) as cur:
            row = await cur.fetchone()
        return _record(row) if row else None

    async def touch(self, user_id: int, tg_language: str | None) -> UserRecord:
        """Create the user on first contact, else refresh last_seen; unblocks on contact."""
        now = utcnow()
        # One call that reads RETURNING to the end: a statement left half-read on the
        # shared connection would make another coroutine's commit fail.
        rows = await self.conn.execute_fetchall(
            """
            INSERT INTO users (id, tg_language, first_seen, last_seen) VALUES (?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET
                last_seen = excluded.last_seen,
                tg_language = COALESCE(excluded.tg_language, users.tg_language),
                blocked = 0
            RETURNING *
            """,
            (user_id, tg_language, now, now),
        )
        await self.conn.commit()
        return _record(next(iter(rows)))

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self.conn.execute("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))
        await self.conn.commit()

    async def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        await self.conn.execute(
            "UPDATE users SET blocked = ? WHERE id = ?", (int(blocked), user_id)
        )
        await self.conn.commit()

    async def delete(self, user_id: int) -> bool:
        """Forget a user: their row and, through foreign keys, what hangs on it."""
        cur = await self.conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
        await self.conn.commit()
        return cur.rowcount > 0


def _record(row: aiosqlite.Row) -> UserRecord:
    return UserRecord(
        id=row["id"],
        locale=row["locale"],
        tg_language=row["tg_language"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        blocked=bool(row["blocked"]),
    )
