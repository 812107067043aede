"""The command menu Telegram shows, set once per language."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import LOCALES


def bot_commands() -> list[BotCommand]:
    """The commands in the current locale (call inside `i18n.use_locale`)."""
    return [
        BotCommand(command="start", description=_("Start and main menu")),
        BotCommand(command="menu", description=_("Main menu")),
        BotCommand(command="history", description=_("History")),
        BotCommand(command="events", description=_("Events")),
        BotCommand(command="consular", description=_("Consular services")),
        BotCommand(command="subscriptions", description=_("Subscriptions")),
        BotCommand(command="language", description=_("Change the language")),
        BotCommand(command="help", description=_("Help")),
        BotCommand(command="about", description=_("About the bot and its sources")),
        BotCommand(command="privacy", description=_("What is stored about you")),
        BotCommand(command="forget", description=_("Delete my data")),
    ]


async def set_bot_commands(bot: Bot, i18n: I18n) -> None:
    """One list per language, plus the default locale's list for everyone else."""
    with i18n.context():
        for code in LOCALES:
            with i18n.use_locale(code):
                await bot.set_my_commands(bot_commands(), language_code=code)
        with i18n.use_locale(i18n.default_locale):
            await bot.set_my_commands(bot_commands())
