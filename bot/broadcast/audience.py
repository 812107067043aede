"""Who gets an announcement: everyone, one language, or subscribers of a region/topic.

Blocked users are never included. A user's language is the one the bot speaks to
them in (see the locale middleware): their stored choice, else Telegram's
``language_code`` when it is supported, else the default locale.
"""

from __future__ import annotations

import aiosqlite

from bot.broadcast.models import Audience, AudienceKind, Recipient
from bot.config import LOCALES
from bot.i18n import match_locale
from bot.storage.users import UserRecord


def record_language(record: UserRecord | None, default_locale: str) -> str:
    """The language the bot speaks to a stored user (or the default for a stranger)."""
    if record is None:
        return default_locale
    return user_language(record.locale, record.tg_language, default_locale)


def user_language(locale: str | None, tg_language: str | None, default_locale: str) -> str:
    if locale in LOCALES:
        return locale
    return match_locale(tg_language) or default_locale


async def resolve(
    conn: aiosqlite.Connection, audience: Audience, *, default_locale: str = "ru"
) -> list[Recipient]:
    """The recipients, ordered by user id."""
    if audience.kind in (AudienceKind.REGION, AudienceKind.TOPIC):
        sql = """
            SELECT u.id, u.locale, u.tg_language FROM users u
            WHERE u.blocked = 0 AND EXISTS (
                SELECT 1 FROM subscriptions s
                WHERE s.user_id = u.id AND s.kind = ? AND s.key = ?
            )
            ORDER BY u.id
        """
        params: tuple[str, ...] = (audience.kind.value, audience.key or "")
    else:
        sql = "SELECT id, locale, tg_language FROM users WHERE blocked = 0 ORDER BY id"
        params = ()
    recipients = []
    async with conn.execute(sql, params) as cur:
        async for user_id, locale, tg_language in cur:
            lang = user_language(locale, tg_language, default_locale)
            if audience.kind is AudienceKind.LANGUAGE and lang != audience.key:
                continue
            recipients.append(Recipient(int(user_id), lang))
    return recipients


async def count(
    conn: aiosqlite.Connection, audience: Audience, *, default_locale: str = "ru"
) -> dict[str, int]:
    """Recipients per language, for the wizard's "this will reach N people" step."""
    result = dict.fromkeys(LOCALES, 0)
    for recipient in await resolve(conn, audience, default_locale=default_locale):
        result[recipient.lang] = result.get(recipient.lang, 0) + 1
    return result
