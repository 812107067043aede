"""Runs announcements inside the bot process: picks up due and interrupted ones,
sends them through the outbox engine, and keeps the moderator's progress message
up to date (edited at most every few seconds) until the final report.

One task polls the outbox; each announcement gets one runner task at a time. The
runner name is stable per host and process, and the engine's lease keeps a second
process from sending the same announcement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from html import escape

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcast import (
    AnnouncementStatus,
    BroadcastBusy,
    BroadcastError,
    OutboxRepo,
    RateLimiter,
    Report,
    run_broadcast,
)
from bot.broadcast.audience import record_language
from bot.broadcast.outbox import Outcome
from bot.broadcast.ratelimit import SendLimiter
from bot.storage.database import Database
from bot.storage.users import UserRepo

log = logging.getLogger(__name__)
POLL_S = 2.0


def runner_name() -> str:
    return f"bot@{socket.gethostname()}:{os.getpid()}"


class BroadcastService:
    def __init__(
        self,
        db: Database,
        i18n: I18n,
        *,
        rate: float,
        default_locale: str,
        poll_interval: float = POLL_S,
        lease_ttl: float = 30.0,
        progress_interval: float = 3.0,
        clock: Callable[[], float] = time.time,
        on_outcome: Callable[[Outcome], None] | None = None,
        limiter: SendLimiter | None = None,
    ) -> None:
        self.db = db
        self.on_outcome = on_outcome
        self.repo = OutboxRepo(db)
        self.users = UserRepo(db)
        self.i18n = i18n
        #: One limiter for every announcement of the process (or, given one, of every
        #: instance: Telegram's limit is per bot).
        self.limiter: SendLimiter = limiter or RateLimiter(rate)
        self.default_locale = default_locale
        self.poll_interval = poll_interval
        self.lease_ttl = lease_ttl
        self.progress_interval = progress_interval
        self.clock = clock
        self.owner = runner_name()
        #: announcement id -> (chat id, message id) of the moderator's progress message
        self.progress_messages: dict[int, tuple[int, int]] = {}
        self._running: dict[int, asyncio.Task[None]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    # -- lifecycle (dispatcher startup/shutdown hooks) ----------------------------------

    async def start(self, bot: Bot) -> None:
        self._loop_task = asyncio.create_task(self._loop(bot), name="broadcast-service")

    async def stop(self) -> None:
        tasks = [t for t in (self._loop_task, *self._running.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._running.clear()
        self._loop_task = None

    def wake(self) -> None:
        """Look for work now (an announcement was just confirmed)."""
        self._wake.set()

    def track(self, announcement_id: int, chat_id: int, message_id: int) -> None:
        self.progress_messages[announcement_id] = (chat_id, message_id)

    # -- work ---------------------------------------------------------------------------

    async def _loop(self, bot: Bot) -> None:
        while True:
            try:
                for announcement_id in await self.repo.runnable(self.clock()):
                    task = self._running.get(announcement_id)
                    if task is None or task.done():
                        self._running[announcement_id] = asyncio.create_task(
                            self._run(bot, announcement_id), name=f"broadcast-{announcement_id}"
                        )
            except Exception:
                log.exception("broadcast service: polling the outbox failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)

    async def _run(self, bot: Bot, announcement_id: int) -> None:
        async def progress(report: Report) -> None:
            await self._show(bot, announcement_id, report)

        try:
            report = await run_broadcast(
                bot,
                self.db,
                announcement_id,
                owner=self.owner,
                limiter=self.limiter,
                lease_ttl=self.lease_ttl,
                progress=progress,
                progress_interval=self.progress_interval,
                default_locale=self.default_locale,
                clock=self.clock,
                on_outcome=self.on_outcome,
            )
        except BroadcastBusy:
            return  # another process holds the lease
        except BroadcastError:
            log.exception("broadcast %d failed", announcement_id)
            return
        # The engine has already passed the final report to `progress`.
        log.info("broadcast %d: %s", announcement_id, report.final_numbers())

    async def _show(self, bot: Bot, announcement_id: int, report: Report) -> None:
        announcement = await self.repo.get(announcement_id)
        if announcement is None or announcement.created_by is None:
            return
        creator = await self.users.get(announcement.created_by)
        locale = record_language(creator, self.default_locale)
        with self.i18n.context(), self.i18n.use_locale(locale):
            text = report_text(report)
        target = self.progress_messages.get(announcement_id)
        try:
            if target is not None:
                await bot.edit_message_text(text, chat_id=target[0], message_id=target[1])
            elif report.finished:  # after a restart the progress message is unknown
                sent = await bot.send_message(announcement.created_by, text)
                self.track(announcement_id, sent.chat.id, sent.message_id)
        except TelegramAPIError as exc:
            if "not modified" not in str(exc):
                log.warning("broadcast %d: progress message: %s", announcement_id, exc)
        if report.finished:
            self.progress_messages.pop(announcement_id, None)


LANGUAGE_LABELS = {"ru": "RU", "kk": "KK", "en": "EN"}


def status_label(status: AnnouncementStatus) -> str:
    """An announcement's status in words, in the current locale."""
    return {
        AnnouncementStatus.DRAFT: _("draft"),
        AnnouncementStatus.SCHEDULED: _("scheduled"),
        AnnouncementStatus.AWAITING_APPROVAL: _("waiting for approval"),
        AnnouncementStatus.SENDING: _("sending"),
        AnnouncementStatus.DONE: _("done"),
        AnnouncementStatus.CANCELLED: _("cancelled"),
    }[status]


def reach_text(count: int) -> str:
    """How many people one not started yet will reach."""
    return _("It will reach {count} user.", "It will reach {count} users.", count).format(
        count=count
    )


def report_text(report: Report, *, reach: int | None = None, scheduled: str | None = None) -> str:
    """Progress or final report, in the current locale.

    Before sending starts there are no outbox rows to count: then it says so, with
    `scheduled` (the send time, already formatted for the reader) and `reach` (the
    audience size it will reach) when the caller knows them. Percentages only of a
    total above zero."""
    title = _("Announcement #{id}").format(id=report.announcement_id)
    lines = [f"📣 <b>{escape(title)}</b> — {escape(status_label(report.status))}"]
    if report.total == 0:
        if report.status is AnnouncementStatus.CANCELLED:
            lines.append(_("Cancelled before sending started: nobody got it."))
        elif report.status is AnnouncementStatus.DONE:
            lines.append(_("Nobody was in its audience: nothing was sent."))
        else:
            lines.append(
                _("Not started yet, scheduled for {time}.").format(time=scheduled)
                if scheduled
                else _("Not started yet.")
            )
            if reach is not None:
                lines.append(reach_text(reach))
        return "\n".join(lines)
    share = round(report.done_share * 100)
    lines += [
        _("Delivered: {delivered} of {total} ({share}%)").format(
            delivered=report.delivered, total=report.total, share=share
        ),
        _("Blocked: {blocked} · Failed: {failed} · Skipped: {skipped} · Pending: {pending}").format(
            blocked=report.blocked,
            failed=report.failed,
            skipped=report.skipped,
            pending=report.pending,
        ),
    ]
    if report.by_language:
        lines.append("")
        for lang, counts in report.by_language.items():
            lines.append(
                f"{LANGUAGE_LABELS.get(lang, lang)}: "
                + _("{delivered} delivered, {blocked} blocked, {failed} failed").format(
                    delivered=counts.delivered, blocked=counts.blocked, failed=counts.failed
                )
            )
    return "\n".join(lines)
