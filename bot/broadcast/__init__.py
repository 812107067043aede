"""Broadcasts: announcements sent to many users through a SQLite outbox.

* ``models``: statuses, :class:`Audience`, :class:`Announcement`, content checks.
* ``outbox``: the repository (announcements, rows, claiming, the runner lease).
* ``audience``: who an audience means (blocked users never included).
* ``ratelimit``: the process-wide send limiter (429 pauses every sender).
* ``message``: the text in a user's language, escaped for HTML, link button.
* ``sender``: :func:`run_broadcast`, the workers and the keeper.
* ``report``: counts by status and language, :func:`watch` for progress messages.

``sender`` (and with it aiogram, seconds of pydantic schema building) is imported only
when one of its names is first used, so the CLI's `eval` and `kb` commands, which reach
the outbox through the services, start without it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from bot.broadcast.sender import (
        DEFAULT_RATE,
        BroadcastAborted,
        BroadcastBusy,
        BroadcastError,
        BroadcastNotReady,
        run_broadcast,
    )

_FROM_SENDER = frozenset(
    {
        "DEFAULT_RATE",
        "BroadcastAborted",
        "BroadcastBusy",
        "BroadcastError",
        "BroadcastNotReady",
        "run_broadcast",
    }
)


def __getattr__(name: str) -> Any:
    if name in _FROM_SENDER:
        return getattr(importlib.import_module("bot.broadcast.sender"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
