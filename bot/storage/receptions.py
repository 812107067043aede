"""Receptions added after the KB was built (by moderators, or a test), kept in the
bot's database so a KB rebuild does not lose them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select

from bot.kb.sources import Reception, Texts
from bot.storage.base import Repo
from bot.storage.schema import receptions
from bot.storage.users import utcnow

PREFIX = "m"  # ids "m12": never clash with the KB's slug ids
MAX_ID = 2**31 - 1
#: The added receptions in the `HotCache`.
RECEPTIONS = "consular:receptions"


class ReceptionRepo(Repo):
    async def add(
        self,
        *,
        office_id: str,
        city_id: str,
        region_id: str | None,
        date: str,
        services: list[str],
        note: Texts,
        created_by: int | None = None,
    ) -> Reception:
        async with self._write() as conn:
            statement = (
                insert(receptions)
                .values(
                    office_id=office_id,
                    city_id=city_id,
                    region_id=region_id,
                    date=date,
                    services=json.dumps(services),
                    note=json.dumps(note, ensure_ascii=False),
                    created_by=created_by,
                    created_at=utcnow(),
                )
                .returning(*receptions.c)
            )
            row = (await conn.execute(statement)).one()
            self._stale(conn, RECEPTIONS)
        return _reception(row._mapping)

    async def all(self) -> list[Reception]:
        """Every reception moderators added, newest first (read on every directory and
        events screen: kept in the `HotCache`; callers must not change them)."""

        async def load() -> tuple[Reception, ...]:
            statement = select(receptions).order_by(receptions.c.date.desc())
            async with self._read() as conn:
                rows = (await conn.execute(statement)).all()
            return tuple(_reception(row._mapping) for row in rows)

        return list(await self._cached(RECEPTIONS, load))

    async def get(self, reception_id: str) -> Reception | None:
        if not reception_id.startswith(PREFIX) or not reception_id[1:].isdigit():
            return None
        number = int(reception_id[1:])
        if number > MAX_ID:  # a forged id: no row has it (and PostgreSQL would refuse it)
            return None
        async with self._read() as conn:
            row = (await conn.execute(select(receptions).where(receptions.c.id == number))).first()
        return _reception(row._mapping) if row else None


def _reception(row: Any) -> Reception:
    return Reception(
        id=f"{PREFIX}{row['id']}",
        office=row["office_id"],
        city=row["city_id"],
        region=row["region_id"],
        date=row["date"],
        date_precision="day",
        services=json.loads(row["services"]),
        note=json.loads(row["note"]),
        source="",  # added in the bot, not from a source document
        kind="outreach",
    )
