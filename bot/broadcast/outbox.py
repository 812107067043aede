"""The outbox: announcements and one row per (announcement, user), claimed in batches.

A row moves ``pending -> sending`` when a sender claims it and from ``sending`` to a
final state (``sent``, ``blocked``, ``failed``) right after the Bot API answers; the
sender waits for that commit (shared by concurrent senders: group commit) before it
sends anything else. A crash therefore leaves at most one row per concurrent sender
sent but still ``sending``; :meth:`OutboxRepo.recover` puts ``sending`` rows back to
``pending`` when a new runner takes the lease, so nobody is lost and duplicates are
bounded by the number of senders. Claimed rows that were never tried were not sent,
so recovering them duplicates nothing.

Only the holder of an announcement's lease sends it: :meth:`acquire_lease` succeeds
when the lease is free, expired, or already ours. Times in the database are unix
seconds from the caller's clock (``lease_until``, ``not_before``) so that processes on
one machine agree; ``*_at`` columns are ISO-8601 UTC text like the rest of the schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.broadcast.models import (
    Announcement,
    AnnouncementStatus,
    Audience,
    Recipient,
    RowStatus,
    validate_content,
)
from bot.storage.base import Repo, upsert
from bot.storage.schema import announcements, outbox, subscriptions, users
from bot.storage.users import cache_key, utcnow

#: Rows per INSERT when enqueueing (5 parameters each, under both backends' limits).
_INSERT_CHUNK = 2_000
_MAX_ID = 2**31 - 1

# Announcements a moderator can still cancel.
_CANCELLABLE = (
    AnnouncementStatus.DRAFT,
    AnnouncementStatus.SCHEDULED,
    AnnouncementStatus.AWAITING_APPROVAL,
    AnnouncementStatus.SENDING,
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed row (see :meth:`OutboxRepo.record`)."""

    user_id: int
    status: RowStatus  # sent, blocked, failed, or pending (= retry later)
    error: str | None = None
    message_id: int | None = None
    not_before: float = 0.0

    @classmethod
    def sent(cls, user_id: int, message_id: int) -> Outcome:
        return cls(user_id, RowStatus.SENT, message_id=message_id)

    @classmethod
    def blocked(cls, user_id: int, error: str) -> Outcome:
        return cls(user_id, RowStatus.BLOCKED, error)

    @classmethod
    def failed(cls, user_id: int, error: str) -> Outcome:
        return cls(user_id, RowStatus.FAILED, error)

    @classmethod
    def retry(cls, user_id: int, error: str, not_before: float) -> Outcome:
        return cls(user_id, RowStatus.PENDING, error, not_before=not_before)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A claimed row, as a sender sees it."""

    user_id: int
    lang: str
    attempts: int


# lang -> status -> rows
Counts = dict[str, dict[RowStatus, int]]


class OutboxRepo(Repo):
    """Each method is one unit of work (or part of the caller's, see `Repo`)."""

    # -- announcements -------------------------------------------------------------
    async def create(
        self,
        *,
        audience: Audience,
        texts: dict[str, str],
        created_by: int | None = None,
        fallback: str | None = None,
        photo: str | None = None,
        link: str | None = None,
        send_at: datetime | None = None,
        status: AnnouncementStatus = AnnouncementStatus.DRAFT,
    ) -> Announcement:
        """Store a new announcement (validated; texts are plain text in ru/kk/en)."""
        kept = validate_content(texts, fallback=fallback, photo=photo, link=link)
        statement = (
            insert(announcements)
            .values(
                created_by=created_by,
                created_at=utcnow(),
                status=status.value,
                audience=audience.to_json(),
                texts=json.dumps(kept, ensure_ascii=False),
                fallback=fallback,
                photo=photo,
                link=link,
                send_at=_iso(send_at) if send_at is not None else None,
            )
            .returning(*announcements.c)
        )
        async with self._write() as conn:
            row = (await conn.execute(statement)).one()
        return Announcement.from_row(row._mapping)

    async def get(self, announcement_id: int) -> Announcement | None:
        if not _valid_id(announcement_id):
            return None
        async with self._read() as conn:
            row = (
                await conn.execute(select(announcements).where(_announcement(announcement_id)))
            ).first()
        return Announcement.from_row(row._mapping) if row else None

    async def status(self, announcement_id: int) -> AnnouncementStatus | None:
        if not _valid_id(announcement_id):
            return None
        async with self._read() as conn:
            value = (
                await conn.execute(
                    select(announcements.c.status).where(_announcement(announcement_id))
                )
            ).scalar()
        return AnnouncementStatus(value) if value else None

    async def submit(self, announcement_id: int) -> bool:
        """draft -> awaiting_approval."""
        return await self._transition(
            announcement_id, AnnouncementStatus.AWAITING_APPROVAL, (AnnouncementStatus.DRAFT,)
        )

    async def approve(
        self, announcement_id: int, approved_by: int, send_at: datetime | None = None
    ) -> bool:
        """draft/awaiting_approval -> scheduled (due at `send_at`, or now when None)."""
        if not _valid_id(announcement_id):
            return False
        statement = (
            update(announcements)
            .where(
                _announcement(announcement_id),
                announcements.c.status.in_(("draft", "awaiting_approval")),
            )
            .values(
                status="scheduled",
                approved_by=approved_by,
                send_at=_iso(send_at) if send_at is not None else None,
            )
        )
        async with self._write() as conn:
            return (await conn.execute(statement)).rowcount > 0

    async def cancel(self, announcement_id: int) -> bool:
        """Cancel an announcement that has not finished; a running sender stops within ~1 s.

        Rows not sent yet stay ``pending`` (the report shows them as not delivered).
        """
        return await self._transition(announcement_id, AnnouncementStatus.CANCELLED, _CANCELLABLE)

    async def _transition(
        self,
        announcement_id: int,
        new: AnnouncementStatus,
        allowed_from: Iterable[AnnouncementStatus],
    ) -> bool:
        if not _valid_id(announcement_id):
            return False
        finished = (
            utcnow() if new in (AnnouncementStatus.DONE, AnnouncementStatus.CANCELLED) else None
        )
        statement = (
            update(announcements)
            .where(
                _announcement(announcement_id),
                announcements.c.status.in_([s.value for s in allowed_from]),
            )
            .values(
                status=new.value,
                finished_at=func.coalesce(finished, announcements.c.finished_at),
            )
        )
        async with self._write() as conn:
            return (await conn.execute(statement)).rowcount > 0

    async def runnable(self, now: float) -> list[int]:
        """Announcements a process should work on: scheduled and due, sending without a
        live lease (their coordinator died), or sending with rows left to claim (any
        process may help drain them)."""
        a = announcements.c
        due = _iso(datetime.fromtimestamp(now, UTC))
        claimable = (
            select(outbox.c.user_id)
            .where(outbox.c.announcement_id == a.id, outbox.c.status == "pending")
            .exists()
        )
        statement = (
            select(a.id)
            .where(
                or_(
                    and_(a.status == "scheduled", or_(a.send_at.is_(None), a.send_at <= due)),
                    and_(
                        a.status == "sending",
                        or_(a.lease_until.is_(None), a.lease_until < now, claimable),
                    ),
                )
            )
            .order_by(a.id)
        )
        async with self._read() as conn:
            return [int(i) for i in (await conn.execute(statement)).scalars()]

    # -- the outbox ----------------------------------------------------------------
    async def enqueue(self, announcement_id: int, recipients: Iterable[Recipient]) -> int:
        """Add a row per recipient (idempotent: existing rows are left alone).

        Users whose language has no text (and no usable fallback) go straight to
        ``skipped``. Returns the number of rows added.
        """
        async with self._write() as conn:
            return await self._enqueue(conn, announcement_id, recipients)

    async def _enqueue(
        self, conn: AsyncConnection, announcement_id: int, recipients: Iterable[Recipient]
    ) -> int:
        row = (
            await conn.execute(select(announcements).where(_announcement(announcement_id)))
        ).first()
        if row is None:
            raise LookupError(f"no announcement {announcement_id}")
        announcement = Announcement.from_row(row._mapping)
        now = utcnow()
        rows = [
            {
                "announcement_id": announcement_id,
                "user_id": r.user_id,
                "lang": r.lang,
                "status": RowStatus.PENDING.value
                if announcement.text_language(r.lang) is not None
                else RowStatus.SKIPPED.value,
                "updated_at": now,
            }
            for r in recipients
        ]
        added = 0
        for start in range(0, len(rows), _INSERT_CHUNK):
            statement = upsert(conn, outbox).values(rows[start : start + _INSERT_CHUNK])
            result = await conn.execute(
                statement.on_conflict_do_nothing().returning(outbox.c.user_id)
            )
            added += len(result.all())
        return added

    async def begin(self, announcement_id: int, recipients: Iterable[Recipient]) -> int:
        """Enqueue the audience and mark the announcement ``sending`` in one transaction."""
        async with self._write() as conn:
            added = await self._enqueue(conn, announcement_id, recipients)
            await conn.execute(
                update(announcements)
                .where(
                    _announcement(announcement_id),
                    announcements.c.status.in_(
                        ("draft", "scheduled", "awaiting_approval", "sending")
                    ),
                )
                .values(
                    status="sending",
                    started_at=func.coalesce(announcements.c.started_at, utcnow()),
                )
            )
        return added

    async def claim(
        self, announcement_id: int, n: int, now: float, *, owner: str = "", ttl: float = 60.0
    ) -> list[OutboxRow]:
        """Atomically move up to `n` due pending rows to ``sending``, claimed by `owner`
        until ``now + ttl`` (renewed while it works: `renew_claims`), and return them.

        Several processes may claim at once: on SQLite the transaction holds the write
        lock (``BEGIN IMMEDIATE``); on PostgreSQL the chosen rows are locked and rows
        another claimer holds are skipped (``FOR UPDATE SKIP LOCKED``)."""
        o = outbox.c
        due = (
            select(o.user_id)
            .where(o.announcement_id == announcement_id, o.status == "pending", o.not_before <= now)
            .order_by(o.not_before)
            .limit(n)
        )
        async with self._write() as conn:
            if conn.dialect.name == "postgresql":
                # Chosen once, in a CTE: a LIMIT subquery inside IN (...) may be run again
                # for every row the update visits, and then takes far more than `n`.
                chosen = due.with_for_update(skip_locked=True).cte("chosen")
                match = [o.user_id == chosen.c.user_id]
            else:
                match = [o.user_id.in_(due.scalar_subquery())]
            statement = (
                update(outbox)
                .where(o.announcement_id == announcement_id, o.status == "pending", *match)
                .values(
                    status="sending", claimed_by=owner, claimed_until=now + ttl, updated_at=utcnow()
                )
                .returning(o.user_id, o.lang, o.attempts)
            )
            rows = (await conn.execute(statement)).all()
        return [OutboxRow(int(uid), str(lang), int(attempts)) for uid, lang, attempts in rows]

    async def record(
        self, announcement_id: int, outcomes: Sequence[Outcome], owner: str | None = None
    ) -> None:
        """Write what Telegram answered for claimed rows, in one transaction.

        ``blocked`` also marks the user blocked and deletes their subscriptions; a
        ``pending`` outcome is a retry, claimable again from ``not_before``. Senders
        batch the outcomes of concurrent sends here (group commit). With `owner`, only
        rows still claimed by it are written (a row whose claim expired and was taken
        by another process is that process's now).
        """
        mine = " AND claimed_by = :owner" if owner is not None else ""
        if not outcomes:
            return
        now = utcnow()
        blocked = [o.user_id for o in outcomes if o.status is RowStatus.BLOCKED]
        async with self._write() as conn:
            await conn.execute(
                text(
                    "UPDATE outbox SET status = :status, attempts = attempts + 1, "
                    "last_error = COALESCE(:error, last_error), message_id = :message_id, "
                    "not_before = COALESCE(:not_before, not_before), claimed_by = NULL, "
                    "claimed_until = NULL, updated_at = :now "
                    "WHERE announcement_id = :aid AND user_id = :uid AND status = 'sending'" + mine
                ),
                [
                    {
                        "status": o.status.value,  # pending: a retry from `not_before`
                        "error": _clip(o.error),
                        "message_id": o.message_id,
                        "not_before": o.not_before if o.status is RowStatus.PENDING else None,
                        "now": now,
                        "aid": announcement_id,
                        "uid": o.user_id,
                        **({"owner": owner} if owner is not None else {}),
                    }
                    for o in outcomes
                ],
            )
            if blocked:
                await conn.execute(
                    update(users).where(users.c.id.in_(blocked)).values(blocked=True)
                )
                self._stale(conn, *map(cache_key, blocked))
                await conn.execute(
                    delete(subscriptions).where(subscriptions.c.user_id.in_(blocked))
                )

    async def release(
        self, announcement_id: int, user_ids: Iterable[int], owner: str | None = None
    ) -> int:
        """Give claimed rows that were never tried back (no attempt used); with `owner`,
        only rows it still holds."""
        ids = list(user_ids)
        if not ids:
            return 0
        statement = (
            update(outbox)
            .where(
                outbox.c.announcement_id == announcement_id,
                outbox.c.user_id.in_(ids),
                outbox.c.status == "sending",
                *([outbox.c.claimed_by == owner] if owner is not None else []),
            )
            .values(**_back_to_pending())
        )
        async with self._write() as conn:
            return int((await conn.execute(statement)).rowcount)

    async def recover(self, announcement_id: int, now: float | None = None) -> int:
        """``sending`` -> ``pending`` for rows whose claim expired before `now` (their
        claimant died: they may or may not have gone out), or for every row when `now` is
        None (when no sender of the announcement can be alive)."""
        o = outbox.c
        expired = [or_(o.claimed_until.is_(None), o.claimed_until < now)] if now is not None else []
        statement = (
            update(outbox)
            .where(o.announcement_id == announcement_id, o.status == "sending", *expired)
            .values(**_back_to_pending())
        )
        async with self._write() as conn:
            return int((await conn.execute(statement)).rowcount)

    async def renew_claims(self, announcement_id: int, owner: str, until: float) -> int:
        """Extend the claims `owner` holds (it is alive and still sending them).

        Rows being recorded meanwhile (by this owner's recorder, on another connection)
        are skipped, not waited for: they are leaving ``sending`` anyway, and waiting
        for them while holding others is how two multi-row updates deadlock on
        PostgreSQL (seen under load)."""
        held = (
            select(outbox.c.user_id)
            .where(*_held(announcement_id, owner))
            .order_by(outbox.c.user_id)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(outbox)
            .where(outbox.c.announcement_id == announcement_id, outbox.c.user_id.in_(held))
            .values(claimed_until=until)
        )
        async with self._write() as conn:
            return int((await conn.execute(statement)).rowcount)

    async def release_claims(self, announcement_id: int, owner: str) -> int:
        """Every row `owner` still holds back to ``pending`` (it stops)."""
        statement = (
            update(outbox).where(*_held(announcement_id, owner)).values(**_back_to_pending())
        )
        async with self._write() as conn:
            return int((await conn.execute(statement)).rowcount)

    async def in_flight(self, announcement_id: int) -> int:
        """Rows claimed and not yet recorded, by any process."""
        statement = select(func.count()).where(
            outbox.c.announcement_id == announcement_id, outbox.c.status == "sending"
        )
        async with self._read() as conn:
            return int((await conn.execute(statement)).scalar_one())

    async def backlog(self) -> int:
        """Rows of every announcement still to send (pending or being sent)."""
        statement = select(func.count()).where(outbox.c.status.in_(("pending", "sending")))
        async with self._read() as conn:
            return int((await conn.execute(statement)).scalar_one())

    async def pending(self, announcement_id: int) -> tuple[int, float | None]:
        """Pending rows, and the earliest time one of them may be claimed."""
        statement = select(func.count(), func.min(outbox.c.not_before)).where(
            outbox.c.announcement_id == announcement_id, outbox.c.status == "pending"
        )
        async with self._read() as conn:
            n, earliest = (await conn.execute(statement)).one()
        return int(n), (float(earliest) if earliest is not None else None)

    async def finish(self, announcement_id: int) -> bool:
        """sending -> done, when no row is left to send."""
        left = (
            select(outbox.c.user_id)
            .where(
                outbox.c.announcement_id == announcement_id,
                outbox.c.status.in_(("pending", "sending")),
            )
            .exists()
        )
        statement = (
            update(announcements)
            .where(_announcement(announcement_id), announcements.c.status == "sending", ~left)
            .values(status="done", finished_at=utcnow())
        )
        async with self._write() as conn:
            return (await conn.execute(statement)).rowcount > 0

    async def counts(self, announcement_id: int) -> Counts:
        result: Counts = {}
        statement = (
            select(outbox.c.lang, outbox.c.status, func.count())
            .where(outbox.c.announcement_id == announcement_id)
            .group_by(outbox.c.lang, outbox.c.status)
        )
        async with self._read() as conn:
            for lang, status, n in (await conn.execute(statement)).all():
                result.setdefault(str(lang), {})[RowStatus(status)] = int(n)
        return result

    # -- the lease -----------------------------------------------------------------
    async def acquire_lease(self, announcement_id: int, owner: str, ttl: float, now: float) -> bool:
        """Take the lease if it is free, expired or already ours, until ``now + ttl``."""
        a = announcements.c
        statement = (
            update(announcements)
            .where(
                _announcement(announcement_id),
                or_(
                    a.lease_owner.is_(None),
                    a.lease_until.is_(None),
                    a.lease_until < now,
                    a.lease_owner == owner,
                ),
            )
            .values(lease_owner=owner, lease_until=now + ttl)
        )
        async with self._write() as conn:
            return (await conn.execute(statement)).rowcount > 0

    async def renew_lease(self, announcement_id: int, owner: str, ttl: float, now: float) -> bool:
        """Extend our lease; False if someone else holds it now."""
        statement = (
            update(announcements)
            .where(_announcement(announcement_id), announcements.c.lease_owner == owner)
            .values(lease_until=now + ttl)
        )
        async with self._write() as conn:
            return (await conn.execute(statement)).rowcount > 0

    async def release_lease(self, announcement_id: int, owner: str) -> bool:
        statement = (
            update(announcements)
            .where(_announcement(announcement_id), announcements.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )
        async with self._write() as conn:
            return (await conn.execute(statement)).rowcount > 0

    async def recent(self, limit: int = 10) -> list[int]:
        """Ids of the latest announcements, newest first."""
        statement = select(announcements.c.id).order_by(announcements.c.id.desc()).limit(limit)
        async with self._read() as conn:
            return [int(i) for i in (await conn.execute(statement)).scalars()]


def _held(announcement_id: int, owner: str) -> list[ColumnElement[bool]]:
    """The rows of an announcement that `owner` has claimed and not recorded."""
    o = outbox.c
    return [o.announcement_id == announcement_id, o.status == "sending", o.claimed_by == owner]


def _back_to_pending() -> dict[str, object]:
    """A claimed row given back: claimable again, by anyone."""
    return {"status": "pending", "claimed_by": None, "claimed_until": None, "updated_at": utcnow()}


def _announcement(announcement_id: int) -> ColumnElement[bool]:
    return announcements.c.id == announcement_id


def _valid_id(announcement_id: int) -> bool:
    """Ids come from buttons too: one no row can have is not looked up (PostgreSQL would
    refuse a number beyond its integer range)."""
    return 0 < announcement_id <= _MAX_ID


def _clip(error: str | None) -> str | None:
    return error[:500] if error else None


def _iso(moment: datetime) -> str:
    """UTC ISO-8601 text (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")
