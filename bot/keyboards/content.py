"""The reception and event wizards' keyboards (`bot.handlers.moderation.content`)."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.cards import event_kind_label, texts_in
from bot.consular_cards import service_label
from bot.kb.catalog import short_key
from bot.kb.search import KnowledgeBase
from bot.keyboards.callbacks import ContentAction, ContentCB, ReceptionAnnounceCB


def _cancel(builder: InlineKeyboardBuilder) -> None:
    builder.button(text="✖️ " + _("Cancel"), callback_data=ContentCB(action=ContentAction.cancel))


def cancel_menu() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    _cancel(builder)
    return builder.as_markup()


def skip_menu(step: str, *, can_skip: bool) -> InlineKeyboardMarkup:
    """Skip names the step it skips, so a Skip pressed late cannot skip another one."""
    builder = InlineKeyboardBuilder()
    if can_skip:
        builder.button(
            text="⏭ " + _("Skip"), callback_data=ContentCB(action=ContentAction.skip, value=step)
        )
    _cancel(builder)
    builder.adjust(2)
    return builder.as_markup()


def confirm_menu(what: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text="✅ " + _("Confirm"), callback_data=ContentCB(action=ContentAction.confirm, value=what)
    )
    _cancel(builder)
    builder.adjust(2)
    return builder.as_markup()


def offices_menu(kb: KnowledgeBase, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for office_id, office in kb.catalog.offices.items():
        builder.button(
            text=texts_in(office.name, lang) or office_id,
            callback_data=ContentCB(action=ContentAction.office, value=short_key(office_id)),
        )
    _cancel(builder)
    builder.adjust(1)
    return builder.as_markup()


def services_menu(kb: KnowledgeBase, chosen: list[str], lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for key in kb.catalog.services:
        mark = "☑️" if key in chosen else "⬜️"
        builder.button(
            text=f"{mark} {service_label(kb, key, lang)}",
            callback_data=ContentCB(action=ContentAction.service, value=short_key(key)),
        )
    builder.button(
        text="➡️ " + _("Done"), callback_data=ContentCB(action=ContentAction.services_done)
    )
    _cancel(builder)
    builder.adjust(*([1] * len(kb.catalog.services)), 2)
    return builder.as_markup()


def kinds_menu(kinds: Iterable[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in kinds:
        builder.button(
            text=event_kind_label(kind),
            callback_data=ContentCB(action=ContentAction.kind, value=kind),
        )
    _cancel(builder)
    builder.adjust(2, 2, 1, 1)
    return builder.as_markup()


def announce_menu(label: str, data: ReceptionAnnounceCB) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=label, callback_data=data)
    return builder.as_markup()
