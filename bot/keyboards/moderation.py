"""Keyboards of the moderators' lists: /announcements (with its confirm screen and the
approval request) and /moderators (`bot.handlers.moderation.announcements`, `.moderators`).

Every button says what it does: "👁 #4" opens announcement 4, "✖️ Cancel #4" asks to
confirm, and only "Yes, cancel #4" on that confirm screen cancels.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.keyboards.builder import InlineKeyboard
from bot.keyboards.callbacks import AnnouncementAction, AnnouncementCB, ModAction, ModCB

#: A name on a button is cut to this many characters (Telegram shows about 30 on a phone).
BUTTON_NAME = 24


def _button(text: str, action: AnnouncementAction, announcement_id: int) -> InlineKeyboardButton:
    data = AnnouncementCB(action=action, id=announcement_id).pack()
    return InlineKeyboardButton(text=text, callback_data=data)


def _view(announcement_id: int) -> InlineKeyboardButton:
    return _button(f"👁 #{announcement_id}", AnnouncementAction.view, announcement_id)


def _ask_cancel(announcement_id: int) -> InlineKeyboardButton:
    text = "✖️ " + _("Cancel #{id}").format(id=announcement_id)
    return _button(text, AnnouncementAction.ask_cancel, announcement_id)


def _back(announcement_id: int) -> InlineKeyboardButton:
    return _button("◀️ " + _("Back"), AnnouncementAction.back, announcement_id)


def announcements_menu(items: Sequence[tuple[int, bool]]) -> InlineKeyboardMarkup:
    """One row per announcement: open it, and cancel it when it can still be cancelled
    (`items`: id and whether it is cancellable, newest first)."""
    kb = InlineKeyboard()
    for announcement_id, cancellable in items:
        row = [_view(announcement_id)]
        if cancellable:
            row.append(_ask_cancel(announcement_id))
        kb.row(*row)
    return kb.as_markup()


def announcement_menu(announcement_id: int, cancellable: bool) -> InlineKeyboardMarkup:
    """Under one announcement's report."""
    kb = InlineKeyboard()
    if cancellable:
        kb.row(_ask_cancel(announcement_id))
    kb.row(_back(announcement_id))
    return kb.as_markup()


def cancel_confirm_menu(announcement_id: int) -> InlineKeyboardMarkup:
    """The confirm screen: only its first button cancels."""
    kb = InlineKeyboard()
    kb.row(
        _button(
            "✖️ " + _("Yes, cancel #{id}").format(id=announcement_id),
            AnnouncementAction.cancel,
            announcement_id,
        ),
        _back(announcement_id),
    )
    return kb.as_markup()


def approval_menu(announcement_id: int) -> InlineKeyboardMarkup:
    """Sent to the other moderators of one waiting for a second moderator."""
    kb = InlineKeyboard()
    kb.row(
        _button("✅ " + _("Approve"), AnnouncementAction.approve, announcement_id),
        _button("✖️ " + _("Reject"), AnnouncementAction.reject, announcement_id),
    )
    return kb.as_markup()


def short_name(name: str) -> str:
    return name if len(name) <= BUTTON_NAME else name[: BUTTON_NAME - 1] + "…"


def moderators_menu(moderators: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    """Remove one (`moderators`: id and display name), or add one."""
    kb = InlineKeyboard()
    for user_id, name in moderators:
        kb.button(
            text="✖️ " + _("Remove {name}").format(name=short_name(name)),
            callback_data=ModCB(action=ModAction.remove, user_id=user_id),
        )
    kb.button(text="➕ " + _("Add a moderator"), callback_data=ModCB(action=ModAction.add))
    kb.adjust(1)
    return kb.as_markup()
