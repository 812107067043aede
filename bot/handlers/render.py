"""Show a screen in answer to a button: edit the message in place when possible."""

from __future__ import annotations

import contextlib

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _


async def show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the button's message; send a new one if it is too old or inaccessible.

    Pressing the same button twice would make Telegram answer "message is not
    modified"; that is not an error for the user, so it is swallowed here.
    """
    if isinstance(query.message, Message):
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


def stale_text() -> str:
    return _("This button is no longer active. Send /menu to open the main menu.")


async def answer_stale(query: CallbackQuery) -> None:
    """The one reply to a button that no longer leads anywhere (stale or forged)."""
    await query.answer(stale_text(), show_alert=True)
