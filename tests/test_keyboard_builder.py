"""`InlineKeyboard` lays buttons out exactly as aiogram's builder does, without copying
them, and is the only builder the bot uses."""

from __future__ import annotations

from pathlib import Path

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.keyboards.builder import InlineKeyboard
from bot.keyboards.callbacks import MenuCB, Section


def build(builder: InlineKeyboardBuilder) -> InlineKeyboardBuilder:
    for i in range(7):
        builder.button(text=f"b{i}", callback_data=MenuCB(section=Section.home))
    builder.adjust(2, 3)
    builder.row(InlineKeyboardButton(text="last", url="https://example.org"))
    other = InlineKeyboardBuilder()
    other.button(text="attached", callback_data="x")
    builder.attach(other)
    return builder


def test_the_same_layout_as_aiograms_builder() -> None:
    ours, theirs = build(InlineKeyboard()), build(InlineKeyboardBuilder())
    assert ours.as_markup() == theirs.as_markup()
    assert ours.copy().as_markup() == theirs.as_markup()


def test_buttons_are_not_copied() -> None:
    kb = InlineKeyboard()
    kb.button(text="one", callback_data="1")
    first = kb.export()[0][0]
    kb.button(text="two", callback_data="2")
    rows = kb.as_markup().inline_keyboard
    assert rows[0][0] is first
    rows[0].append(InlineKeyboardButton(text="changed", callback_data="3"))
    assert [b.text for row in kb.export() for b in row] == ["one", "two"]  # rows are copies


def test_every_keyboard_uses_it() -> None:
    bot = Path(__file__).resolve().parent.parent / "bot"
    direct = [
        path.relative_to(bot.parent)
        for path in bot.rglob("*.py")
        if "InlineKeyboardBuilder(" in path.read_text(encoding="utf-8")
    ]
    assert direct == [], f"use bot.keyboards.builder.InlineKeyboard in {direct}"
