"""The one inline keyboard builder every keyboard uses.

aiogram's `InlineKeyboardBuilder.export()` deep-copies every button, and `add()` (behind
each `button()`) calls it, so a keyboard of n buttons deep-copied about n²/2 of them:
6 % of the bot's main thread under load (py-spy, `bench/updates.py`), more than all the
SQL. Here `export()` copies the rows only: a button is never changed once added.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder


class InlineKeyboard(InlineKeyboardBuilder):
    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]
