"""What the bot does to its data, one unit of work each, with its audit record.

Handlers parse input, call a service and render; services never see the Bot API, so
they are tested on a temporary database alone (`tests/test_services.py`). `Services`
bundles those that need only the database; the dispatcher injects it as ``services``,
and `DocumentService` (which also builds the knowledge base) as ``documents``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.announcements import AnnouncementService
from bot.services.consular import ConsularService
from bot.services.documents import DocumentService
from bot.services.moderators import ModeratorService
from bot.services.users import UserService
from bot.storage.database import Database

__all__ = [
    "AnnouncementService",
    "ConsularService",
    "DocumentService",
    "ModeratorService",
    "Services",
    "UserService",
]


@dataclass(frozen=True, slots=True)
class Services:
    announcements: AnnouncementService
    consular: ConsularService
    moderators: ModeratorService
    users: UserService

    @classmethod
    def create(cls, db: Database) -> Services:
        return cls(
            announcements=AnnouncementService(db),
            consular=ConsularService(db),
            moderators=ModeratorService(db),
            users=UserService(db),
        )
