"""The command menu Telegram shows, set once per language."""

from __future__ import annotations

import contextlib

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import BotCommand, BotCommandScopeChat
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import LOCALES


def command(*names: str) -> Command:
    """The filter for the bot's commands: case is ignored, so /START and /Help work like
    /start and /help (people type them by hand, and phones capitalise the first letter)."""
    return Command(*names, ignore_case=True)


def bot_commands() -> list[BotCommand]:
    """The commands in the current locale (call inside `i18n.use_locale`)."""
    return [
        BotCommand(command="start", description=_("Start and main menu")),
        BotCommand(command="menu", description=_("Main menu")),
        BotCommand(command="history", description=_("History")),
        BotCommand(command="events", description=_("Events")),
        BotCommand(command="consular", description=_("Consular services")),
        BotCommand(command="location", description=_("Receptions and offices near a point")),
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


def staff_commands(*, admin: bool) -> list[BotCommand]:
    """What a moderator (and an admin) sees in the menu besides the users' commands."""
    commands = [
        BotCommand(command="announce", description=_("New announcement")),
        BotCommand(command="announcements", description=_("Recent announcements")),
        BotCommand(command="addreception", description=_("Add a consular reception")),
        BotCommand(command="addoffice", description=_("Add a consular office")),
        BotCommand(command="addevent", description=_("Add an event")),
        BotCommand(command="gaps", description=_("Questions without an answer")),
    ]
    if admin:
        commands += [
            BotCommand(command="moderators", description=_("Moderators")),
            BotCommand(command="audit", description=_("Audit log")),
        ]
    return commands


async def set_staff_commands(
    bot: Bot, i18n: I18n, user_id: int, locale: str, *, admin: bool
) -> None:
    """A moderator's or admin's own menu (a per-chat scope wins over the default one).

    Telegram refuses a chat the user never opened; their menu is set the next time.
    """
    with i18n.context(), i18n.use_locale(locale):
        commands = bot_commands() + staff_commands(admin=admin)
    with contextlib.suppress(TelegramAPIError):
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=user_id))


async def clear_staff_commands(bot: Bot, user_id: int) -> None:
    with contextlib.suppress(TelegramAPIError):
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=user_id))
