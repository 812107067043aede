"""What users do to their own data: subscribe, and be forgotten."""

from __future__ import annotations

from bot.storage.database import Database
from bot.storage.subscriptions import SubscriptionRepo
from bot.storage.users import UserRepo


class UserService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def toggle_subscription(self, user_id: int, kind: str, key: str) -> bool:
        """Subscribe, or unsubscribe when subscribed; returns the new state."""
        return await SubscriptionRepo(self.db).toggle(user_id, kind, key)

    async def forget(self, user_id: int) -> bool:
        """Delete the user and everything stored about them (questions, votes,
        subscriptions, outbox rows), in one unit of work. Nothing of it is audited: a
        record that they asked would be something kept about them."""
        return await UserRepo(self.db).delete(user_id)
