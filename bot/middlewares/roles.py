"""Who is speaking: "admin" (ADMIN_IDS), "moderator" (granted in the bot) or "user".

The role is computed once per update and handed to filters and handlers as `role`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import Filter
from aiogram.types import TelegramObject, User

from bot.storage.roles import ModeratorRepo

ADMIN, MODERATOR, USER = "admin", "moderator", "user"


class RoleMiddleware(BaseMiddleware):
    def __init__(self, admin_ids: tuple[int, ...], moderators: ModeratorRepo) -> None:
        self.admin_ids = frozenset(admin_ids)
        self.moderators = moderators

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: User | None = data.get("event_from_user")
        role = USER
        if tg_user is not None:
            if tg_user.id in self.admin_ids:
                role = ADMIN
            elif await self.moderators.is_moderator(tg_user.id):
                role = MODERATOR
        data["role"] = role
        return await handler(event, data)


class HasRole(Filter):
    """Passes for the given roles; admins pass every role check."""

    def __init__(self, *roles: str) -> None:
        self.roles = frozenset(roles) | {ADMIN}

    async def __call__(self, event: TelegramObject, role: str = USER) -> bool:
        return role in self.roles
