"""/help, /about, /privacy and /forget (with a confirmation button that carries proof of
the question it answers)."""

from __future__ import annotations

import secrets

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.commands import command
from bot.handlers.render import answer_stale, show
from bot.keyboards.callbacks import ForgetCB
from bot.keyboards.common import back_to_menu, confirm_forget
from bot.middlewares.roles import USER
from bot.services import Services
from bot.texts import about_text, help_for, help_text, privacy_text

#: The FSM data key of the proof the /forget question's Yes button carries.
FORGET_PROOF = "forget_proof"


async def cmd_help(message: Message, role: str = USER) -> None:
    text = help_text()
    if role != USER:  # staff also see their own commands
        text = help_for(role)
    await message.answer(text, reply_markup=back_to_menu())


async def cmd_about(message: Message) -> None:
    await message.answer(about_text())


async def cmd_privacy(message: Message) -> None:
    await message.answer(privacy_text())


async def cmd_forget(message: Message, state: FSMContext) -> None:
    proof = secrets.token_hex(4)  # only the Yes of this very question deletes
    await state.update_data({FORGET_PROOF: proof})
    await message.answer(
        _(
            "Delete everything stored about you: your language, your subscriptions and "
            "your questions? This cannot be undone."
        ),
        reply_markup=confirm_forget(proof),
    )


async def on_forget(
    query: CallbackQuery, callback_data: ForgetCB, services: Services, state: FSMContext
) -> None:
    if not callback_data.confirm:
        await query.answer()
        await show(query, _("Nothing was deleted."))
        return
    shown = (await state.get_data()).get(FORGET_PROOF)
    if not callback_data.proof or callback_data.proof != shown:
        # a bare or forged Yes, or one from an older question: nothing is deleted
        await answer_stale(query)
        return
    await state.clear()
    await services.users.forget(query.from_user.id)
    await query.answer()
    await show(
        query,
        _(
            "Done: everything stored about you has been deleted. "
            "If you write again, the bot will start afresh."
        ),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_help, command("help"))
    router.message.register(cmd_about, command("about"))
    router.message.register(cmd_privacy, command("privacy"))
    router.message.register(cmd_forget, command("forget"))
    router.callback_query.register(on_forget, ForgetCB.filter())
    return router
