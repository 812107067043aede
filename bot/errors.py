"""The last line of defence: log the failure, tell the user politely, never a traceback."""

from __future__ import annotations

import contextlib
import logging

from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

from bot.storage.users import UserRepo

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, users: UserRepo) -> bool:
    update = event.update
    if isinstance(event.exception, TelegramForbiddenError):
        # The user blocked the bot (or deleted their account): remember, stop writing.
        user = update.event.from_user if hasattr(update.event, "from_user") else None
        if user is not None:
            await users.set_blocked(user.id)
        log.info("update %s: user can no longer be messaged", update.update_id)
        return True
    log.error("update %s failed: %r", update.update_id, event.exception, exc_info=event.exception)
    sorry = _("Sorry, something went wrong on our side. Please try again in a moment.")
    with contextlib.suppress(TelegramAPIError, LookupError, RuntimeError):
        if update.callback_query is not None:
            await update.callback_query.answer(sorry, show_alert=True)
        elif update.message is not None and update.message.chat.type == "private":
            await update.message.answer(sorry)
    return True
