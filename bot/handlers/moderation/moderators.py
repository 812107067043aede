"""/moderators (admins only): list (names, who added them and when), add by user id or
forwarded message, remove. /audit (admins only): the latest moderator actions, in words,
at local times. What they show is built in `bot.staff`."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, MessageOriginUser
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcast.audience import record_language
from bot.commands import clear_staff_commands, command, set_staff_commands
from bot.config import Settings
from bot.formatting import split_text
from bot.handlers.render import answer_stale, show
from bot.keyboards.callbacks import ModAction, ModCB
from bot.middlewares.roles import HasRole
from bot.services import Services
from bot.staff.audit import audit_screen
from bot.staff.people import moderators_screen
from bot.storage.roles import AuditRepo, ModeratorRepo
from bot.storage.users import UserRepo


class AddModerator(StatesGroup):
    who = State()


async def cmd_moderators(
    message: Message, moderators: ModeratorRepo, settings: Settings, i18n: I18n
) -> None:
    text, markup = await moderators_screen(moderators, message.bot, settings, i18n.current_locale)
    await message.answer(text, reply_markup=markup)


async def on_mod_action(
    query: CallbackQuery,
    callback_data: ModCB,
    moderators: ModeratorRepo,
    services: Services,
    state: FSMContext,
    settings: Settings,
    i18n: I18n,
) -> None:
    if callback_data.action is ModAction.add:
        await state.set_state(AddModerator.who)
        await query.answer()
        await show(
            query,
            _(
                "Send the new moderator's numeric Telegram id, or forward me any message "
                "from them. /cancel to stop."
            ),
        )
        return
    if callback_data.action is ModAction.remove:
        removed = await services.moderators.remove(query.from_user.id, callback_data.user_id)
        if removed and query.bot is not None:
            await clear_staff_commands(query.bot, callback_data.user_id)
        await query.answer(_("Removed.") if removed else _("Not a moderator."))
        text, markup = await moderators_screen(moderators, query.bot, settings, i18n.current_locale)
        await show(query, text, markup)
        return
    await answer_stale(query)


async def on_moderator_given(
    message: Message,
    moderators: ModeratorRepo,
    services: Services,
    users: UserRepo,
    state: FSMContext,
    settings: Settings,
    i18n: I18n,
) -> None:
    user_id: int | None = None
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        user_id = origin.sender_user.id
    elif origin is not None:
        await message.answer(
            _("This user hides their account in forwards. Please send their numeric id instead.")
        )
        return
    elif message.text and message.text.strip().isdigit() and len(message.text.strip()) < 16:
        user_id = int(message.text.strip())
    if user_id is None or user_id <= 0:
        await message.answer(_("That is not a Telegram user id. Send digits only, or /cancel."))
        return
    await state.clear()
    actor = message.from_user.id if message.from_user else message.chat.id
    added = await services.moderators.add(actor, user_id)
    if added:
        record = await users.get(user_id)
        if message.bot is not None:
            locale = record_language(record, settings.default_locale)
            await set_staff_commands(message.bot, i18n, user_id, locale, admin=False)
    text, markup = await moderators_screen(moderators, message.bot, settings, i18n.current_locale)
    note = _("Added {user_id}.") if added else _("{user_id} is already a moderator.")
    await message.answer(note.format(user_id=user_id) + "\n\n" + text, reply_markup=markup)


async def cmd_audit(message: Message, audit: AuditRepo, settings: Settings, i18n: I18n) -> None:
    text = await audit_screen(audit, message.bot, settings, i18n.current_locale)
    for part in split_text(text):  # whole lines: no tag is cut in two
        await message.answer(part)


def create_router() -> Router:
    router = Router(name=__name__)
    admin_only = HasRole()  # admins pass every role check; nobody else passes this one
    router.message.filter(admin_only)
    router.callback_query.filter(admin_only)
    router.message.register(cmd_moderators, command("moderators"))
    router.message.register(cmd_audit, command("audit"))
    router.message.register(
        on_moderator_given, StateFilter(AddModerator.who), ~F.text.startswith("/")
    )
    router.callback_query.register(on_mod_action, ModCB.filter())
    return router
