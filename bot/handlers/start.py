"""/start and /menu: ask for the language on first contact, else show the main menu."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandStart
from aiogram.types import Message

from bot.commands import command
from bot.i18n import match_locale
from bot.keyboards.common import language_picker, main_menu
from bot.storage.users import UserRecord
from bot.texts import choose_language, greeting


async def cmd_start(message: Message, user: UserRecord) -> None:
    if user.locale is None:
        first = match_locale(message.from_user.language_code if message.from_user else None)
        await message.answer(choose_language(), reply_markup=language_picker(first))
        return
    await message.answer(greeting(), reply_markup=main_menu())


async def cmd_menu(message: Message) -> None:
    await message.answer(greeting(), reply_markup=main_menu())


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_start, CommandStart(ignore_case=True))
    router.message.register(cmd_menu, command("menu"))
    return router
