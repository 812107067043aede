"""Announcing a newly added reception to the subscribers of its region.

There is one delivery path: the outbox (`bot.broadcast`). A moderator who adds a
reception is offered this ready announcement in the /announce wizard; code (and
tests) can queue it directly with `notify_new_reception`.
"""

from __future__ import annotations

import html
import re

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcast import Audience, OutboxRepo
from bot.config import LOCALES
from bot.consular import ConsularDirectory
from bot.consular_cards import reception_card
from bot.delivery import BroadcastService
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Reception
from bot.storage.database import Database

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a href="([^"]*)">([^<]*)</a>')


def plain(card_html: str) -> str:
    """Announcement texts are plain (the engine escapes them): drop the card's markup,
    keeping a link's address after its text."""
    return html.unescape(_TAG.sub("", _LINK.sub(r"\2: \1", card_html)))


async def reception_announcement(
    kb: KnowledgeBase, consular: ConsularDirectory, reception: Reception, i18n: I18n
) -> tuple[Audience, dict[str, str]]:
    """Who should hear about a new reception (its region's subscribers) and what, per
    language."""
    region = consular.region_of(reception.region or reception.city)
    audience = Audience.region(region.id if region else reception.city)
    office = await consular.office(reception.office)
    texts = {}
    for lang in LOCALES:
        with i18n.context(), i18n.use_locale(lang):
            head = "🔔 " + _("A new consular reception has been announced.")
            card = reception_card(kb, reception, lang, past=False, office=office)
            texts[lang] = head + "\n\n" + plain(card)
    return audience, texts


async def notify_new_reception(
    db: Database,
    reception: Reception,
    *,
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    i18n: I18n,
    broadcasts: BroadcastService,
) -> int:
    """Queue the announcement for the reception's region; the bot's broadcast service
    sends it (sharing the process's rate limit). Returns the announcement id."""
    audience, texts = await reception_announcement(kb, consular, reception, i18n)
    repo = OutboxRepo(db)
    announcement = await repo.create(audience=audience, texts=texts)
    await repo.approve(announcement.id, approved_by=0)
    broadcasts.wake()
    return announcement.id
