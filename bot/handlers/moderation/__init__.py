"""Moderator features, behind one role check; and the guard that refuses them politely
to everyone else (by command or by forged callback data) and logs the attempt."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.fsm.scene import SceneRegistry
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.commands import command
from bot.handlers.moderation import (
    announce,
    announcements,
    content,
    directory,
    documents,
    gaps,
    moderators,
)
from bot.middlewares.roles import MODERATOR, USER, HasRole

log = logging.getLogger(__name__)

COMMANDS = (
    "moderators",
    "audit",
    "announce",
    "announcements",
    "addreception",
    "addevent",
    "addoffice",
    "gaps",
)
CALLBACK_PREFIX = "md"  # every moderation CallbackData prefix starts with it


def create_router() -> Router:
    router = Router(name="moderation")
    router.message.filter(HasRole(MODERATOR))
    router.callback_query.filter(HasRole(MODERATOR))
    # One registry for every wizard, so that starting one (or sending a file) ends any other.
    SceneRegistry(router, register_on_add=False).add(
        *announce.SCENES, *content.SCENES, *directory.SCENES, *documents.SCENES
    )
    router.include_routers(
        moderators.create_router(),
        announce.create_router(),
        announcements.create_router(),
        directory.create_router(),  # before content: its stale-button catch-all is last
        content.create_router(),
        documents.create_router(),
        gaps.create_router(),
    )
    return router


async def refuse_command(message: Message, role: str = USER) -> None:
    log.warning("refused moderator command %r from user %s", message.text, message.chat.id)
    if role == MODERATOR:  # a moderator reaching an admin-only command
        await message.answer(_("This command is for administrators only."))
        return
    await message.answer(_("This command is for moderators only."))


async def refuse_button(query: CallbackQuery) -> None:
    log.warning("refused moderator button %r from user %s", query.data, query.from_user.id)
    await query.answer(_("This is for moderators only."), show_alert=True)


def create_guard_router() -> Router:
    """Placed right after the moderation router: whatever it did not take is refused."""
    router = Router(name="moderation-guard")
    router.message.register(refuse_command, command(*COMMANDS))
    router.callback_query.register(refuse_button, F.data.startswith(CALLBACK_PREFIX))
    return router
