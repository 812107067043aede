"""All CallbackData factories in one place.

Packed data must stay under Telegram's 64 bytes, so fields carry short ids and
enums, never titles. A value that does not unpack (stale or forged) fails the
filter and falls through to the fallback handler.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class Lang(StrEnum):
    ru = "ru"
    kk = "kk"
    en = "en"


class Section(StrEnum):
    history = "history"
    events = "events"
    consular = "consular"
    ask = "ask"
    subscriptions = "subs"
    language = "lang"
    help = "help"
    home = "home"


class LangCB(CallbackData, prefix="lang"):
    code: Lang


class MenuCB(CallbackData, prefix="m"):
    section: Section


class ForgetCB(CallbackData, prefix="forget"):
    confirm: bool


class ResultCB(CallbackData, prefix="r"):
    """Show result `n` (0-based) of stored question `q`."""

    q: int
    n: int


class VoteCB(CallbackData, prefix="v"):
    """👍/👎 on result `n` of question `q`."""

    q: int
    n: int
    up: bool
