"""Keyboards of the browsing sections: history topics, events, consular, subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _

from bot.keyboards.builder import InlineKeyboard
from bot.keyboards.callbacks import (
    AskTopicCB,
    EventCB,
    EventFilterCB,
    EventsCB,
    MenuCB,
    ReminderCB,
    Section,
    SubCB,
    SubViewCB,
    TopicCB,
)

PAGE = 6
BUTTON_TEXT = 60  # characters of a title on a button


def clip(text: str, limit: int = BUTTON_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def menu_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text="◀️ " + _("Main menu"), callback_data=MenuCB(section=Section.home).pack()
    )


def pager(
    kb: InlineKeyboard,
    page: int,
    total: int,
    make: Callable[..., CallbackData],
    **fields: Any,
) -> None:
    """◀️ 2/5 ▶️ under a paged list; nothing when everything fits on one page."""
    pages = max(1, -(-total // PAGE))
    if pages == 1:
        return
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(text="◀️", callback_data=make(page=page - 1, **fields).pack())
        )
    row.append(
        InlineKeyboardButton(
            text=f"{page + 1}/{pages}", callback_data=make(page=page, **fields).pack()
        )
    )
    if page + 1 < pages:
        row.append(
            InlineKeyboardButton(text="▶️", callback_data=make(page=page + 1, **fields).pack())
        )
    kb.row(*row)


def topic_list(items: list[tuple[str, str]], page: int, parent: str) -> InlineKeyboardMarkup:
    """Topic buttons (id, title), paged; `parent` is "" for the roots."""
    kb = InlineKeyboard()
    for topic_id, title in items[page * PAGE : (page + 1) * PAGE]:
        kb.row(InlineKeyboardButton(text=clip(title), callback_data=TopicCB(id=topic_id).pack()))
    pager(kb, page, len(items), TopicCB, id=parent or "root")
    kb.row(menu_button())
    return kb.as_markup()


def topic_keyboard(
    topic_id: str,
    children: list[tuple[str, str]],
    events: list[tuple[str, str]],
    parent: str | None,
    page: int,
) -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    for child_id, title in children[page * PAGE : (page + 1) * PAGE]:
        kb.row(
            InlineKeyboardButton(
                text="📂 " + clip(title), callback_data=TopicCB(id=child_id).pack()
            )
        )
    pager(kb, page, len(children), TopicCB, id=topic_id)
    for key, title in events[:3]:
        kb.row(
            InlineKeyboardButton(text="📅 " + clip(title), callback_data=EventCB(key=key).pack())
        )
    kb.row(
        InlineKeyboardButton(
            text="❓ " + _("Ask about this"), callback_data=AskTopicCB(id=topic_id).pack()
        )
    )
    back = TopicCB(id=parent or "root").pack()
    kb.row(InlineKeyboardButton(text="◀️ " + _("Back"), callback_data=back), menu_button())
    return kb.as_markup()


def events_keyboard(
    items: list[tuple[CallbackData, str]], flt: EventsCB, total: int
) -> InlineKeyboardMarkup:
    """Items are (what the button opens, label): an event, or in the upcoming list also a
    consular reception."""
    kb = InlineKeyboard()
    for data, label in items:
        kb.row(InlineKeyboardButton(text=clip(label), callback_data=data.pack()))
    fields = flt.model_dump(exclude={"page"})
    pager(kb, flt.page, total, EventsCB, **fields)
    common = {k: v for k, v in fields.items() if k != "upcoming"}
    kb.row(
        InlineKeyboardButton(
            text="🌍 " + _("Country"), callback_data=EventFilterCB(dim="country", **common).pack()
        ),
        InlineKeyboardButton(
            text="🏙 " + _("City"), callback_data=EventFilterCB(dim="city", **common).pack()
        ),
    )
    kb.row(
        InlineKeyboardButton(
            text="📆 " + _("Year"), callback_data=EventFilterCB(dim="year", **common).pack()
        ),
        InlineKeyboardButton(
            text="🏷 " + _("Kind"), callback_data=EventFilterCB(dim="kind", **common).pack()
        ),
    )
    if flt.upcoming:
        kb.row(InlineKeyboardButton(text="📅 " + _("All events"), callback_data=EventsCB().pack()))
    else:
        kb.row(
            InlineKeyboardButton(
                text="⏭ " + _("Upcoming"), callback_data=EventsCB(upcoming=True).pack()
            )
        )
    if any(common.values()):
        kb.row(
            InlineKeyboardButton(text="✖️ " + _("Clear filters"), callback_data=EventsCB().pack())
        )
    kb.row(menu_button())
    return kb.as_markup()


def filter_options(
    dim: str, options: list[tuple[str, str]], flt: EventFilterCB
) -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    current = flt.model_dump(exclude={"dim"})
    for value, label in options:
        chosen = {**current, dim: int(value) if dim == "year" else value}
        kb.button(text=label, callback_data=EventsCB(**chosen))
    kb.button(text=_("Any"), callback_data=EventsCB(**{**current, dim: 0 if dim == "year" else ""}))
    kb.adjust(2)
    kb.row(InlineKeyboardButton(text="◀️ " + _("Back"), callback_data=EventsCB(**current).pack()))
    return kb.as_markup()


def event_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    kb.row(
        InlineKeyboardButton(text="◀️ " + _("Events"), callback_data=EventsCB().pack()),
        menu_button(),
    )
    return kb.as_markup()


def upcoming_empty_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    kb.row(
        InlineKeyboardButton(
            text="🔔 " + _("Subscribe to events"),
            callback_data=SubCB(kind="t", key="events").pack(),
        )
    )
    kb.row(InlineKeyboardButton(text="📅 " + _("All events"), callback_data=EventsCB().pack()))
    kb.row(menu_button())
    return kb.as_markup()


def subscriptions_keyboard(
    topics: list[tuple[str, str, bool]], regions_count: int, reminders: bool = True
) -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    for key, label, on in topics:
        kb.row(
            InlineKeyboardButton(
                text=("✅ " if on else "☐ ") + label, callback_data=SubCB(kind="t", key=key).pack()
            )
        )
    label = _("Regions") + (f" ({regions_count})" if regions_count else "")
    kb.row(InlineKeyboardButton(text="🗺 " + label, callback_data=SubViewCB(view="regions").pack()))
    # the day-before reminders of receptions in the subscribed regions; a tap flips them
    reminder = "🔔 " + _("Reminders: on") if reminders else "🔕 " + _("Reminders: off")
    kb.row(InlineKeyboardButton(text=reminder, callback_data=ReminderCB(on=not reminders).pack()))
    kb.row(menu_button())
    return kb.as_markup()


def regions_keyboard(items: list[tuple[str, str, bool]], page: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    for key, label, on in items[page * PAGE : (page + 1) * PAGE]:
        kb.row(
            InlineKeyboardButton(
                text=("✅ " if on else "☐ ") + clip(label),
                callback_data=SubCB(kind="r", key=key, page=page).pack(),
            )
        )
    pager(kb, page, len(items), SubViewCB, view="regions")
    kb.row(
        InlineKeyboardButton(text="◀️ " + _("Back"), callback_data=SubViewCB(view="topics").pack()),
        menu_button(),
    )
    return kb.as_markup()
