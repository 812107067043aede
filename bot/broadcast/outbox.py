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

import asyncio
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosqlite

from bot.broadcast.models import (
    Announcement,
    AnnouncementStatus,
    Audience,
    Recipient,
    RowStatus,
    validate_content,
)
from bot.storage.users import utcnow

_COMMIT_RETRIES = 50

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


class OutboxRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def _commit(self) -> None:
        """Commit, waiting out another coroutine's half-read ``... RETURNING`` statement
        on the shared connection (SQLite refuses to commit while one is pending).

        Statements with ``RETURNING`` here run through ``execute_fetchall`` (one hop on
        the connection's thread), so this repository never leaves one pending itself.
        """
        for attempt in range(_COMMIT_RETRIES):
            try:
                await self.conn.commit()
                return
            except sqlite3.OperationalError as exc:
                if "in progress" not in str(exc) or attempt == _COMMIT_RETRIES - 1:
                    raise
                await asyncio.sleep(0.001 * (attempt + 1))

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
        rows = await self.conn.execute_fetchall(
            """
            INSERT INTO announcements
                (created_by, created_at, status, audience, texts, fallback, photo, link, send_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING *
            """,
            (
                created_by,
                utcnow(),
                status.value,
                audience.to_json(),
                json.dumps(kept, ensure_ascii=False),
                fallback,
                photo,
                link,
                _iso(send_at) if send_at is not None else None,
            ),
        )
        await self._commit()
        [row] = rows
        return Announcement.from_row(row)

    async def get(self, announcement_id: int) -> Announcement | None:
        async with self.conn.execute(
            "SELECT * FROM announcements WHERE id = ?", (announcement_id,)
        ) as cur:
            row = await cur.fetchone()
        return Announcement.from_row(row) if row else None

    async def status(self, announcement_id: int) -> AnnouncementStatus | None:
        async with self.conn.execute(
            "SELECT status FROM announcements WHERE id = ?", (announcement_id,)
        ) as cur:
            row = await cur.fetchone()
        return AnnouncementStatus(row[0]) if row else None

    async def submit(self, announcement_id: int) -> bool:
        """draft -> awaiting_approval."""
        return await self._transition(
            announcement_id, AnnouncementStatus.AWAITING_APPROVAL, (AnnouncementStatus.DRAFT,)
        )

    async def approve(
        self, announcement_id: int, approved_by: int, send_at: datetime | None = None
    ) -> bool:
        """draft/awaiting_approval -> scheduled (due at `send_at`, or now when None)."""
        cur = await self.conn.execute(
            """
            UPDATE announcements SET status = 'scheduled', approved_by = ?, send_at = ?
            WHERE id = ? AND status IN ('draft', 'awaiting_approval')
            """,
            (approved_by, _iso(send_at) if send_at is not None else None, announcement_id),
        )
        await self._commit()
        return cur.rowcount > 0

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
        allowed = [s.value for s in allowed_from]
        marks = ", ".join("?" for _ in allowed)
        finished = (
            utcnow() if new in (AnnouncementStatus.DONE, AnnouncementStatus.CANCELLED) else None
        )
        cur = await self.conn.execute(
            f"""
            UPDATE announcements SET status = ?, finished_at = COALESCE(?, finished_at)
            WHERE id = ? AND status IN ({marks})
            """,
            (new.value, finished, announcement_id, *allowed),
        )
        await self._commit()
        return cur.rowcount > 0

    async def runnable(self, now: float) -> list[int]:
        """Announcements a runner should pick up: scheduled and due, or sending without a
        live lease (their runner died)."""
        async with self.conn.execute(
            """
            SELECT id FROM announcements
            WHERE (status = 'scheduled' AND (send_at IS NULL OR send_at <= ?))
               OR (status = 'sending' AND (lease_until IS NULL OR lease_until < ?))
            ORDER BY id
            """,
            (_iso(datetime.fromtimestamp(now, UTC)), now),
        ) as cur:
            return [int(row[0]) async for row in cur]

    # -- the outbox ----------------------------------------------------------------
    async def enqueue(
        self, announcement_id: int, recipients: Iterable[Recipient], *, commit: bool = True
    ) -> int:
        """Add a row per recipient (idempotent: existing rows are left alone).

        Users whose language has no text (and no usable fallback) go straight to
        ``skipped``. Returns the number of rows added.
        """
        announcement = await self.get(announcement_id)
        if announcement is None:
            raise LookupError(f"no announcement {announcement_id}")
        now = utcnow()
        rows = [
            (
                announcement_id,
                r.user_id,
                r.lang,
                RowStatus.PENDING.value
                if announcement.text_language(r.lang) is not None
                else RowStatus.SKIPPED.value,
                now,
            )
            for r in recipients
        ]
        cur = await self.conn.executemany(
            """
            INSERT INTO outbox (announcement_id, user_id, lang, status, updated_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (announcement_id, user_id) DO NOTHING
            """,
            rows,
        )
        added = cur.rowcount
        if commit:
            await self._commit()
        return added

    async def begin(self, announcement_id: int, recipients: Iterable[Recipient]) -> int:
        """Enqueue the audience and mark the announcement ``sending`` in one transaction."""
        added = await self.enqueue(announcement_id, recipients, commit=False)
        await self.conn.execute(
            """
            UPDATE announcements SET status = 'sending', started_at = COALESCE(started_at, ?)
            WHERE id = ? AND status IN ('draft', 'scheduled', 'awaiting_approval', 'sending')
            """,
            (utcnow(), announcement_id),
        )
        await self._commit()
        return added

    async def claim(self, announcement_id: int, n: int, now: float) -> list[OutboxRow]:
        """Atomically move up to `n` due pending rows to ``sending`` and return them."""
        rows = await self.conn.execute_fetchall(
            """
            UPDATE outbox SET status = 'sending', updated_at = ?
            WHERE announcement_id = ? AND status = 'pending' AND user_id IN (
                SELECT user_id FROM outbox
                WHERE announcement_id = ? AND status = 'pending' AND not_before <= ?
                ORDER BY not_before
                LIMIT ?
            )
            RETURNING user_id, lang, attempts
            """,
            (utcnow(), announcement_id, announcement_id, now, n),
        )
        await self._commit()
        return [OutboxRow(int(r[0]), str(r[1]), int(r[2])) for r in rows]

    async def record(self, announcement_id: int, outcomes: Sequence[Outcome]) -> None:
        """Write what Telegram answered for claimed rows, in one transaction.

        ``blocked`` also marks the user blocked and deletes their subscriptions; a
        ``pending`` outcome is a retry, claimable again from ``not_before``. Senders
        batch the outcomes of concurrent sends here (group commit).
        """
        if not outcomes:
            return
        now = utcnow()
        final = [o for o in outcomes if o.status is not RowStatus.PENDING]
        retries = [o for o in outcomes if o.status is RowStatus.PENDING]
        blocked = [(o.user_id,) for o in outcomes if o.status is RowStatus.BLOCKED]
        if final:
            await self.conn.executemany(
                """
                UPDATE outbox SET status = ?, attempts = attempts + 1,
                    last_error = COALESCE(?, last_error), message_id = ?, updated_at = ?
                WHERE announcement_id = ? AND user_id = ? AND status = 'sending'
                """,
                [
                    (o.status.value, _clip(o.error), o.message_id, now, announcement_id, o.user_id)
                    for o in final
                ],
            )
        if retries:
            await self.conn.executemany(
                """
                UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = ?,
                    not_before = ?, updated_at = ?
                WHERE announcement_id = ? AND user_id = ? AND status = 'sending'
                """,
                [(_clip(o.error), o.not_before, now, announcement_id, o.user_id) for o in retries],
            )
        if blocked:
            await self.conn.executemany("UPDATE users SET blocked = 1 WHERE id = ?", blocked)
            await self.conn.executemany("DELETE FROM subscriptions WHERE user_id = ?", blocked)
        await self._commit()

    async def release(self, announcement_id: int, user_ids: Iterable[int]) -> int:
        """Give claimed rows that were never tried back (no attempt used)."""
        ids = list(user_ids)
        if not ids:
            return 0
        cur = await self.conn.executemany(
            """
            UPDATE outbox SET status = 'pending', updated_at = ?
            WHERE announcement_id = ? AND user_id = ? AND status = 'sending'
            """,
            [(utcnow(), announcement_id, user_id) for user_id in ids],
        )
        await self._commit()
        return cur.rowcount

    async def recover(self, announcement_id: int) -> int:
        """``sending`` -> ``pending`` for every row: call it holding the lease, when no
        sender of this announcement is alive (their rows may or may not have gone out)."""
        cur = await self.conn.execute(
            """
            UPDATE outbox SET status = 'pending', updated_at = ?
            WHERE announcement_id = ? AND status = 'sending'
            """,
            (utcnow(), announcement_id),
        )
        await self._commit()
        return cur.rowcount

    async def pending(self, announcement_id: int) -> tuple[int, float | None]:
        """Pending rows, and the earliest time one of them may be claimed."""
        async with self.conn.execute(
            """
            SELECT COUNT(*), MIN(not_before) FROM outbox
            WHERE announcement_id = ? AND status = 'pending'
            """,
            (announcement_id,),
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return int(row[0]), (float(row[1]) if row[1] is not None else None)

    async def finish(self, announcement_id: int) -> bool:
        """sending -> done, when no row is left to send."""
        cur = await self.conn.execute(
            """
            UPDATE announcements SET status = 'done', finished_at = ?
            WHERE id = ? AND status = 'sending' AND NOT EXISTS (
                SELECT 1 FROM outbox WHERE announcement_id = ? AND status IN ('pending', 'sending')
            )
            """,
            (utcnow(), announcement_id, announcement_id),
        )
        await self._commit()
        return cur.rowcount > 0

    async def counts(self, announcement_id: int) -> Counts:
        result: Counts = {}
        async with self.conn.execute(
            """
            SELECT lang, status, COUNT(*) FROM outbox
            WHERE announcement_id = ? GROUP BY lang, status
            """,
            (announcement_id,),
        ) as cur:
            async for lang, status, n in cur:
                result.setdefault(str(lang), {})[RowStatus(status)] = int(n)
        return result

    # -- the lease -----------------------------------------------------------------
    async def acquire_lease(self, announcement_id: int, owner: str, ttl: float, now: float) -> bool:
        """Take the lease if it is free, expired or already ours, until ``now + ttl``."""
        cur = await self.conn.execute(
            """
            UPDATE announcements SET lease_owner = ?, lease_until = ?
            WHERE id = ? AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until < ?
                              OR lease_owner = ?)
            """,
            (owner, now + ttl, announcement_id, now, owner),
        )
        await self._commit()
        return cur.rowcount > 0

    async def renew_lease(self, announcement_id: int, owner: str, ttl: float, now: float) -> bool:
        """Extend our lease; False if someone else holds it now."""
        cur = await self.conn.execute(
            "UPDATE announcements SET lease_until = ? WHERE id = ? AND lease_owner = ?",
            (now + ttl, announcement_id, owner),
        )
        await self._commit()
        return cur.rowcount > 0

    async def release_lease(self, announcement_id: int, owner: str) -> bool:
        cur = await self.conn.execute(
            """
            UPDATE announcements SET lease_owner = NULL, lease_until = NULL
            WHERE id = ? AND lease_owner = ?
            """,
            (announcement_id, owner),
        )
        await self._commit()
        return cur.rowcount > 0

    async def recent(self, limit: int = 10) -> list[int]:
        """Ids of the latest announcements, newest first."""
        async with self.conn.execute(
            "SELECT id FROM announcements ORDER BY id DESC LIMIT ?", (limit,)
        ) as cur:
            return [int(row[0]) async for row in cur]


def _clip(error: str | None) -> str | None:
    return error[:500] if error else None


def _iso(moment: datetime) -> str:
    """UTC ISO-8601 text (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")
