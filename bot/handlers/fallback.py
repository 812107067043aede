"""Whatever no feature router took: a short, translated reply, never silence.

This router must be included last.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from bot.commands import command
from bot.handlers.render import answer_stale
from bot.keyboards.common import main_menu


async def cancel(message: Message, state: FSMContext) -> None:
    """/cancel wherever no wizard took it (the moderation wizards answer their own
    first): end a pending step such as "type a city", else say there is nothing to
    cancel, rather than "unknown command"."""
    if await state.get_state() is not None:
        await state.clear()
        await message.answer(_("Cancelled."), reply_markup=ReplyKeyboardRemove())
        await message.answer(_("Main menu"), reply_markup=main_menu())
        return
    await message.answer(_("Nothing to cancel."), reply_markup=main_menu())


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
    router.message.register(cancel, command("cancel"))
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(not_text)
    router.callback_query.register(stale_button)
    return router
