"""Consular receptions added by moderators."""

from __future__ import annotations

from bot.kb.sources import Reception, Texts
from bot.storage.database import Database
from bot.storage.receptions import ReceptionRepo
from bot.storage.roles import AuditRepo


class ReceptionService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        actor: int,
        *,
        office_id: str,
        city_id: str,
        region_id: str | None,
        date: str,
        services: list[str],
        note: Texts,
    ) -> Reception:
        """Store a reception and its audit record together."""
        async with self.db.transaction() as tx:
            reception = await ReceptionRepo(tx).add(
                office_id=office_id,
                city_id=city_id,
                region_id=region_id,
                date=date,
                services=services,
                note=note,
                created_by=actor,
            )
            await AuditRepo(tx).record(
                actor, "reception.add", id=reception.id, city=reception.city, date=reception.date
            )
        return reception
