"""/announcements: recent announcements, each in words (status, audience, when, numbers);
open one for its report; cancel a scheduled or running one after confirming; approve or
reject one waiting for a second moderator.

Cancelling takes two taps: "✖️ Cancel #4" (`ask_cancel`) shows what would be cancelled
and asks; only "Yes, cancel #4" on that screen (`cancel`) cancels. A `cancel` for one
that can no longer be cancelled is a stale button."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcast import Announcement, AnnouncementStatus, OutboxRepo, Report, snapshot
from bot.broadcast.audience import count as count_audience
from bot.commands import command
from bot.config import Settings
from bot.delivery import BroadcastService, report_text, status_label
from bot.handlers.moderation.audience import audience_label
from bot.handlers.moderation.moderators import display_name, local_time
from bot.handlers.render import answer_stale, show
from bot.kb.search import KnowledgeBase
from bot.keyboards.callbacks import AnnouncementAction, AnnouncementCB
from bot.keyboards.moderation import (
    announcement_menu,
    announcements_menu,
    approval_menu,
    cancel_confirm_menu,
)
from bot.services import Services
from bot.services.announcements import Review
from bot.storage.database import Database
from bot.storage.roles import ModeratorRepo
from bot.storage.users import UserRecord

RECENT = 10
#: The FSM data key naming the announcement whose cancel confirmation was shown: a Yes
#: for any other one (forged, or from an older screen) is refused.
CONFIRMING = "confirming_cancel"
OPEN = (
    AnnouncementStatus.DRAFT,
    AnnouncementStatus.SCHEDULED,
    AnnouncementStatus.AWAITING_APPROVAL,
    AnnouncementStatus.SENDING,
)


class Screens:
    """What the announcement screens need, for one reader (their locale)."""

    def __init__(self, db: Database, settings: Settings, kb: KnowledgeBase, locale: str) -> None:
        self.db = db
        self.repo = OutboxRepo(db)
        self.settings = settings
        self.kb = kb
        self.locale = locale
        self._reach: dict[str, int] = {}

    def time(self, value: str | None) -> str | None:
        return local_time(value, self.settings, self.locale)

    def audience(self, announcement: Announcement) -> str:
        return audience_label(announcement.audience, self.kb, self.locale)

    async def reach(self, announcement: Announcement, report: Report) -> int | None:
        """How many it will reach, for one whose sending has not started (no outbox
        rows yet): the audience as it is now, counted like the wizard counts it."""
        if report.total or report.finished:
            return None
        key = announcement.audience.to_json()
        if key not in self._reach:
            counts = await count_audience(
                self.db, announcement.audience, default_locale=self.settings.default_locale
            )
            self._reach[key] = sum(counts.values())
        return self._reach[key]

    def when(self, announcement: Announcement) -> str:
        """When it was sent, or is to be: started, scheduled for, or created."""
        started = self.time(announcement.started_at)
        if started:
            return _("started {time}").format(time=started)
        scheduled = self.time(announcement.send_at)
        if scheduled:
            if announcement.status is AnnouncementStatus.CANCELLED:
                return _("was scheduled for {time}").format(time=scheduled)
            return _("scheduled for {time}").format(time=scheduled)
        created = self.time(announcement.created_at) or announcement.created_at
        return _("created {time}").format(time=created)

    def zone_note(self) -> Any:
        return as_line(_("Times are in {zone}.").format(zone=self.settings.timezone))

    # -- the list -------------------------------------------------------------------------

    async def list_line(self, announcement: Announcement, report: Report) -> Any:
        reach = await self.reach(announcement, report)
        if report.total:
            numbers = _(
                "delivered to {delivered} of {total} user",
                "delivered to {delivered} of {total} users",
                report.total,
            ).format(delivered=report.delivered, total=report.total)
        elif reach is not None:
            numbers = _("will reach {count} user", "will reach {count} users", reach).format(
                count=reach
            )
        else:
            numbers = _("nothing was sent")
        return Text(
            as_line(
                Bold(f"#{announcement.id}"),
                " — ",
                status_label(report.status),
                " · ",
                self.audience(announcement),
            ),
            as_line("    ", self.when(announcement), " · ", numbers),
        )

    async def list_screen(self) -> tuple[str, InlineKeyboardMarkup]:
        lines: list[Any] = [as_line("📣 ", Bold(_("Recent announcements"))), as_line("")]
        items: list[tuple[int, bool]] = []
        for announcement_id in await self.repo.recent(RECENT):
            announcement = await self.repo.get(announcement_id)
            if announcement is None:  # removed meanwhile
                continue
            report = await snapshot(self.repo, announcement_id)
            lines.append(await self.list_line(announcement, report))
            items.append((announcement_id, report.status in OPEN))
        if items:
            lines.append(self.zone_note())
        else:
            lines.append(as_line(_("No announcements yet. Start one with /announce.")))
        return Text(*lines).as_html().rstrip("\n"), announcements_menu(items)

    # -- one announcement -----------------------------------------------------------------

    async def detail(self, announcement: Announcement, bot: Bot | None) -> str:
        """Its report, with the numbers it has: the audience size and the send time
        before it starts, delivered of total after."""
        report = await snapshot(self.repo, announcement.id)
        scheduled = self.time(announcement.send_at)
        text = report_text(
            report,
            reach=await self.reach(announcement, report),
            scheduled=f"{scheduled} ({self.settings.timezone})" if scheduled else None,
        )
        lines: list[Any] = [
            as_line(_("Audience: {audience}.").format(audience=self.audience(announcement)))
        ]
        created = self.time(announcement.created_at) or announcement.created_at
        if announcement.created_by is not None:
            author = await display_name(bot, announcement.created_by)
            lines.append(as_line(_("Created by {name}, {time}.").format(name=author, time=created)))
        started = self.time(announcement.started_at)
        if started:
            lines.append(as_line(_("Started {time}.").format(time=started)))
        finished = self.time(announcement.finished_at)
        if finished:
            lines.append(as_line(_("Finished {time}.").format(time=finished)))
        lines.append(self.zone_note())
        return text + "\n\n" + Text(*lines).as_html().rstrip("\n")

    async def confirm_cancel(self, announcement: Announcement, bot: Bot | None) -> str:
        question = Text(
            as_line(Bold(_("Cancel announcement #{id}?").format(id=announcement.id))),
            _("Nobody else will get it once you cancel; this cannot be undone."),
        ).as_html()
        return question + "\n\n" + await self.detail(announcement, bot)


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
