"""Values shared by the broadcast modules: statuses, audiences, announcements."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from bot.config import LOCALES

MAX_TEXT = 4096  # Telegram's limit for a message, counted after HTML parsing
MAX_CAPTION = 1024  # ... and for a photo caption


class AnnouncementStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    AWAITING_APPROVAL = "awaiting_approval"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class RowStatus(StrEnum):
    """An outbox row: pending -> sending -> one of the final states."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    SKIPPED = "skipped"


FINAL_ROW_STATUSES = frozenset(
    {RowStatus.SENT, RowStatus.BLOCKED, RowStatus.FAILED, RowStatus.SKIPPED}
)


class AudienceKind(StrEnum):
    ALL = "all"  # everyone who has not blocked the bot
    LANGUAGE = "language"  # users whose language is `key` (ru, kk, en)
    REGION = "region"  # subscribers of region `key`
    TOPIC = "topic"  # subscribers of topic `key`
    #: subscribers of region `key` who have not turned reminders off (`bot.reminders`)
    REGION_REMINDER = "region_reminder"


@dataclass(frozen=True, slots=True)
class Audience:
    kind: AudienceKind
    key: str | None = None

    def __post_init__(self) -> None:
        if self.kind is AudienceKind.ALL:
            if self.key is not None:
                raise ValueError("audience 'all' takes no key")
        elif not self.key:
            raise ValueError(f"audience {self.kind.value!r} needs a key")
        if self.kind is AudienceKind.LANGUAGE and self.key not in LOCALES:
            raise ValueError(f"unknown language {self.key!r}")

    @classmethod
    def everyone(cls) -> Audience:
        return cls(AudienceKind.ALL)

    @classmethod
    def language(cls, lang: str) -> Audience:
        return cls(AudienceKind.LANGUAGE, lang)

    @classmethod
    def region(cls, key: str) -> Audience:
        return cls(AudienceKind.REGION, key)

    @classmethod
    def topic(cls, key: str) -> Audience:
        return cls(AudienceKind.TOPIC, key)

    @classmethod
    def region_reminder(cls, key: str) -> Audience:
        return cls(AudienceKind.REGION_REMINDER, key)

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind.value, "key": self.key}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Audience:
        data = json.loads(text)
        return cls(AudienceKind(data["kind"]), data.get("key"))


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    lang: str


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    created_by: int | None
    created_at: str
    status: AnnouncementStatus
    audience: Audience
    texts: dict[str, str] = field(default_factory=dict)
    fallback: str | None = None
    photo: str | None = None
    link: str | None = None
    send_at: str | None = None
    approved_by: int | None = None
    lease_owner: str | None = None
    lease_until: float | None = None
    started_at: str | None = None
    finished_at: str | None = None

    def text_language(self, lang: str) -> str | None:
        """The language of the text a user speaking `lang` gets, or None (skip them)."""
        if self.texts.get(lang, "").strip():
            return lang
        if self.fallback is not None and self.texts.get(self.fallback, "").strip():
            return self.fallback
        return None

    @classmethod
    def from_row(cls, row: Any) -> Announcement:
        return cls(
            id=row["id"],
            created_by=row["created_by"],
            created_at=row["created_at"],
            status=AnnouncementStatus(row["status"]),
            audience=Audience.from_json(row["audience"]),
            texts=dict(json.loads(row["texts"])),
            fallback=row["fallback"],
            photo=row["photo"],
            link=row["link"],
            send_at=row["send_at"],
            approved_by=row["approved_by"],
            lease_owner=row["lease_owner"],
            lease_until=row["lease_until"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
        )


def validate_content(
    texts: dict[str, str], *, fallback: str | None, photo: str | None, link: str | None
) -> dict[str, str]:
    """Check what a moderator entered; returns the texts without empty languages.

    Texts are plain: the sender escapes them for HTML, so the limits apply to them as
    they are (Telegram counts characters after parsing the markup).
    """
    unknown = set(texts) - set(LOCALES)
    if unknown:
        raise ValueError(f"unknown languages: {', '.join(sorted(unknown))}")
    kept = {lang: text.strip() for lang, text in texts.items() if text.strip()}
    if not kept:
        raise ValueError("an announcement needs a text in at least one language")
    if fallback is not None and fallback not in kept:
        raise ValueError(f"the fallback language {fallback!r} has no text")
    limit = MAX_CAPTION if photo else MAX_TEXT
    for lang, text in kept.items():
        if len(text) > limit:
            raise ValueError(f"the {lang} text has {len(text)} characters; the limit is {limit}")
    if link is not None:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("the link must be an http(s) URL")
    return kept
