"""Tell subscribers about a newly added reception: those subscribed to its region (or
a region around its city) and those subscribed to consular receptions in general.

Each user gets the card in their own language. A user who blocked the bot is
marked blocked; a 429 is waited out, not counted as a failure.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.cards import reception_card
from bot.consular import ConsularDirectory
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Reception
from bot.keyboards.browse import reception_keyboard
from bot.storage.subscriptions import SubscriptionRepo
from bot.storage.users import UserRepo

log = logging.getLogger(__name__)
MAX_TRIES = 3


@dataclass(slots=True)
class NotifyReport:
    delivered: list[int] = field(default_factory=list)
    blocked: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


async def notify_new_reception(
    bot: Bot,
    reception: Reception,
    *,
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    subscriptions: SubscriptionRepo,
    users: UserRepo,
    i18n: I18n,
    rate: float = 20.0,
) -> NotifyReport:
    regions = consular.places_of(reception)
    recipients = await subscriptions.subscribers(regions=regions, topics=["consular"])
    region = consular.region_of(reception.region or reception.city)
    report = NotifyReport()
    for user_id, locale in recipients:
        lang = locale if locale in i18n.available_locales else i18n.default_locale
        with i18n.context(), i18n.use_locale(lang):
            text = "🔔 " + _("A new consular reception has been announced.") + "\n\n"
            text += reception_card(kb, reception, lang, past=False)
            offer = (region.id, region.name.get(lang, region.id)) if region else None
            markup = reception_keyboard(reception.id, offer)
        outcome = await _send(bot, user_id, text, markup)
        if outcome == "blocked":
            await users.set_blocked(user_id)
        getattr(report, outcome).append(user_id)
        await asyncio.sleep(1 / rate)
    log.info(
        "reception %s: notified %d, blocked %d, failed %d",
        reception.id,
        len(report.delivered),
        len(report.blocked),
        len(report.failed),
    )
    return report


async def _send(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup) -> str:
    for attempt in range(MAX_TRIES):
        try:
            await bot.send_message(chat_id, text, reply_markup=markup)
            return "delivered"
        except TelegramRetryAfter as exc:
            await asyncio.sleep(exc.retry_after)
        except TelegramForbiddenError:
            return "blocked"
        except TelegramBadRequest:
            return "failed"
        except (TelegramServerError, TelegramNetworkError):
            await asyncio.sleep(0.5 * 2**attempt)
    return "failed"
