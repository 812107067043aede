"""Broadcasts: announcements sent to many users through a SQLite outbox.

* ``models``: statuses, :class:`Audience`, :class:`Announcement`, content checks.
* ``outbox``: the repository (announcements, rows, claiming, the runner lease).
* ``audience``: who an audience means (blocked users never included).
* ``ratelimit``: the process-wide send limiter (429 pauses every sender).
* ``message``: the text in a user's language, escaped for HTML, link button.
* ``sender``: :func:`run_broadcast`, the workers and the keeper.
* ``report``: counts by status and language, :func:`watch` for progress messages.
"""

from __future__ import annotations

from bot.broadcast.models import (
    Announcement,
    AnnouncementStatus,
    Audience,
    AudienceKind,
    Recipient,
    RowStatus,
)
from bot.broadcast.outbox import OutboxRepo, OutboxRow
from bot.broadcast.ratelimit import RateLimiter
from bot.broadcast.report import LanguageCounts, Report, snapshot, watch
from bot.broadcast.sender import (
    DEFAULT_RATE,
    BroadcastAborted,
    BroadcastBusy,
    BroadcastError,
    BroadcastNotReady,
    run_broadcast,
)

__all__ = [
    "DEFAULT_RATE",
    "Announcement",
    "AnnouncementStatus",
    "Audience",
    "AudienceKind",
    "BroadcastAborted",
    "BroadcastBusy",
    "BroadcastError",
    "BroadcastNotReady",
    "LanguageCounts",
    "OutboxRepo",
    "OutboxRow",
    "RateLimiter",
    "Recipient",
    "Report",
    "RowStatus",
    "run_broadcast",
    "snapshot",
    "watch",
]
