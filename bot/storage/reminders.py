"""Which receptions' day-before reminders are queued (`bot.reminders`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_, update

from bot.storage.base import Repo, upsert
from bot.storage.schema import reception_reminders
from bot.storage.users import utcnow


class ReminderRepo(Repo):
    async def queued(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Those of the (reception id, date) pairs whose reminder is already queued."""
        wanted = list(keys)
        if not wanted:
            return set()
        r = reception_reminders.c
        statement = select(r.reception_id, r.date).where(tuple_(r.reception_id, r.date).in_(wanted))
        async with self._read() as conn:
            return {(rid, day) for rid, day in (await conn.execute(statement)).all()}

    async def claim(self, reception_id: str, date: str) -> bool:
        """Record that the reminder is being queued; False when it already was (by this
        or another instance). Call it inside the transaction that queues the announcement:
        the primary key makes a concurrent second claim wait for the first and then find
        the row."""
        async with self._write() as conn:
            statement = (
                upsert(conn, reception_reminders)
                .values(reception_id=reception_id, date=date, queued_at=utcnow())
                .on_conflict_do_nothing()
                .returning(reception_reminders.c.reception_id)
            )
            return (await conn.execute(statement)).first() is not None

    async def attach(self, reception_id: str, date: str, announcement_id: int) -> None:
        r = reception_reminders.c
        statement = (
            update(reception_reminders)
            .where(r.reception_id == reception_id, r.date == date)
            .values(announcement_id=announcement_id)
        )
        async with self._write() as conn:
            await conn.execute(statement)
