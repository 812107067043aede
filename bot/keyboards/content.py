"""The keyboards of the reception, event and office wizards and of the details editor
(`bot.handlers.moderation.content`, `bot.handlers.moderation.directory`)."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.cards import event_kind_label, texts_in
from bot.consular_cards import mission_label, office_kind_label, service_label
from bot.kb.catalog import short_key
from bot.kb.search import KnowledgeBase
from bot.kb.sources import OFFICE_KINDS, Office
from bot.keyboards.builder import InlineKeyboard
from bot.keyboards.callbacks import (
    ContentAction,
    ContentCB,
    DetailField,
    EditCB,
    ReceptionAnnounceCB,
)


def _cancel(builder: InlineKeyboard) -> None:
    builder.button(text="✖️ " + _("Cancel"), callback_data=ContentCB(action=ContentAction.cancel))


def cancel_menu() -> InlineKeyboardMarkup:
    builder = InlineKeyboard()
    _cancel(builder)
    return builder.as_markup()


def skip_menu(step: str, *, can_skip: bool) -> InlineKeyboardMarkup:
    """Skip names the step it skips, so a Skip pressed late cannot skip another one."""
    builder = InlineKeyboard()
    if can_skip:
        builder.button(
            text="⏭ " + _("Skip"), callback_data=ContentCB(action=ContentAction.skip, value=step)
        )
    _cancel(builder)
    builder.adjust(2)
    return builder.as_markup()


def confirm_menu(what: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboard()
    builder.button(
        text="✅ " + _("Confirm"), callback_data=ContentCB(action=ContentAction.confirm, value=what)
    )
    _cancel(builder)
    builder.adjust(2)
    return builder.as_markup()


def offices_menu(offices: Iterable[Office], lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboard()
    for office in offices:
        builder.button(
            text=texts_in(office.name, lang) or office.id,
            callback_data=ContentCB(action=ContentAction.office, value=short_key(office.id)),
        )
    _cancel(builder)
    builder.adjust(1)
    return builder.as_markup()


def missions_menu() -> InlineKeyboardMarkup:
    builder = InlineKeyboard()
    for country in ("RU", "KZ"):
        builder.button(
            text=mission_label(country),
            callback_data=ContentCB(action=ContentAction.mission, value=country),
        )
    _cancel(builder)
    builder.adjust(1)
    return builder.as_markup()


def office_kinds_menu() -> InlineKeyboardMarkup:
    builder = InlineKeyboard()
    for kind in OFFICE_KINDS:
        builder.button(
            text=office_kind_label(kind),
            callback_data=ContentCB(action=ContentAction.office_kind, value=kind),
        )
    _cancel(builder)
    builder.adjust(2, 2, 1)
    return builder.as_markup()


def remove_menu(field: str, *, given: bool) -> InlineKeyboardMarkup:
    """Cancel, and Remove when the field has a value to remove."""
    builder = InlineKeyboard()
    if given:
        builder.button(
            text="🗑 " + _("Remove"),
            callback_data=ContentCB(action=ContentAction.remove, value=field),
        )
    _cancel(builder)
    builder.adjust(2)
    return builder.as_markup()


def details_menu(
    item_id: str, *, office: bool, announce: tuple[str, ReceptionAnnounceCB] | None = None
) -> InlineKeyboardMarkup:
    """What a moderator may give for an office or a reception, one button each."""
    labels = {
        DetailField.venue: "🏠 " + _("Address"),
        DetailField.hours: "🕘 " + _("Opening hours"),
        DetailField.booking: "📝 " + _("Booking link"),
        DetailField.contact: "☎️ " + _("Contact"),
        DetailField.point: "🗺 " + _("Map point"),
        DetailField.services: "🧾 " + _("Services"),
    }
    builder = InlineKeyboard()
    for field, label in labels.items():
        builder.button(text=label, callback_data=EditCB(id=item_id, office=office, field=field))
    builder.adjust(2)
    if announce is not None:
        builder.row(InlineKeyboardButton(text=announce[0], callback_data=announce[1].pack()))
    return builder.as_markup()


def services_menu(kb: KnowledgeBase, chosen: list[str], lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboard()
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
    builder = InlineKeyboard()
    for kind in kinds:
        builder.button(
            text=event_kind_label(kind),
            callback_data=ContentCB(action=ContentAction.kind, value=kind),
        )
    _cancel(builder)
    builder.adjust(2, 2, 1, 1)
    return builder.as_markup()
