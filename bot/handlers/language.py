"""/language and the language buttons: store the choice and answer in the new language."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.commands import command
from bot.handlers.render import show
from bot.keyboards.callbacks import LangCB
from bot.keyboards.common import language_picker, main_menu
from bot.storage.users import UserRecord, UserRepo
from bot.texts import greeting


async def cmd_language(message: Message, i18n: I18n) -> None:
    await message.answer(
        _("Choose your language:"), reply_markup=language_picker(i18n.current_locale)
    )


async def on_language_chosen(
    query: CallbackQuery, callback_data: LangCB, user: UserRecord, users: UserRepo, i18n: I18n
) -> None:
    code = callback_data.code.value
    await users.set_locale(user.id, code)
    with i18n.use_locale(code):
        await query.answer(_("Language set: English"))
        await show(query, greeting(), main_menu())


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_language, command("language"))
    router.callback_query.register(on_language_chosen, LangCB.filter())
    return router
