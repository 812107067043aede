"""The main menu's buttons. Sections whose feature has not landed yet say so."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.handlers.render import show
from bot.keyboards.callbacks import MenuCB, Section
from bot.keyboards.common import back_to_menu, language_picker, main_menu
from bot.middlewares.roles import USER
from bot.texts import ask_prompt, greeting, help_for


async def on_menu(
    query: CallbackQuery, callback_data: MenuCB, i18n: I18n, role: str = USER
) -> None:
    section = callback_data.section
    await query.answer()
    if section is Section.home:
        await show(query, greeting(), main_menu())
    elif section is Section.language:
        await show(
            query, _("Choose your language:"), language_picker(i18n.current_locale, back=True)
        )
    elif section is Section.help:
        await show(query, help_for(role), back_to_menu())
    elif section is Section.ask:
        await show(query, ask_prompt(), back_to_menu())


def create_router() -> Router:
    router = Router(name=__name__)
    # The feature sections (history, events, consular, subscriptions) have their own routers.
    own = {Section.home, Section.language, Section.help, Section.ask}
    router.callback_query.register(on_menu, MenuCB.filter(F.section.in_(own)))
    return router
