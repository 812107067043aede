"""Receptions added after the KB was built (by moderators, or a test), kept in the
bot's database so a KB rebuild does not lose them."""

from __future__ import annotations

import json

import aiosqlite

from bot.kb.sources import Reception, Texts
from bot.storage.users import utcnow

PREFIX = "m"  # ids "m12": never clash with the KB's slug ids


class ReceptionRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

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
        cur = await self.conn.execute(
            "INSERT INTO receptions (office_id, city_id, region_id, date, services, note, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                office_id,
                city_id,
                region_id,
                date,
                json.dumps(services),
                json.dumps(note, ensure_ascii=False),
                created_by,
                utcnow(),
            ),
        )
        await self.conn.commit()
        assert cur.lastrowid is not None
        reception = await self.get(f"{PREFIX}{cur.lastrowid}")
        assert reception is not None
        return reception

    async def all(self) -> list[Reception]:
        async with self.conn.execute("SELECT * FROM receptions ORDER BY date DESC") as cur:
            return [_reception(row) for row in await cur.fetchall()]

    async def get(self, reception_id: str) -> Reception | None:
        if not reception_id.startswith(PREFIX) or not reception_id[1:].isdigit():
            return None
        async with self.conn.execute(
            "SELECT * FROM receptions WHERE id = ?", (int(reception_id[1:]),)
        ) as cur:
            row = await cur.fetchone()
        return _reception(row) if row else None


def _reception(row: aiosqlite.Row) -> Reception:
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
