"""Send an announcement: N workers claim small batches of outbox rows and send them.

Each row is recorded as soon as Telegram answers and the worker waits for that
commit before it sends the next one (the commits of concurrent workers are shared:
group commit), so a crash leaves at most ``concurrency`` rows sent but still marked
``sending``; the next runner recovers them (they may go out twice) and everything
else goes out exactly once.

Outcomes:

* 200: ``sent`` (the message id is kept).
* 429 ``TelegramRetryAfter``: every sender of the process (the shared
  :class:`RateLimiter`) pauses until ``retry_after`` has passed, then the same row
  is tried again; no attempt is used.
* 403 ``TelegramForbiddenError`` (blocked, deactivated, cannot initiate): ``blocked``,
  the user is marked blocked and their subscriptions are deleted.
* 400 ``TelegramBadRequest`` (chat not found, or any other bad request: retrying
  would not help), 413, 404: ``failed`` at once.
* 5xx, network errors, timeouts and anything unexpected: back to ``pending`` with
  exponential backoff (``backoff_base * 2**(n-1)``, jittered 50-100 %, capped at
  ``backoff_cap``) until ``max_attempts`` is reached, then ``failed``. A timeout may
  hide a message that did arrive; such a retry can duplicate it.
* 401: the token is wrong; the run stops and raises :class:`BroadcastAborted`.

Several processes may send one announcement at once. The one holding the
announcement's lease is its coordinator: it enqueues the audience, reports progress
and the final numbers. Any other process that runs it while it is ``sending`` helps:
it claims rows too (claims are atomic, see `OutboxRepo.claim`) and sends them. Every
claim names its process and holds until ``lease_ttl`` from the last renewal; a
keeper task renews this process's claims (and, for the coordinator, the lease) every
``lease_ttl / 3`` and puts rows whose claim expired (their process died) back to
``pending``. Workers stop sending once their claims are about to expire (renewals
failing), so no row is taken back while its claimant may still send it. The keeper
also notices a cancellation (``OutboxRepo.cancel``) within ``check_interval`` and
calls ``progress`` at most every ``progress_interval`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import Message

from bot.broadcast.audience import resolve
from bot.broadcast.message import Rendered, render, send_rendered
from bot.broadcast.models import Announcement, AnnouncementStatus
from bot.broadcast.outbox import OutboxRepo, OutboxRow, Outcome
from bot.broadcast.ratelimit import RateLimiter, SendLimiter, Ticket
from bot.broadcast.report import Report, snapshot
from bot.storage.database import Database

log = logging.getLogger(__name__)

DEFAULT_RATE = 25.0  # messages per second: below Telegram's ~30/s with room for other replies
ProgressCallback = Callable[[Report], Awaitable[None] | None]

_PERMANENT = (TelegramBadRequest, TelegramEntityTooLarge, TelegramNotFound, TelegramMigrateToChat)


class BroadcastError(Exception):
    """Base class for the reasons a run does not happen or stops."""


class BroadcastBusy(BroadcastError):
    """Another runner holds the announcement's lease."""


class BroadcastNotReady(BroadcastError):
    """The announcement is not approved yet, or not due."""


class BroadcastAborted(BroadcastError):
    """The run stopped on an error no retry can fix (e.g. 401: wrong token)."""


async def run_broadcast(
    bot: Bot,
    db: Database,
    announcement_id: int,
    *,
    owner: str,
    rate: float | None = DEFAULT_RATE,
    concurrency: int = 8,
    max_attempts: int = 5,
    batch_size: int = 10,
    lease_ttl: float = 30.0,
    backoff_base: float = 1.0,
    backoff_cap: float = 60.0,
    progress: ProgressCallback | None = None,
    progress_interval: float = 3.0,
    check_interval: float = 1.0,
    limiter: SendLimiter | None = None,
    default_locale: str = "ru",
    request_timeout: int | None = None,
    clock: Callable[[], float] = time.time,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Report:
    """Send announcement `announcement_id` (status ``scheduled`` and due, or ``sending``
    to resume) and return the report.

    ``owner`` names this runner in the lease (e.g. ``"bot@host:pid"``); a runner with
    the same name takes its own lease back at once after a restart, any other one
    after ``lease_ttl``. Pass one ``limiter`` to every run of the process so they share
    Telegram's limit (``rate`` is then ignored). ``clock`` is wall time in seconds,
    shared through the database with other processes. ``on_outcome`` sees each
    recorded outcome (the metrics count them).

    While another runner holds the lease of an announcement that is ``sending``, this
    one helps send it (no progress of its own); raises :class:`BroadcastBusy` if the
    other one has not begun it yet, :class:`BroadcastNotReady` for drafts, unapproved or
    not-yet-due announcements.
    A done or cancelled announcement returns its report without sending anything.
    """
    if concurrency < 1 or batch_size < 1 or max_attempts < 1:
        raise ValueError("concurrency, batch_size and max_attempts must be positive")
    repo = OutboxRepo(db)
    announcement = await repo.get(announcement_id)
    if announcement is None:
        raise LookupError(f"no announcement {announcement_id}")
    if announcement.status in (AnnouncementStatus.DONE, AnnouncementStatus.CANCELLED):
        return await snapshot(repo, announcement_id)
    _check_ready(announcement, clock())
    coordinator = await repo.acquire_lease(announcement_id, owner, lease_ttl, clock())
    if not coordinator:
        current = await repo.get(announcement_id)
        if current is None or current.status is not AnnouncementStatus.SENDING:
            holder = current.lease_owner if current else None
            raise BroadcastBusy(f"announcement {announcement_id} is being begun by {holder}")
    run = _Run(
        bot,
        repo,
        announcement_id,
        owner=owner,
        limiter=limiter or RateLimiter(rate),
        concurrency=concurrency,
        max_attempts=max_attempts,
        batch_size=batch_size,
        lease_ttl=lease_ttl,
        backoff_base=backoff_base,
        backoff_cap=backoff_cap,
        progress=progress,
        progress_interval=progress_interval,
        check_interval=check_interval,
        request_timeout=request_timeout,
        on_outcome=on_outcome,
        clock=clock,
        coordinator=coordinator,
    )
    try:
        return await run.execute(db, default_locale)
    finally:
        await run.cleanup()


def _check_ready(announcement: Announcement, now: float) -> None:
    if announcement.status is AnnouncementStatus.SENDING:
        return
    if announcement.status is not AnnouncementStatus.SCHEDULED:
        raise BroadcastNotReady(
            f"announcement {announcement.id} is {announcement.status.value}, not approved"
        )
    if announcement.send_at is not None:
        due = datetime.fromisoformat(announcement.send_at)
        if due.tzinfo is None:
            due = due.replace(tzinfo=UTC)
        if due.timestamp() > now:
            raise BroadcastNotReady(f"announcement {announcement.id} is due at {due}")


def _cancel_swallowed() -> bool:
    """Whether this task was cancelled without the CancelledError reaching it: a cancel
    that lands while a write is under way on a database being closed (a crash) can end
    in the database layer's cleanup instead, and the loop would then wait forever."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class _GroupCommit:
    """Outcomes of concurrent sends written in one transaction (group commit).

    A worker hands its outcome over and waits until it is committed before it sends
    anything else, which keeps the crash bound (one unrecorded send per worker) while
    a busy run needs far fewer commits than messages.
    """

    def __init__(self, repo: OutboxRepo, announcement_id: int, owner: str) -> None:
        self.repo = repo
        self.aid = announcement_id
        self.owner = owner
        self._queue: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self.commits = 0

    async def record(self, outcome: Outcome) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((outcome, done))
        self._wake.set()
        await done

    async def run(self) -> None:
        while True:
            if _cancel_swallowed():
                raise asyncio.CancelledError
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    outcomes = [outcome for outcome, _ in batch]
                    await self.repo.record(self.aid, outcomes, self.owner)
                except Exception as exc:
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                else:
                    self.commits += 1
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)


class _Run:
    """One runner's state: the workers, the keeper, the lease, the stop signal."""

    def __init__(
        self,
        bot: Bot,
        repo: OutboxRepo,
        announcement_id: int,
        *,
        owner: str,
        limiter: SendLimiter,
        concurrency: int,
        max_attempts: int,
        batch_size: int,
        lease_ttl: float,
        backoff_base: float,
        backoff_cap: float,
        progress: ProgressCallback | None,
        progress_interval: float,
        check_interval: float,
        request_timeout: int | None,
        clock: Callable[[], float],
        coordinator: bool = True,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.bot = bot
        #: Holds the lease: begins the announcement and reports on it (else it helps).
        self.coordinator = coordinator
        self.repo = repo
        self.aid = announcement_id
        self.owner = owner
        self.limiter = limiter
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.lease_ttl = lease_ttl
        self.lease_margin = lease_ttl / 5
        #: Until when this process's claims (and the lease) hold, as last renewed.
        self.lease_until = clock() + lease_ttl
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.progress = progress
        self.progress_interval = progress_interval
        self.check_interval = min(check_interval, lease_ttl / 3)
        self.request_timeout = request_timeout
        self.on_outcome = on_outcome
        self.clock = clock
        self.stop = asyncio.Event()
        self.workers_done = asyncio.Event()
        self.started = time.monotonic()
        self.messages: dict[str, Rendered] = {}
        self.announcement: Announcement | None = None
        self.fatal: BaseException | None = None
        self.lease_lost = False
        self.rng = random.Random()
        self.recorder = _GroupCommit(repo, announcement_id, owner)
        self._progress_task: asyncio.Task[None] | None = None

    # -- the run -------------------------------------------------------------------
    async def execute(self, db: Database, default_locale: str) -> Report:
        announcement = await self.repo.get(self.aid)
        assert announcement is not None
        if announcement.status is AnnouncementStatus.SCHEDULED and self.coordinator:
            recipients = await resolve(db, announcement.audience, default_locale=default_locale)
            added = await self.repo.begin(self.aid, recipients)
            log.info("broadcast %d: %d recipients queued", self.aid, added)
            announcement = await self.repo.get(self.aid)
            assert announcement is not None
        if announcement.status is not AnnouncementStatus.SENDING:  # cancelled meanwhile
            return await self.report()
        self.announcement = announcement
        recovered = await self.repo.recover(self.aid, self.clock())
        if recovered:
            log.warning("broadcast %d: %d interrupted rows back to pending", self.aid, recovered)

        keeper = asyncio.create_task(self._keeper(), name=f"broadcast-{self.aid}-keeper")
        recorder = asyncio.create_task(self.recorder.run(), name=f"broadcast-{self.aid}-recorder")
        workers = [
            asyncio.create_task(self._worker(), name=f"broadcast-{self.aid}-worker-{i}")
            for i in range(self.concurrency)
        ]
        try:
            results = await asyncio.gather(*workers, return_exceptions=True)
        finally:
            for task in workers:
                task.cancel()
            self.workers_done.set()
            for helper in (keeper, recorder):
                helper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await helper
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                log.error("broadcast %d: a worker crashed", self.aid, exc_info=result)
        if self.fatal is not None:
            raise BroadcastAborted(f"broadcast {self.aid} stopped: {self.fatal}") from self.fatal
        if not self.stop.is_set() and await self.repo.finish(self.aid):
            log.info("broadcast %d: done", self.aid)
        report = await self.report()
        if not self.coordinator:
            return report
        if self._progress_task is not None:  # let a slow update land before the final one
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._progress_task), self.check_interval)
        await self._emit(report)
        return report

    async def cleanup(self) -> None:
        if self._progress_task is not None and not self._progress_task.done():
            self._progress_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._progress_task
        await self._release()

    async def _release(self) -> None:
        """Whatever ended the run: rows this process still holds go back to pending and
        the lease is released, so another runner carries on at once. (A crash skips
        this; the others take the rows back when the claims expire, and the lease.)"""
        try:
            await self.repo.release_claims(self.aid, self.owner)
            if self.coordinator and not self.lease_lost:
                await self.repo.release_lease(self.aid, self.owner)
        except Exception:
            log.exception("broadcast %d: cleanup failed", self.aid)

    async def report(self) -> Report:
        return await snapshot(self.repo, self.aid, time.monotonic() - self.started)

    # -- workers -------------------------------------------------------------------
    def _may_send(self) -> bool:
        return not self.stop.is_set() and self.clock() < self.lease_until - self.lease_margin

    async def _worker(self) -> None:
        try:
            await self._work()
        except Exception as exc:
            # The database failed us (the Bot API's errors are handled per row): stop
            # everyone rather than leave this worker's rows stranded; they are recovered.
            log.exception("broadcast %d: a worker failed; stopping the run", self.aid)
            self.fatal = self.fatal or exc
            self.stop.set()

    async def _work(self) -> None:
        while self._may_send():
            rows = await self.repo.claim(
                self.aid, self.batch_size, self.clock(), owner=self.owner, ttl=self.lease_ttl
            )
            if not rows:
                if not await self._wait_for_work():
                    return
                continue
            for i, row in enumerate(rows):
                if not self._may_send():
                    await self.repo.release(self.aid, [r.user_id for r in rows[i:]], self.owner)
                    return
                await self._deliver(row)

    async def _wait_for_work(self) -> bool:
        """Nothing to claim now. False when no row is pending or being sent anywhere;
        while rows are being sent (by this or another process, whose retries or, if it
        dies, expired claims come back) or a retry is not due yet, wait."""
        pending, next_at = await self.repo.pending(self.aid)
        if pending == 0 and await self.repo.in_flight(self.aid) == 0:
            return False
        delay = self.check_interval
        if next_at is not None:
            delay = min(max(next_at - self.clock(), 0.005), self.check_interval)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self.stop.wait()
        return True

    async def _deliver(self, row: OutboxRow) -> None:
        """Send one row until it has an outcome, and record it before returning (so a
        crash leaves at most one sent-but-unrecorded row per worker)."""
        while True:
            ticket = await self.limiter.acquire(self.stop)
            if ticket is None or not self._may_send():
                if ticket is not None:
                    await self._free_slot(ticket)
                await self.repo.release(self.aid, [row.user_id], self.owner)
                return
            try:
                message = await self._send(row)
            except TelegramRetryAfter as exc:  # everyone waits; no attempt used
                log.info("broadcast %d: 429, pausing %s s", self.aid, exc.retry_after)
                await self.limiter.pause_for(exc.retry_after)
                continue
            except TelegramUnauthorizedError as exc:
                self.fatal = exc
                self.stop.set()
                await self.repo.release(self.aid, [row.user_id], self.owner)
                return
            except TelegramForbiddenError as exc:
                outcome = Outcome.blocked(row.user_id, exc.message)
            except _PERMANENT as exc:
                outcome = Outcome.failed(row.user_id, exc.message)
            except (TelegramAPIError, TimeoutError, OSError) as exc:
                outcome = self._retry_later(row, f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # a bug or an unexpected answer: count it as an attempt
                log.exception("broadcast %d: unexpected error for %d", self.aid, row.user_id)
                outcome = self._retry_later(row, f"{type(exc).__name__}: {exc}")
            else:
                outcome = Outcome.sent(row.user_id, message.message_id)
            finally:
                await self._free_slot(ticket)
            await self.recorder.record(outcome)
            if self.on_outcome is not None:
                self.on_outcome(outcome)
            return

    async def _free_slot(self, ticket: Ticket) -> None:
        """The send has its answer. If the limiter cannot be told (Redis is away), the
        ticket stops counting on its own after a while; the outcome is recorded anyway."""
        try:
            await self.limiter.release(ticket)
        except Exception:
            log.warning("broadcast %d: could not release a send slot", self.aid, exc_info=True)

    def _retry_later(self, row: OutboxRow, error: str) -> Outcome:
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            return Outcome.failed(row.user_id, error)
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1))
        delay *= 0.5 + self.rng.random() / 2
        return Outcome.retry(row.user_id, error, self.clock() + delay)

    async def _send(self, row: OutboxRow) -> Message:
        rendered = self._rendered(row.lang)
        return await send_rendered(
            self.bot, row.user_id, rendered, request_timeout=self.request_timeout
        )

    def _rendered(self, lang: str) -> Rendered:
        cached = self.messages.get(lang)
        if cached is None:
            assert self.announcement is not None
            text_lang = self.announcement.text_language(lang)
            if text_lang is None:  # enqueued as skipped; only if texts changed since
                raise LookupError(f"no text for {lang!r} and no fallback")
            cached = self.messages[lang] = render(self.announcement, text_lang)
        return cached

    # -- keeper: lease, cancellation, progress ---------------------------------------
    async def _keeper(self) -> None:
        renew_every = self.lease_ttl / 3
        next_renew = self.clock() + renew_every
        next_progress = time.monotonic() + self.progress_interval
        while not self.workers_done.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.check_interval):
                    await self.workers_done.wait()
            if self.workers_done.is_set():
                return
            try:
                now = self.clock()
                if now >= next_renew:
                    await self.repo.renew_claims(self.aid, self.owner, now + self.lease_ttl)
                    self.lease_until = now + self.lease_ttl
                    next_renew = now + renew_every
                    if self.coordinator and not await self.repo.renew_lease(
                        self.aid, self.owner, self.lease_ttl, now
                    ):
                        log.warning("broadcast %d: lease lost; helping from now on", self.aid)
                        self.lease_lost = True
                        self.coordinator = False
                    recovered = await self.repo.recover(self.aid, now)
                    if recovered:
                        log.warning(
                            "broadcast %d: %d rows of a dead sender back", self.aid, recovered
                        )
                if await self.repo.status(self.aid) is AnnouncementStatus.CANCELLED:
                    log.info("broadcast %d: cancelled", self.aid)
                    self.stop.set()
                if (
                    self.coordinator
                    and self.progress is not None
                    and time.monotonic() >= next_progress
                ):
                    # In its own task: a slow callback (an edit waiting out a 429) must
                    # not hold up lease renewals. One at a time; skipped while busy.
                    if self._progress_task is None or self._progress_task.done():
                        report = await self.report()
                        self._progress_task = asyncio.create_task(self._emit(report))
                    next_progress = time.monotonic() + self.progress_interval
            except Exception:  # a busy database must not end the run; retry next tick
                log.exception("broadcast %d: keeper tick failed", self.aid)

    async def _emit(self, report: Report) -> None:
        if self.progress is None:
            return
        try:
            result = self.progress(report)
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("broadcast %d: progress callback failed", self.aid)
