"""Delivery reports: counts by status and by language, live or final.

:func:`snapshot` reads them from the outbox, so any process can report on any
announcement; :func:`watch` yields snapshots for a moderator's progress message
(edit it at most every few seconds) until the announcement is finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.broadcast.models import AnnouncementStatus, RowStatus
from bot.broadcast.outbox import Counts, OutboxRepo


@dataclass(frozen=True, slots=True)
class LanguageCounts:
    delivered: int = 0
    blocked: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0  # not final yet: pending or being sent

    @property
    def total(self) -> int:
        return self.delivered + self.blocked + self.failed + self.skipped + self.pending

    @classmethod
    def from_statuses(cls, by_status: dict[RowStatus, int]) -> LanguageCounts:
        return cls(
            delivered=by_status.get(RowStatus.SENT, 0),
            blocked=by_status.get(RowStatus.BLOCKED, 0),
            failed=by_status.get(RowStatus.FAILED, 0),
            skipped=by_status.get(RowStatus.SKIPPED, 0),
            pending=by_status.get(RowStatus.PENDING, 0) + by_status.get(RowStatus.SENDING, 0),
        )


@dataclass(frozen=True, slots=True)
class Report:
    """Where an announcement stands. ``duration`` is this run's, in seconds."""

    announcement_id: int
    status: AnnouncementStatus
    delivered: int = 0
    blocked: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0
    by_language: dict[str, LanguageCounts] = field(default_factory=dict)
    duration: float = 0.0

    @property
    def total(self) -> int:
        return self.delivered + self.blocked + self.failed + self.skipped + self.pending

    @property
    def finished(self) -> bool:
        """Nothing will change any more (done, or cancelled)."""
        return self.status in (AnnouncementStatus.DONE, AnnouncementStatus.CANCELLED)

    @property
    def done_share(self) -> float:
        """Share of rows that reached a final state, 0..1 (for a progress bar)."""
        return 1.0 if self.total == 0 else (self.total - self.pending) / self.total

    @classmethod
    def from_counts(
        cls,
        announcement_id: int,
        status: AnnouncementStatus,
        counts: Counts,
        duration: float = 0.0,
    ) -> Report:
        by_language = {
            lang: LanguageCounts.from_statuses(statuses)
            for lang, statuses in sorted(counts.items())
        }
        return cls(
            announcement_id=announcement_id,
            status=status,
            delivered=sum(c.delivered for c in by_language.values()),
            blocked=sum(c.blocked for c in by_language.values()),
            failed=sum(c.failed for c in by_language.values()),
            skipped=sum(c.skipped for c in by_language.values()),
            pending=sum(c.pending for c in by_language.values()),
            by_language=by_language,
            duration=duration,
        )

    def final_numbers(self) -> dict[str, Any]:
        """Plain numbers for the final report (JSON-ready)."""
        return {
            "announcement_id": self.announcement_id,
            "status": self.status.value,
            "total": self.total,
            "delivered": self.delivered,
            "blocked": self.blocked,
            "failed": self.failed,
            "skipped": self.skipped,
            "pending": self.pending,
            "by_language": {lang: asdict(c) for lang, c in self.by_language.items()},
            "duration_s": round(self.duration, 3),
        }


async def snapshot(repo: OutboxRepo, announcement_id: int, duration: float = 0.0) -> Report:
    status = await repo.status(announcement_id)
    if status is None:
        raise LookupError(f"no announcement {announcement_id}")
    return Report.from_counts(announcement_id, status, await repo.counts(announcement_id), duration)


async def watch(
    repo: OutboxRepo, announcement_id: int, *, interval: float = 3.0
) -> AsyncIterator[Report]:
    """Yield a report whenever the numbers changed, at most every `interval` seconds,
    and a last one once the announcement is finished (done or cancelled)."""
    last: Report | None = None
    while True:
        report = await snapshot(repo, announcement_id)
        if last is None or _changed(last, report):
            yield report
            last = report
        if report.finished:
            return
        await asyncio.sleep(interval)


def _changed(a: Report, b: Report) -> bool:
    return (a.status, a.by_language) != (b.status, b.by_language)
