"""/announcements: recent announcements with status and numbers; cancel a scheduled or
running one; approve or reject one waiting for a second moderator."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.broadcast import AnnouncementStatus, OutboxRepo, snapshot
from bot.commands import command
from bot.config import Settings
from bot.delivery import BroadcastService, report_text
from bot.handlers.render import answer_stale, show
from bot.keyboards.callbacks import AnnouncementCB
from bot.services import Services
from bot.services.announcements import Review
from bot.storage.database import Database
from bot.storage.roles import ModeratorRepo
from bot.storage.users import UserRecord

RECENT = 10
OPEN = (
    AnnouncementStatus.DRAFT,
    AnnouncementStatus.SCHEDULED,
    AnnouncementStatus.AWAITING_APPROVAL,
    AnnouncementStatus.SENDING,
)


async def list_screen(db: Database) -> tuple[str, InlineKeyboardMarkup]:
    repo = OutboxRepo(db)
    ids = await repo.recent(RECENT)
    lines = ["📣 <b>" + _("Recent announcements") + "</b>", ""]
    board = InlineKeyboardBuilder()
    if not ids:
        lines.append(_("No announcements yet. Start one with /announce."))
    for announcement_id in ids:
        report = await snapshot(repo, announcement_id)
        lines.append(
            report_text(report).split("\n", 2)[0] + f" · {report.delivered}/{report.total}"
        )
        board.button(
            text=f"#{announcement_id}",
            callback_data=AnnouncementCB(action="view", id=announcement_id),
        )
        if report.status in OPEN:
            board.button(
                text=f"✖️ #{announcement_id}",
                callback_data=AnnouncementCB(action="cancel", id=announcement_id),
            )
    board.adjust(4)
    return "\n".join(lines), board.as_markup()


async def cmd_announcements(message: Message, db: Database) -> None:
    text, markup = await list_screen(db)
    await message.answer(text, reply_markup=markup)


async def on_announcement(
    query: CallbackQuery,
    callback_data: AnnouncementCB,
    db: Database,
    services: Services,
    broadcasts: BroadcastService,
    user: UserRecord,
) -> None:
    repo = OutboxRepo(db)
    announcement = await repo.get(callback_data.id)
    if announcement is None:
        await answer_stale(query)
        return
    action = callback_data.action
    if action == "view":
        await query.answer()
        await show(
            query, report_text(await snapshot(repo, announcement.id)), (await list_screen(db))[1]
        )
        return
    if action == "cancel":
        cancelled = await services.announcements.cancel(user.id, announcement.id)
        await query.answer(_("Cancelled.") if cancelled else _("It can no longer be cancelled."))
        text, markup = await list_screen(db)
        await show(query, text, markup)
        return
    if action in ("approve", "reject"):
        review = await services.announcements.review(
            user.id, announcement.id, approve=action == "approve"
        )
        if review is Review.own:
            await query.answer(
                _("A second moderator must approve your announcement."), show_alert=True
            )
            return
        if review is not Review.done:
            await query.answer(_("It is no longer waiting for approval."), show_alert=True)
            return
        if action == "approve":
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
    board = InlineKeyboardBuilder()
    board.button(
        text="✅ " + _("Approve"),
        callback_data=AnnouncementCB(action="approve", id=announcement_id),
    )
    board.button(
        text="✖️ " + _("Reject"), callback_data=AnnouncementCB(action="reject", id=announcement_id)
    )
    text = _("Announcement #{id} needs a second moderator's approval. See /announcements.").format(
        id=announcement_id
    )
    for approver in sorted(approvers):
        try:
            await bot.send_message(approver, text, reply_markup=board.as_markup())
        except TelegramAPIError:
            continue


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_announcements, command("announcements"))
    router.callback_query.register(on_announcement, AnnouncementCB.filter())
    return router
