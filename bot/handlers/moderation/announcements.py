"""/announcements: recent announcements, each in words (status, audience, when, numbers);
open one for its report; cancel a scheduled or running one after confirming; approve or
reject one waiting for a second moderator.

Cancelling takes two taps: "✖️ Cancel #4" (`ask_cancel`) shows what would be cancelled
and asks; only "Yes, cancel #4" on that screen (`cancel`) cancels. A `cancel` for one
that can no longer be cancelled is a stale button."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.commands import command
from bot.config import Settings
from bot.delivery import BroadcastService
from bot.handlers.render import answer_stale, show
from bot.kb.search import KnowledgeBase
from bot.keyboards.callbacks import AnnouncementAction, AnnouncementCB
from bot.keyboards.moderation import (
    announcement_menu,
    approval_menu,
    cancel_confirm_menu,
)
from bot.services import Services
from bot.services.announcements import Review
from bot.staff.announcements import OPEN, Screens
from bot.storage.database import Database
from bot.storage.roles import ModeratorRepo
from bot.storage.users import UserRecord

#: The FSM data key naming the announcement whose cancel confirmation was shown: a Yes
#: for any other one (forged, or from an older screen) is refused.
CONFIRMING = "confirming_cancel"


async def cmd_announcements(
    message: Message, db: Database, settings: Settings, kb: KnowledgeBase, i18n: I18n
) -> None:
    text, markup = await Screens(db, settings, kb, i18n.current_locale).list_screen()
    await message.answer(text, reply_markup=markup)


async def on_announcement(
    query: CallbackQuery,
    callback_data: AnnouncementCB,
    db: Database,
    services: Services,
    broadcasts: BroadcastService,
    user: UserRecord,
    settings: Settings,
    kb: KnowledgeBase,
    i18n: I18n,
    state: FSMContext,
) -> None:
    screens = Screens(db, settings, kb, i18n.current_locale)
    action = callback_data.action
    if action is AnnouncementAction.back:
        await state.update_data({CONFIRMING: None})  # the confirmation is withdrawn
        await query.answer()
        await show(query, *await screens.list_screen())
        return
    announcement = await screens.repo.get(callback_data.id)
    if announcement is None:
        await answer_stale(query)
        return
    cancellable = announcement.status in OPEN
    if action is AnnouncementAction.view:
        await query.answer()
        text = await screens.detail(announcement, query.bot)
        await show(query, text, announcement_menu(announcement.id, cancellable))
        return
    if action is AnnouncementAction.ask_cancel:
        if not cancellable:
            await query.answer(_("It can no longer be cancelled."), show_alert=True)
            text = await screens.detail(announcement, query.bot)
            await show(query, text, announcement_menu(announcement.id, cancellable))
            return
        await query.answer()
        await state.update_data({CONFIRMING: announcement.id})  # the proof the Yes needs
        text = await screens.confirm_cancel(announcement, query.bot)
        await show(query, text, cancel_confirm_menu(announcement.id))
        return
    if action is AnnouncementAction.cancel:
        shown = (await state.get_data()).get(CONFIRMING) == announcement.id
        if not cancellable or not shown:  # a Yes never shown for it: stale or forged
            await answer_stale(query)
            return
        await state.update_data({CONFIRMING: None})
        cancelled = await services.announcements.cancel(user.id, announcement.id)
        await query.answer(_("Cancelled.") if cancelled else _("It can no longer be cancelled."))
        await show(query, *await screens.list_screen())
        return
    if action in (AnnouncementAction.approve, AnnouncementAction.reject):
        approve = action is AnnouncementAction.approve
        review = await services.announcements.review(user.id, announcement.id, approve=approve)
        if review is Review.own:
            await query.answer(
                _("A second moderator must approve your announcement."), show_alert=True
            )
            return
        if review is not Review.done:
            await query.answer(_("It is no longer waiting for approval."), show_alert=True)
            return
        if approve:
            await query.answer(_("Approved."))
            await show(
                query, _("Announcement #{id} approved and queued.").format(id=announcement.id)
            )
            broadcasts.wake()
        else:
            await query.answer(_("Rejected."))
            await show(query, _("Announcement #{id} rejected.").format(id=announcement.id))
        return
    await answer_stale(query)


async def ask_approvers(
    bot: Bot | None,
    announcement_id: int,
    author: int,
    settings: Settings,
    moderators: ModeratorRepo,
) -> None:
    """Ask every other moderator and admin to approve or reject."""
    if bot is None:
        return
    approvers = {*settings.admin_ids, *await moderators.all()} - {author}
    markup = approval_menu(announcement_id)
    text = _("Announcement #{id} needs a second moderator's approval. See /announcements.").format(
        id=announcement_id
    )
    for approver in sorted(approvers):
        try:
            await bot.send_message(approver, text, reply_markup=markup)
        except TelegramAPIError:
            continue


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_announcements, command("announcements"))
    router.callback_query.register(on_announcement, AnnouncementCB.filter())
    return router
