"""The consular directory's changes by moderators: receptions and offices added, and
the details (venue, hours, booking link, contact, map point, services) of any of them,
each stored with its audit record in one transaction."""

from __future__ import annotations

from typing import Any

from bot.kb.sources import Office, Reception, Texts
from bot.storage.database import Database
from bot.storage.offices import DetailsRepo, OfficeRepo
from bot.storage.receptions import ReceptionRepo
from bot.storage.roles import AuditRepo


class ConsularService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_reception(
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

    async def add_office(
        self, actor: int, *, kind: str, country: str, city_id: str, name: Texts
    ) -> Office:
        async with self.db.transaction() as tx:
            office = await OfficeRepo(tx).add(
                kind=kind, country=country, city_id=city_id, name=name, created_by=actor
            )
            await AuditRepo(tx).record(
                actor, "office.add", id=office.id, city=office.city, name=texts_line(name)
            )
        return office

    async def set_details(self, actor: int, subject: str, values: dict[str, Any]) -> None:
        """Set (or, with empty values, remove) details of "office:ID" or "reception:ID"
        together: the map point's latitude and longitude are one change."""
        async with self.db.transaction() as tx:
            details = DetailsRepo(tx)
            for field, value in values.items():
                await details.put(subject, field, value, actor)
            removed = all(value in (None, "", {}, []) for value in values.values())
            await AuditRepo(tx).record(
                actor, "consular.edit", subject=subject, field=next(iter(values)), removed=removed
            )


def texts_line(texts: Texts) -> str:
    """One of a text's languages, for an audit record."""
    return next(iter(texts.values()), "")
