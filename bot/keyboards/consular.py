"""Keyboards of the consular directory (`bot.handlers.consular`): its home, lists of
offices and receptions, cards, and the reply keyboard that asks for a location."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _

from bot.keyboards.browse import clip, menu_button
from bot.keyboards.builder import InlineKeyboard
from bot.keyboards.callbacks import (
    ConsularCB,
    EditCB,
    MapCB,
    OfficeCB,
    OfficeMapCB,
    ReceptionCB,
    ServiceCB,
    SubCB,
    SubViewCB,
)

MAX_LISTED = 10  # buttons of each kind in one list


def consular_home() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    kb.button(text="⏭ " + _("Next receptions"), callback_data=ConsularCB(action="next"))
    kb.button(text="🏛 " + _("Offices"), callback_data=ConsularCB(action="offices"))
    kb.button(text="🔎 " + _("By city or region"), callback_data=ConsularCB(action="city"))
    kb.button(text="🧾 " + _("By service"), callback_data=ConsularCB(action="services"))
    kb.button(text="📍 " + _("Near me"), callback_data=ConsularCB(action="near"))
    kb.button(text="📋 " + _("All receptions"), callback_data=ConsularCB(action="list"))
    kb.button(text="🔔 " + _("Subscriptions"), callback_data=SubViewCB(view="regions"))
    kb.adjust(2, 2, 2, 1)
    kb.row(menu_button())
    return kb.as_markup()


def _home_row(kb: InlineKeyboard) -> None:
    kb.row(
        InlineKeyboardButton(
            text="◀️ " + _("Consular services"), callback_data=ConsularCB(action="home").pack()
        )
    )


def _subscribe_row(kb: InlineKeyboard, region: tuple[str, str] | None) -> None:
    if region is not None:
        kb.row(
            InlineKeyboardButton(
                text="🔔 " + clip(_("Subscribe to {region}").format(region=region[1])),
                callback_data=SubCB(kind="r", key=region[0]).pack(),
            )
        )


def _reception_rows(kb: InlineKeyboard, receptions: list[tuple[str, str]]) -> None:
    for reception_id, label in receptions[:MAX_LISTED]:
        button = InlineKeyboardButton(
            text=clip(label), callback_data=ReceptionCB(id=reception_id).pack()
        )
        kb.row(button)


def directory_list(
    receptions: list[tuple[str, str]],
    region: tuple[str, str] | None = None,
    offices: list[tuple[str, str]] | None = None,
) -> InlineKeyboardMarkup:
    """Office buttons (id, label), then reception buttons; optionally an offer to
    subscribe to a region."""
    kb = InlineKeyboard()
    for office_id, label in (offices or [])[:MAX_LISTED]:
        kb.row(
            InlineKeyboardButton(
                text="🏛 " + clip(label), callback_data=OfficeCB(id=office_id).pack()
            )
        )
    for reception_id, label in receptions[:MAX_LISTED]:
        kb.row(
            InlineKeyboardButton(
                text=clip(label), callback_data=ReceptionCB(id=reception_id).pack()
            )
        )
    _subscribe_row(kb, region)
    _home_row(kb)
    return kb.as_markup()


def services_keyboard(items: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    for key, label in items:
        kb.row(InlineKeyboardButton(text=clip(label), callback_data=ServiceCB(key=key).pack()))
    _home_row(kb)
    return kb.as_markup()


def _map_and_edit(kb: InlineKeyboard, item_id: str, *, office: bool, staff: bool) -> None:
    kb.row(
        InlineKeyboardButton(
            text="🗺 " + _("Show on the map"),
            callback_data=(OfficeMapCB if office else MapCB)(id=item_id).pack(),
        )
    )
    if staff:
        kb.row(
            InlineKeyboardButton(
                text="✏️ " + _("Edit details"),
                callback_data=EditCB(id=item_id, office=office).pack(),
            )
        )


def reception_keyboard(
    reception_id: str, region: tuple[str, str] | None, *, staff: bool = False
) -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    _map_and_edit(kb, reception_id, office=False, staff=staff)
    _subscribe_row(kb, region)
    _home_row(kb)
    return kb.as_markup()


def office_keyboard(
    office_id: str, receptions: list[tuple[str, str]], *, staff: bool = False
) -> InlineKeyboardMarkup:
    """An office card's buttons: its map point, its upcoming receptions, and (staff) edit."""
    kb = InlineKeyboard()
    for reception_id, label in receptions[:MAX_LISTED]:
        kb.row(
            InlineKeyboardButton(
                text=clip(label), callback_data=ReceptionCB(id=reception_id).pack()
            )
        )
    _map_and_edit(kb, office_id, office=True, staff=staff)
    kb.row(
        InlineKeyboardButton(
            text="◀️ " + _("Offices"), callback_data=ConsularCB(action="offices").pack()
        )
    )
    return kb.as_markup()


def location_request() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="📍 " + _("Share my location"), request_location=True)],
            [KeyboardButton(text=_("Cancel"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
