"""An office's or a reception's card as staff see it after adding or editing one: the
card, with a button for each detail a moderator may give (and, for a reception, its
announcement)."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.cards import texts_in
from bot.consular import ConsularDirectory, is_past
from bot.consular_cards import office_card, reception_card
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Office, Reception
from bot.keyboards.callbacks import ReceptionAnnounceCB
from bot.keyboards.content import details_menu


async def details_screen(
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    lang: str,
    today: date,
    item: Office | Reception,
    title: str,
) -> tuple[str, InlineKeyboardMarkup]:
    announce = None
    if isinstance(item, Reception):
        office = await consular.office(item.office)
        card = reception_card(kb, item, lang, past=is_past(item, today), office=office)
        region = consular.region_of(item.region or item.city)
        label = (
            _("📣 Announce to subscribers of {region}").format(region=texts_in(region.name, lang))
            if region is not None
            else _("📣 Announce to subscribers")
        )
        announce = (label, ReceptionAnnounceCB(id=item.id))
    else:
        card = office_card(kb, item, lang)
    text = "✅ <b>" + escape(title) + "</b>\n\n" + card
    return text, details_menu(item.id, office=isinstance(item, Office), announce=announce)
