"""Whatever no feature router took: a short, translated reply, never silence.

This router must be included last.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.handlers.render import answer_stale
from bot.keyboards.common import main_menu


async def unknown_command(message: Message) -> None:
    await message.answer(_("I don't know this command. Send /help to see what I can do."))


async def not_text(message: Message) -> None:
    await message.answer(
        _("I can only read text messages. Type a question or use the menu."),
        reply_markup=main_menu(),
    )


async def stale_button(query: CallbackQuery) -> None:
    await answer_stale(query)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(not_text)
    router.callback_query.register(stale_button)
    return router
