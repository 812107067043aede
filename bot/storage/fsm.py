"""aiogram's FSM storage in the bot's database: a wizard in progress (its step and what
was typed so far) survives a restart, and every instance sharing the database sees it.

One row per key (bot, chat, user, thread, destiny: aiogram's `DefaultKeyBuilder`); the
row goes when both the state and the data are cleared. Data must be JSON (the wizards
keep ids, texts, ISO dates). Two fast updates of one user are kept apart by the
dispatcher's event isolation, which takes the key's lock around each update.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import delete, select

from bot.storage.base import upsert
from bot.storage.database import Database
from bot.storage.schema import fsm_states
from bot.storage.users import utcnow

StateType = str | State | None
_KEEP: Any = object()  # "leave as it is" for `_write`


class SQLStorage(BaseStorage):
    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._row(key)
        return row[0] if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._row(key)
        return dict(json.loads(row[1])) if row else {}

    async def close(self) -> None:
        """The database belongs to the bot, which closes it."""

    async def _row(self, key: StorageKey) -> tuple[str | None, str] | None:
        """The state and the data as JSON; aiogram asks on every update, so the row is
        kept in the `HotCache` until a write commits."""
        name = self._key(key)

        async def load() -> tuple[str | None, str] | None:
            statement = select(fsm_states.c.state, fsm_states.c.data).where(
                fsm_states.c.key == name
            )
            async with self.db.read() as conn:
                row = (await conn.execute(statement)).first()
            return (row.state, row.data) if row else None

        return await self.db.cache.get(_cache_key(name), load)

    async def _write(self, key: StorageKey, *, state: Any = _KEEP, data: Any = _KEEP) -> None:
        """Change the state or the data of `key` (the other is kept) in one unit of work."""
        name = self._key(key)
        async with self.db.transaction() as tx:
            Database.evict_after_commit(tx, _cache_key(name))
            row = (
                await tx.execute(
                    select(fsm_states.c.state, fsm_states.c.data).where(fsm_states.c.key == name)
                )
            ).first()
            old_state, old_data = (row.state, json.loads(row.data)) if row else (None, {})
            new_state = old_state if state is _KEEP else state
            new_data = old_data if data is _KEEP else data
            if new_state is None and not new_data:
                await tx.execute(delete(fsm_states).where(fsm_states.c.key == name))
                return
            values = {
                "state": new_state,
                "data": json.dumps(new_data, ensure_ascii=False),
                "updated_at": utcnow(),
            }
            statement = upsert(tx, fsm_states).values(key=name, **values)
            await tx.execute(
                statement.on_conflict_do_update(index_elements=[fsm_states.c.key], set_=values)
            )


def _cache_key(name: str) -> str:
    return f"fsm:{name}"
