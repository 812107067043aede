"""Keyboards shared by several features: language picker, main menu, confirmations."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.config import LOCALES
from bot.i18n import LANGUAGE_NAMES
from bot.keyboards.builder import InlineKeyboard
from bot.keyboards.callbacks import ForgetCB, Lang, LangCB, MenuCB, Section


def language_picker(first: str | None = None, *, back: bool = False) -> InlineKeyboardMarkup:
    """Three buttons, each language in its own name; the user's likely one first."""
    order = sorted(LOCALES, key=lambda code: code != first)
    kb = InlineKeyboard()
    for code in order:
        kb.button(text=LANGUAGE_NAMES[code], callback_data=LangCB(code=Lang(code)))
    if back:
        kb.button(text="◀️ " + _("Main menu"), callback_data=MenuCB(section=Section.home))
    kb.adjust(3)
    return kb.as_markup()


def main_menu() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    items = [
        (Section.history, "📜 " + _("History")),
        (Section.events, "📅 " + _("Events")),
        (Section.consular, "🛂 " + _("Consular services")),
        (Section.ask, "❓ " + _("Ask a question")),
        (Section.subscriptions, "🔔 " + _("Subscriptions")),
        (Section.language, "🌐 " + _("Language")),
        (Section.help, "ℹ️ " + _("Help")),
    ]
    for section, text in items:
        kb.button(text=text, callback_data=MenuCB(section=section))
    kb.adjust(2, 2, 1, 2)
    return kb.as_markup()


def back_to_menu() -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    kb.button(text="◀️ " + _("Main menu"), callback_data=MenuCB(section=Section.home))
    return kb.as_markup()


def confirm_forget(proof: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    yes = ForgetCB(confirm=True, proof=proof)
    kb.button(text="🗑 " + _("Yes, delete my data"), callback_data=yes)
    kb.button(text=_("Cancel"), callback_data=ForgetCB(confirm=False))
    kb.adjust(1)
    return kb.as_markup()
