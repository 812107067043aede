"""The announcement wizard's keyboards (`bot.handlers.moderation.announce`)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.cards import texts_in
from bot.config import LOCALES
from bot.consular import subscribable_regions
from bot.handlers.subscriptions import topic_label
from bot.i18n import language_name
from bot.kb.search import KnowledgeBase
from bot.keyboards.builder import InlineKeyboard
from bot.keyboards.callbacks import AnnounceAction, AnnounceCB
from bot.storage.subscriptions import TOPICS

REGIONS_PAGE = 8


def _button(kb: InlineKeyboard, text: str, action: AnnounceAction, value: str = "") -> None:
    kb.button(text=text, callback_data=AnnounceCB(action=action, value=value))


def _cancel(kb: InlineKeyboard) -> None:
    _button(kb, "✖️ " + _("Cancel"), AnnounceAction.cancel)


def _finish(kb: InlineKeyboard, *sizes: int) -> InlineKeyboardMarkup:
    kb.adjust(*sizes)
    return kb.as_markup()


def audience_menu() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    _button(kb, "👥 " + _("Everyone"), AnnounceAction.audience, "all")
    _button(kb, "🌐 " + _("By language"), AnnounceAction.menu, "lang")
    _button(kb, "🗺 " + _("Subscribers of a region"), AnnounceAction.menu, "region")
    _button(kb, "🏷 " + _("Subscribers of a topic"), AnnounceAction.menu, "topic")
    _cancel(kb)
    return _finish(kb, 1)


def _back_and_cancel(kb: InlineKeyboard) -> None:
    _button(kb, "◀️ " + _("Back"), AnnounceAction.menu, "top")
    _cancel(kb)


def language_menu() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    for code in LOCALES:
        _button(kb, language_name(code), AnnounceAction.audience, f"lang.{code}")
    _back_and_cancel(kb)
    return _finish(kb, 2)


def topic_menu() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    for key in TOPICS:
        _button(kb, topic_label(key), AnnounceAction.audience, f"topic.{key}")
    _back_and_cancel(kb)
    return _finish(kb, 2)


def region_menu(catalog_kb: KnowledgeBase, lang: str, page: int) -> InlineKeyboardMarkup:
    regions = subscribable_regions(catalog_kb.catalog)
    pages = max(1, -(-len(regions) // REGIONS_PAGE))
    page = min(max(page, 0), pages - 1)
    kb = InlineKeyboard()
    for place in regions[page * REGIONS_PAGE : (page + 1) * REGIONS_PAGE]:
        _button(kb, texts_in(place.name, lang), AnnounceAction.audience, f"region.{place.id}")
    if page > 0:
        _button(kb, "◀️", AnnounceAction.menu, f"region.{page - 1}")
    if page + 1 < pages:
        _button(kb, "▶️", AnnounceAction.menu, f"region.{page + 1}")
    _back_and_cancel(kb)
    return _finish(kb, 2)


def skip_menu(*, can_skip: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    if can_skip:
        _button(kb, "⏭ " + _("Skip"), AnnounceAction.skip)
    _cancel(kb)
    return _finish(kb, 1)


def fallback_menu(languages: list[str]) -> InlineKeyboardMarkup:
    send_text = {
        "ru": _("Send them the Russian text"),
        "kk": _("Send them the Kazakh text"),
        "en": _("Send them the English text"),
    }
    kb = InlineKeyboard()
    for lang in LOCALES:
        if lang in languages:
            _button(kb, send_text[lang], AnnounceAction.fallback, lang)
    _button(kb, _("Send them nothing"), AnnounceAction.fallback, "")
    _cancel(kb)
    return _finish(kb, 1)


def media_menu() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    _button(kb, "⏭ " + _("No photo or link"), AnnounceAction.no_media, "skip")
    _cancel(kb)
    return _finish(kb, 1)


def when_menu() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    _button(kb, "🚀 " + _("Send now"), AnnounceAction.when, "now")
    _button(kb, "🕒 " + _("At a time…"), AnnounceAction.when, "later")
    _cancel(kb)
    return _finish(kb, 2, 1)


def confirm_menu() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    _button(kb, "✅ " + _("Confirm"), AnnounceAction.confirm)
    _cancel(kb)
    return _finish(kb, 2)
