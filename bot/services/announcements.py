"""Announcements: confirmed by their author (queued, or waiting for a second moderator),
approved or rejected by another moderator, cancelled. Each step and its audit record are
one unit of work."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.broadcast.models import Announcement, AnnouncementStatus, Audience
from bot.broadcast.outbox import OutboxRepo
from bot.storage.database import Database
from bot.storage.roles import AuditRepo


class Review(StrEnum):
    """What became of a second moderator's approval or rejection."""

    done = "done"
    missing = "missing"  # no such announcement
    own = "own"  # its author cannot review it
    not_waiting = "not_waiting"  # no longer waiting for approval


class AnnouncementService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def confirm(
        self,
        actor: int,
        *,
        audience: Audience,
        texts: dict[str, str],
        fallback: str | None,
        photo: str | None,
        link: str | None,
        send_at: datetime | None,
        require_approval: bool,
    ) -> Announcement:
        """Store what the author confirmed: queued for `send_at` (now when None), or
        waiting for a second moderator. Raises ValueError for content that cannot be
        sent (and stores nothing)."""
        async with self.db.transaction() as tx:
            repo, audit = OutboxRepo(tx), AuditRepo(tx)
            announcement = await repo.create(
                audience=audience,
                texts=texts,
                created_by=actor,
                fallback=fallback,
                photo=photo,
                link=link,
                send_at=send_at,
            )
            if require_approval:
                await repo.submit(announcement.id)
                await audit.record(actor, "announcement.submit", id=announcement.id)
            else:
                await repo.approve(announcement.id, approved_by=actor, send_at=send_at)
                await audit.record(
                    actor,
                    "announcement.confirm",
                    id=announcement.id,
                    send_at=send_at.isoformat() if send_at else None,
                )
            stored = await repo.get(announcement.id)
        assert stored is not None
        return stored

    async def record_invalid(self, actor: int, error: str) -> None:
        """A confirmation that could not be stored (the wizard's data was incomplete)."""
        await AuditRepo(self.db).record(actor, "announcement.invalid", error=error)

    async def review(self, actor: int, announcement_id: int, *, approve: bool) -> Review:
        """A second moderator approves (queues it for its time) or rejects it."""
        async with self.db.transaction() as tx:
            repo = OutboxRepo(tx)
            announcement = await repo.get(announcement_id)
            if announcement is None:
                return Review.missing
            if announcement.created_by == actor:
                return Review.own
            if announcement.status is not AnnouncementStatus.AWAITING_APPROVAL:
                return Review.not_waiting
            if approve:
                send_at = (
                    datetime.fromisoformat(announcement.send_at) if announcement.send_at else None
                )
                await repo.approve(announcement_id, approved_by=actor, send_at=send_at)
            else:
                await repo.cancel(announcement_id)
            action = "announcement.approve" if approve else "announcement.reject"
            await AuditRepo(tx).record(actor, action, id=announcement_id)
        return Review.done

    async def cancel(self, actor: int, announcement_id: int) -> bool:
        """Cancel one that has not finished (a running send stops within a second)."""
        async with self.db.transaction() as tx:
            cancelled = await OutboxRepo(tx).cancel(announcement_id)
            if cancelled:
                await AuditRepo(tx).record(actor, "announcement.cancel", id=announcement_id)
        return cancelled
