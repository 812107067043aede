"""Show a screen in answer to a button: edit the message in place when possible."""

from __future__ import annotations

import contextlib

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _


async def show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the button's message; send a new one if it is too old or inaccessible.

    A button that would change nothing (the pager's current page, 👍 pressed again) is
    not sent as an edit at all. Two fast taps can still both edit (the second one's
    message is the one before the first edit): Telegram then answers "message is not
    modified", which is no error for the user and is swallowed here.
    """
    if isinstance(query.message, Message):
        if unchanged(query.message, text, markup):
            return
        try:
            await query.message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as exc:
            if "message is not modified" in exc.message:
                return
            if "message to edit not found" not in exc.message and "can't be edited" not in (
                exc.message
            ):
                raise
    if query.bot is not None:
        with contextlib.suppress(TelegramBadRequest):
            await query.bot.send_message(query.from_user.id, text, reply_markup=markup)


def unchanged(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """The message already shows this text (as HTML) and these buttons (compared as data:
    a received markup is bound to the bot, a built one is not)."""
    shown = message.reply_markup.model_dump() if message.reply_markup else None
    return message.html_text == text and shown == (markup.model_dump() if markup else None)


def stale_text() -> str:
    return _("This button is no longer active. Send /menu to open the main menu.")


async def answer_stale(query: CallbackQuery) -> None:
    """The one reply to a button that no longer leads anywhere (stale or forged)."""
    await query.answer(stale_text(), show_alert=True)
