"""Feature routers and the order in which they see updates."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from bot.handlers import (
    ask,
    consular,
    events,
    fallback,
    history,
    info,
    inline,
    language,
    membership,
    menu,
    moderation,
    start,
    subscriptions,
)


def create_root_router() -> Router:
    """Build a fresh router tree; the fallback router must stay last."""
    root = Router(name="root")
    # The bot is a private assistant: in groups it only serves inline queries.
    root.message.filter(F.chat.type == ChatType.PRIVATE)
    root.include_routers(
        membership.create_router(),
        moderation.create_router(),
        moderation.create_guard_router(),
        start.create_router(),
        language.create_router(),
        menu.create_router(),
        info.create_router(),
        history.create_router(),
        events.create_router(),
        consular.create_router(),
        subscriptions.create_router(),
        inline.create_router(),
        ask.create_router(),
        fallback.create_router(),
    )
    return root
