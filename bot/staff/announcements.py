"""The announcement screens staff read (`/announcements`): a list in words, one
announcement's report with its numbers, and the question before cancelling one."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from bot.broadcast import Announcement, AnnouncementStatus, OutboxRepo, Report, snapshot
from bot.broadcast.audience import count as count_audience
from bot.config import Settings
from bot.delivery import report_text, status_label
from bot.kb.search import KnowledgeBase
from bot.keyboards.moderation import announcements_menu
from bot.staff.audience import audience_label
from bot.staff.people import display_name, local_time
from bot.storage.database import Database

RECENT = 10
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
