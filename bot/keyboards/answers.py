"""Buttons under an answer card: feedback and paging through results."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.keyboards.builder import InlineKeyboard
from bot.keyboards.callbacks import MenuCB, ResultCB, Section, VoteCB


def answer_keyboard(
    question_id: int, index: int, total: int, voted: bool | None = None
) -> InlineKeyboardMarkup:
    kb = InlineKeyboard()
    up, down = "👍", "👎"
    if voted is True:
        up = "✅ 👍"
    elif voted is False:
        down = "✅ 👎"
    kb.button(text=up, callback_data=VoteCB(q=question_id, n=index, up=True))
    kb.button(text=down, callback_data=VoteCB(q=question_id, n=index, up=False))
    sizes = [2]
    if index > 0:
        kb.button(text="◀️ " + _("Previous"), callback_data=ResultCB(q=question_id, n=index - 1))
    if index + 1 < total:
        kb.button(text=_("More results") + " ▶️", callback_data=ResultCB(q=question_id, n=index + 1))
    sizes.append((index > 0) + (index + 1 < total))
    kb.button(text="◀️ " + _("Main menu"), callback_data=MenuCB(section=Section.home))
    sizes.append(1)
    kb.adjust(*[s for s in sizes if s])
    return kb.as_markup()
