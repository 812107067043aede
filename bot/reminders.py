"""Reminders the day before a consular reception, to the subscribers of its region.

A reminder is an ordinary announcement in the outbox (`bot.broadcast`), approved by the
system and sent by the process's `BroadcastService`, like `bot.notify`'s announcement of
a new reception (whose audience and card text it reuses): there is one sender. Its
audience is `Audience.region_reminder(region)`: the region's subscribers minus those who
turned reminders off in /subscriptions.

When: from `REMINDER_HOUR` (10:00) on the day before the reception, in the settings'
`TIMEZONE` (Asia/Almaty by default). The gazetteer knows no time zone per region, and
the bot's receptions are Kazakhstan's (one zone since 2024); 10:00 there is 08:00 in
Moscow and 12:00 in Novosibirsk, a decent hour for every region the bot covers. A check
runs at start and every `REMINDER_CHECK_S` seconds; a reception whose reminder could not
be queued (the bot was down) is still reminded of later that day, never on the day itself.

Exactly once: the transaction that queues the announcement also inserts the reception's
row in ``reception_reminders`` (primary key: reception id and date). A second check, or a
second instance checking at the same moment, finds the row (on PostgreSQL its insert
waits for the first transaction and then does nothing) and queues nothing. A reception
nobody would be reminded of yet (no subscriber with reminders on) is not recorded, so a
subscriber who arrives later that day still gets it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcast import Audience, OutboxRepo
from bot.broadcast.audience import resolve
from bot.config import LOCALES
from bot.consular import ConsularDirectory
from bot.consular_cards import reception_card
from bot.delivery import BroadcastService
from bot.kb.catalog import full_date
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Reception
from bot.notify import plain, reception_announcement
from bot.storage.database import Database
from bot.storage.reminders import ReminderRepo

log = logging.getLogger(__name__)

#: The local hour (in `Settings.timezone`) from which the day-before reminders go out.
REMINDER_HOUR = 10


async def reminder_announcement(
    kb: KnowledgeBase, consular: ConsularDirectory, reception: Reception, i18n: I18n
) -> tuple[Audience, dict[str, str]]:
    """The reminder of a reception tomorrow: the region of the new-reception announcement
    (subscribers with reminders on) and its card, headed "Reminder: tomorrow ..."."""
    announced, _texts = await reception_announcement(kb, consular, reception, i18n)
    audience = Audience.region_reminder(announced.key or reception.city)
    office = await consular.office(reception.office)
    texts = {}
    for lang in LOCALES:
        with i18n.context(), i18n.use_locale(lang):
            head = "⏰ " + _("Reminder: tomorrow there is a consular reception in your region.")
            card = plain(reception_card(kb, reception, lang, past=False, office=office))
            foot = _("You can turn reminders off in /subscriptions.")
            texts[lang] = f"{head}\n\n{card}\n\n{foot}"
    return audience, texts


def clock_on(today: Callable[[], date], zone: ZoneInfo) -> Callable[[], datetime]:
    """A clock on the day `today` gives (an injected one, in tests and trials) at the
    real local time of day."""
    return lambda: datetime.combine(today(), datetime.now(zone).time(), zone)


class ReceptionReminders:
    """Queues the day-before reminders; `check` once, or `start` the periodic loop."""

    def __init__(
        self,
        db: Database,
        *,
        kb: KnowledgeBase,
        consular: ConsularDirectory,
        i18n: I18n,
        broadcasts: BroadcastService,
        timezone: str,
        default_locale: str,
        interval: float = 600.0,
        hour: int = REMINDER_HOUR,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.kb = kb
        self.consular = consular
        self.i18n = i18n
        self.broadcasts = broadcasts
        self.zone = ZoneInfo(timezone)
        self.default_locale = default_locale
        self.interval = interval
        self.hour = hour
        self.now = now or (lambda: datetime.now(UTC))
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle (dispatcher startup/shutdown hooks) ----------------------------------

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="reception-reminders")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:
                log.exception("reminders: checking for receptions tomorrow failed")
            await asyncio.sleep(self.interval)

    # -- work ---------------------------------------------------------------------------

    def due_day(self, now: datetime) -> date | None:
        """The day whose receptions are reminded of at `now`: tomorrow (local), once the
        local reminder hour has come; None before it."""
        local = now.astimezone(self.zone)
        if local.hour < self.hour:
            return None
        return local.date() + timedelta(days=1)

    async def check(self, now: datetime | None = None) -> list[int]:
        """Queue the reminders due at `now` (default: the clock) that are not queued yet;
        returns the ids of the announcements queued."""
        day = self.due_day(now or self.now())
        if day is None:
            return []
        tomorrow = [r for r in await self.consular.receptions() if full_date(r.date) == day]
        queued = await ReminderRepo(self.db).queued((r.id, day.isoformat()) for r in tomorrow)
        ids = []
        for reception in tomorrow:
            if (reception.id, day.isoformat()) in queued:
                continue
            announcement_id = await self._queue(reception, day)
            if announcement_id is not None:
                log.info("reminders: reception %s, announcement %d", reception.id, announcement_id)
                ids.append(announcement_id)
        if ids:
            self.broadcasts.wake()
        return ids

    async def _queue(self, reception: Reception, day: date) -> int | None:
        """One unit of work: the reminder's record and its approved announcement; None
        when nobody would get it yet or it is already queued (by another instance)."""
        audience, texts = await reminder_announcement(self.kb, self.consular, reception, self.i18n)
        async with self.db.transaction() as tx:
            if not await resolve(tx, audience, default_locale=self.default_locale):
                return None
            reminders = ReminderRepo(tx)
            if not await reminders.claim(reception.id, day.isoformat()):
                return None
            outbox = OutboxRepo(tx)
            announcement = await outbox.create(audience=audience, texts=texts)
            await outbox.approve(announcement.id, approved_by=0)
            await reminders.attach(reception.id, day.isoformat(), announcement.id)
        return announcement.id
