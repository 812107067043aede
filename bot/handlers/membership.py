"""Track whether a user blocked the bot, from Telegram's my_chat_member updates."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from bot.storage.users import UserRepo


async def on_blocked(event: ChatMemberUpdated, users: UserRepo) -> None:
    await users.set_blocked(event.from_user.id, True)


async def on_unblocked(event: ChatMemberUpdated, users: UserRepo) -> None:
    await users.set_blocked(event.from_user.id, False)


def create_router() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.register(
        on_blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED)
    )
    router.my_chat_member.register(
        on_unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER)
    )
    return router
