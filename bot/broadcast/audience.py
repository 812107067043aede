"""Who gets an announcement: everyone, one language, or subscribers of a region/topic
(for a reception's reminder: the region's subscribers who have not turned reminders off).

Blocked users are never included. A user's language is the one the bot speaks to
them in (see the locale middleware): their stored choice, else Telegram's
``language_code`` when it is supported, else the default locale.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.broadcast.models import Audience, AudienceKind, Recipient
from bot.config import LOCALES
from bot.i18n import match_locale
from bot.storage.base import Repo
from bot.storage.database import Database
from bot.storage.schema import subscriptions, users
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
    source: Database | AsyncConnection, audience: Audience, *, default_locale: str = "ru"
) -> list[Recipient]:
    """The recipients, ordered by user id."""
    statement = select(users.c.id, users.c.locale, users.c.tg_language).where(
        users.c.blocked.is_(False)
    )
    if audience.kind in (AudienceKind.REGION, AudienceKind.TOPIC, AudienceKind.REGION_REMINDER):
        kind = "region" if audience.kind is AudienceKind.REGION_REMINDER else audience.kind.value
        subscribed = exists().where(
            subscriptions.c.user_id == users.c.id,
            subscriptions.c.kind == kind,
            subscriptions.c.key == (audience.key or ""),
        )
        statement = statement.where(subscribed)
    if audience.kind is AudienceKind.REGION_REMINDER:
        statement = statement.where(users.c.reminders.is_(True))
    recipients = []
    async with Repo(source)._read() as conn:
        for user_id, locale, tg_language in await conn.execute(statement.order_by(users.c.id)):
            lang = user_language(locale, tg_language, default_locale)
            if audience.kind is AudienceKind.LANGUAGE and lang != audience.key:
                continue
            recipients.append(Recipient(int(user_id), lang))
    return recipients


async def count(
    source: Database | AsyncConnection, audience: Audience, *, default_locale: str = "ru"
) -> dict[str, int]:
    """Recipients per language, for the wizard's "this will reach N people" step."""
    result = dict.fromkeys(LOCALES, 0)
    for recipient in await resolve(source, audience, default_locale=default_locale):
        result[recipient.lang] = result.get(recipient.lang, 0) + 1
    return result
