"""Users: the stored language choice, when we last saw them, whether they blocked us."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from bot.storage.base import Repo, upsert
from bot.storage.schema import users

#: How stale `last_seen` may get before an update from the user writes it again.
SEEN_EVERY_S = 600


def utcnow() -> str:
    """Timestamps are stored as ISO-8601 UTC text: sortable and readable."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    locale: str | None
    tg_language: str | None
    first_seen: str
    last_seen: str
    blocked: bool
    reminders: bool = True  # a reminder the day before a reception in a subscribed region


class UserRepo(Repo):
    async def get(self, user_id: int) -> UserRecord | None:
        async def load() -> UserRecord | None:
            async with self._read() as conn:
                row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
            return _record(row._mapping) if row else None

        return await self._cached(cache_key(user_id), load)

    async def seen(self, user_id: int, tg_language: str | None) -> UserRecord:
        """The user's row for an update from them: read, and written only when it has
        to change (first contact, a new Telegram language, back after blocking the bot,
        or last seen more than `SEEN_EVERY_S` ago). SQLite has one writer, so a write on
        every update made each update queue behind all the others."""
        record = await self.get(user_id)
        if record is not None and not record.blocked:
            fresh = record.last_seen >= _ago(SEEN_EVERY_S)
            same = tg_language is None or record.tg_language == tg_language
            if fresh and same:
                return record
        return await self.touch(user_id, tg_language)

    async def touch(self, user_id: int, tg_language: str | None) -> UserRecord:
        """Create the user on first contact, else refresh last_seen; unblocks on contact."""
        now = utcnow()
        async with self._write() as conn:
            insert = upsert(conn, users).values(
                id=user_id, tg_language=tg_language, first_seen=now, last_seen=now
            )
            statement = insert.on_conflict_do_update(
                index_elements=[users.c.id],
                set_={
                    "last_seen": insert.excluded.last_seen,
                    "tg_language": func.coalesce(insert.excluded.tg_language, users.c.tg_language),
                    "blocked": False,
                },
            ).returning(*users.c)
            row = (await conn.execute(statement)).one()
            self._stale(conn, cache_key(user_id))
        return _record(row._mapping)

    async def set_locale(self, user_id: int, locale: str) -> None:
        async with self._write() as conn:
            await conn.execute(update(users).where(users.c.id == user_id).values(locale=locale))
            self._stale(conn, cache_key(user_id))

    async def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        async with self._write() as conn:
            await conn.execute(update(users).where(users.c.id == user_id).values(blocked=blocked))
            self._stale(conn, cache_key(user_id))

    async def set_reminders(self, user_id: int, on: bool) -> None:
        """Turn the day-before reminders of receptions (in subscribed regions) on or off."""
        async with self._write() as conn:
            await conn.execute(update(users).where(users.c.id == user_id).values(reminders=on))
            self._stale(conn, cache_key(user_id))

    async def delete(self, user_id: int) -> bool:
        """Forget a user: their row and, through foreign keys, what hangs on it."""
        async with self._write() as conn:
            result = await conn.execute(delete(users).where(users.c.id == user_id))
            self._stale(conn, cache_key(user_id))
        return result.rowcount > 0


def cache_key(user_id: int) -> str:
    """The user's row in the `HotCache`."""
    return f"user:{user_id}"


def _record(row: Any) -> UserRecord:
    return UserRecord(
        id=row["id"],
        locale=row["locale"],
        tg_language=row["tg_language"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        blocked=bool(row["blocked"]),
        reminders=bool(row.get("reminders", True)),
    )
