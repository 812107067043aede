"""Consular offices added by moderators, and the details moderators give for any office
or reception (`consular_details`, one row per field)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, insert, select

from bot.kb.sources import DETAIL_FIELDS, Office, Texts
from bot.storage.base import Repo, upsert
from bot.storage.schema import consular_details, offices
from bot.storage.users import utcnow

PREFIX = "o"  # ids "o12": never clash with the KB's slug ids
MAX_ID = 2**31 - 1

Details = dict[str, Any]  # field -> value, only the fields given
#: The added offices and every subject's details in the `HotCache`.
OFFICES, DETAILS = "consular:offices", "consular:details"


class OfficeRepo(Repo):
    async def add(
        self, *, kind: str, country: str, city_id: str, name: Texts, created_by: int | None
    ) -> Office:
        async with self._write() as conn:
            statement = (
                insert(offices)
                .values(
                    kind=kind,
                    country=country,
                    city_id=city_id,
                    name=json.dumps(name, ensure_ascii=False),
                    created_by=created_by,
                    created_at=utcnow(),
                )
                .returning(*offices.c)
            )
            row = (await conn.execute(statement)).one()
            self._stale(conn, OFFICES)
        return _office(row._mapping)

    async def all(self) -> list[Office]:
        """Every office moderators added (read on every directory screen: kept in the
        `HotCache`; callers must not change the offices)."""

        async def load() -> tuple[Office, ...]:
            async with self._read() as conn:
                rows = (await conn.execute(select(offices).order_by(offices.c.id))).all()
            return tuple(_office(row._mapping) for row in rows)

        return list(await self._cached(OFFICES, load))

    async def get(self, office_id: str) -> Office | None:
        if not office_id.startswith(PREFIX) or not office_id[1:].isdigit():
            return None
        number = int(office_id[1:])
        if number > MAX_ID:  # a forged id: no row has it (and PostgreSQL would refuse it)
            return None
        async with self._read() as conn:
            row = (await conn.execute(select(offices).where(offices.c.id == number))).first()
        return _office(row._mapping) if row else None


class DetailsRepo(Repo):
    async def all(self) -> dict[str, Details]:
        """Every subject's details ("office:ID" / "reception:ID" -> fields)."""
        return {subject: dict(fields) for subject, fields in (await self._every()).items()}

    async def of(self, subject: str) -> Details:
        return dict((await self._every()).get(subject, {}))

    async def _every(self) -> dict[str, Details]:
        """Read on every directory screen: kept in the `HotCache`. `all` and `of` hand
        out copies of the fields; the values inside are shared: callers must not change
        them."""

        async def load() -> dict[str, Details]:
            async with self._read() as conn:
                rows = (await conn.execute(select(consular_details))).all()
            found: dict[str, Details] = {}
            for subject, field, value, *_rest in rows:
                if field in DETAIL_FIELDS:
                    found.setdefault(subject, {})[field] = json.loads(value)
            return found

        return await self._cached(DETAILS, load)

    async def put(self, subject: str, field: str, value: Any, actor: int | None) -> None:
        """Set one field; an empty value (None, "", {}, []) removes it."""
        if field not in DETAIL_FIELDS:
            raise ValueError(f"not a detail field: {field}")
        c = consular_details.c
        async with self._write() as conn:
            self._stale(conn, DETAILS)
            if value in (None, "", {}, []):
                await conn.execute(
                    delete(consular_details).where(c.subject == subject, c.field == field)
                )
                return
            values = {
                "value": json.dumps(value, ensure_ascii=False),
                "updated_by": actor,
                "updated_at": utcnow(),
            }
            statement = upsert(conn, consular_details).values(
                subject=subject, field=field, **values
            )
            await conn.execute(
                statement.on_conflict_do_update(index_elements=[c.subject, c.field], set_=values)
            )


def _office(row: Any) -> Office:
    return Office(
        id=f"{PREFIX}{row['id']}",
        kind=row["kind"],
        country=row["country"],
        city=row["city_id"],
        name=json.loads(row["name"]),
    )
