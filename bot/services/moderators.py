"""Moderators, added and removed by administrators."""

from __future__ import annotations

from bot.storage.database import Database
from bot.storage.roles import AuditRepo, ModeratorRepo


class ModeratorService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, actor: int, user_id: int) -> bool:
        """True when `user_id` became a moderator (False: already one)."""
        async with self.db.transaction() as tx:
            added = await ModeratorRepo(tx).add(user_id, actor)
            if added:
                await AuditRepo(tx).record(actor, "moderator.add", user_id=user_id)
        return added

    async def remove(self, actor: int, user_id: int) -> bool:
        async with self.db.transaction() as tx:
            removed = await ModeratorRepo(tx).remove(user_id)
            if removed:
                await AuditRepo(tx).record(actor, "moderator.remove", user_id=user_id)
        return removed
