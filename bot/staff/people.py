"""Who did what, and when, as staff read it: names asked from Telegram (getChat knows
everyone who has talked to the bot; nothing is stored), stored UTC stamps at local time,
and the /moderators list.

Names are shown escaped; someone Telegram does not know is "user 123"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Code, Text, as_line
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.formatting import format_moment
from bot.keyboards.moderation import moderators_menu
from bot.services.knowledge import SYSTEM_ACTOR
from bot.storage.roles import ModeratorRepo


def parse_moment(value: str | None) -> datetime | None:
    """A stored ISO-8601 stamp (UTC; a naive one is taken as UTC), or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_time(value: str | datetime | None, settings: Settings, locale: str) -> str | None:
    """A stored stamp (or a moment) as the reader reads it: their locale, `TIMEZONE`, to
    the minute."""
    moment = parse_moment(value) if isinstance(value, str) or value is None else value
    if moment is None:
        return None
    return format_moment(moment, ZoneInfo(settings.timezone), locale)


def when_label(send_at: datetime | None, settings: Settings, lang: str) -> str:
    """An announcement's schedule as the moderator reads it, with the zone named."""
    when = local_time(send_at, settings, lang)
    return f"{when} ({settings.timezone})" if when else _("now")


def unknown_user(user_id: int) -> str:
    return _("user {id}").format(id=user_id)


async def display_name(bot: Bot | None, user_id: int) -> str:
    """First and last name and @username as Telegram knows them, or "user 123"."""
    if bot is None or user_id <= 0:
        return unknown_user(user_id)
    try:
        chat = await bot.get_chat(user_id)
    except TelegramAPIError:
        return unknown_user(user_id)
    name = " ".join(p for p in (chat.first_name, chat.last_name) if p) or chat.title or ""
    if chat.username:
        name = f"{name} (@{chat.username})" if name else f"@{chat.username}"
    return name or unknown_user(user_id)


async def display_names(bot: Bot | None, user_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(user_ids))
    names = await asyncio.gather(*(display_name(bot, uid) for uid in ids))
    return dict(zip(ids, names, strict=True))


def actor_name(actor_id: int, names: dict[int, str]) -> str:
    if actor_id == SYSTEM_ACTOR:
        return _("the bot (automatic)")
    return names.get(actor_id) or unknown_user(actor_id)


async def moderators_screen(
    moderators: ModeratorRepo, bot: Bot | None, settings: Settings, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    entries = await moderators.entries()
    names = await display_names(bot, [e.user_id for e in entries] + [e.added_by for e in entries])
    lines: list[Any] = [as_line("🛡 ", Bold(_("Moderators"))), as_line("")]
    if not entries:
        lines.append(as_line(_("No moderators yet.")))
    for entry in entries:
        lines.append(as_line("• ", Bold(names[entry.user_id]), " · ", Code(str(entry.user_id))))
        when = local_time(entry.added_at, settings, locale)
        added = (
            _("added by {name}, {time}").format(name=names[entry.added_by], time=when)
            if when
            else _("added by {name}").format(name=names[entry.added_by])
        )
        lines.append(as_line("    ", added))
    if entries:
        lines.append(as_line(_("Times are in {zone}.").format(zone=settings.timezone)))
    markup = moderators_menu([(e.user_id, names[e.user_id]) for e in entries])
    return Text(*lines).as_html().rstrip("\n"), markup
