"""Load (or create) the sender's row once per update and hand it to handlers as `user`;
updates sent by bots are dropped here, before any handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.storage.users import UserRepo


class UserMiddleware(BaseMiddleware):
    """Outer middleware on `update`: runs after aiogram has found `event_from_user`."""

    def __init__(self, users: UserRepo) -> None:
        self.users = users

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: User | None = data.get("event_from_user")
        if tg_user is not None and tg_user.is_bot:
            return None  # another bot talking to this one: it is nobody the bot serves
        if tg_user is not None:
            data["user"] = await self.users.seen(tg_user.id, tg_user.language_code)
        return await handler(event, data)
