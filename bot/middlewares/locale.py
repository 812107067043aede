"""Pick the locale: the stored choice, else Telegram's language_code, else the default."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18nMiddleware

from bot.i18n import match_locale
from bot.storage.users import UserRecord


class LocaleMiddleware(I18nMiddleware):
    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        available = self.i18n.available_locales
        record: UserRecord | None = data.get("user")
        if record is not None and record.locale in available:
            return record.locale
        tg_user: User | None = data.get("event_from_user")
        guessed = match_locale(tg_user.language_code if tg_user else None)
        if guessed is None and record is not None:  # some updates carry no language_code
            guessed = match_locale(record.tg_language)
        if guessed in available:
            return guessed
        return self.i18n.default_locale
