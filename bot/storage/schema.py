"""The bot's tables, once, for SQLite and PostgreSQL (SQLAlchemy Core).

Migrations (`bot/storage/migrations/`, Alembic) create and change them; repositories
build their statements from these objects, so one code path serves both backends.
Telegram ids are 64-bit (`BigInteger`); the bot's own row ids are `Integer` (an alias
of SQLite's rowid, a serial on PostgreSQL). Timestamps are ISO-8601 UTC text (sortable,
readable, the same on both), lease times unix seconds; JSON is stored as text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)

metadata = MetaData()

#: Who the bot serves: only what it needs (no names or usernames).
users = Table(
    "users",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("locale", Text),
    Column("tg_language", Text),
    Column("first_seen", Text, nullable=False),
    Column("last_seen", Text, nullable=False),
    Column("blocked", Boolean, nullable=False, server_default="0"),
    Column("reminders", Boolean, nullable=False, server_default="1"),  # the day before
)

#: Questions asked (answered or not: the moderators' gaps list) and their feedback.
questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("lang", Text, nullable=False),
    Column("answered", Boolean, nullable=False),
    Column("passage_id", Integer),
    Column("created_at", Text, nullable=False),
    Index("questions_unanswered", "answered", "lang"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("question_id", Integer, ForeignKey("questions.id", ondelete="CASCADE"), nullable=False),
    Column("passage_id", Integer, nullable=False),
    Column("vote", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    PrimaryKeyConstraint("question_id", "passage_id"),
    CheckConstraint("vote IN (-1, 1)", name="feedback_vote"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    PrimaryKeyConstraint("user_id", "kind", "key"),
    CheckConstraint("kind IN ('topic', 'region')", name="subscriptions_kind"),
    Index("subscriptions_by_key", "kind", "key"),
)

#: Consular receptions added by moderators after the KB was built.
receptions = Table(
    "receptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("office_id", Text, nullable=False),
    Column("city_id", Text, nullable=False),
    Column("region_id", Text),
    Column("date", Text, nullable=False),
    Column("services", Text, nullable=False),  # JSON list of service keys
    Column("note", Text, nullable=False),  # JSON {ru, kk, en}
    Column("created_by", BigInteger),
    Column("created_at", Text, nullable=False),
)

#: Consular offices added by moderators (the KB's come from data/consular.toml).
offices = Table(
    "offices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", Text, nullable=False),  # bot.kb.sources.OFFICE_KINDS
    Column("country", Text, nullable=False),  # the state it represents: RU or KZ
    Column("city_id", Text, nullable=False),
    Column("name", Text, nullable=False),  # JSON {ru, kk, en}
    Column("created_by", BigInteger),
    Column("created_at", Text, nullable=False),
)

#: What moderators added to an office or a reception, whether it came from the sources
#: or from a moderator: venue, hours, booking link, contact, map point, services. One row
#: per field, so two moderators editing different fields never overwrite each other.
consular_details = Table(
    "consular_details",
    metadata,
    Column("subject", Text, primary_key=True),  # "office:ID" or "reception:ID"
    Column("field", Text, primary_key=True),  # one of bot.kb.sources.DETAIL_FIELDS
    Column("value", Text, nullable=False),  # JSON
    Column("updated_by", BigInteger),
    Column("updated_at", Text, nullable=False),
)

ANNOUNCEMENT_STATUSES = (
    "draft",
    "scheduled",
    "awaiting_approval",
    "sending",
    "done",
    "cancelled",
)
OUTBOX_STATUSES = ("pending", "sending", "sent", "blocked", "failed", "skipped")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


#: Broadcasts, with the lease of the process running one.
announcements = Table(
    "announcements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_by", BigInteger),
    Column("created_at", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="draft"),
    Column("audience", Text, nullable=False),  # JSON {"kind": ..., "key": ...}
    Column("texts", Text, nullable=False),  # JSON {ru, kk, en}: plain text, escaped on send
    Column("fallback", Text),
    Column("photo", Text),  # file_id or URL
    Column("link", Text),  # shown as an inline URL button
    Column("send_at", Text),  # UTC ISO; NULL = as soon as approved
    Column("approved_by", BigInteger),
    Column("lease_owner", Text),
    Column("lease_until", Float),  # unix time
    Column("started_at", Text),
    Column("finished_at", Text),
    CheckConstraint(_one_of("status", ANNOUNCEMENT_STATUSES), name="announcements_status"),
    CheckConstraint(
        "fallback IS NULL OR fallback IN ('ru', 'kk', 'en')", name="announcements_fallback"
    ),
    Index("announcements_by_status", "status", "send_at"),
)

#: One row per (announcement, user): pending -> sending -> sent | blocked | failed | skipped.
outbox = Table(
    "outbox",
    metadata,
    Column(
        "announcement_id",
        Integer,
        ForeignKey("announcements.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("lang", Text, nullable=False),  # the user's language (reports count by it)
    Column("status", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("not_before", Float, nullable=False, server_default="0"),  # unix time; backoff
    Column("message_id", BigInteger),
    Column("last_error", Text),
    Column("updated_at", Text, nullable=False),
    Column("claimed_by", Text),  # the process sending it (status sending)
    Column("claimed_until", Float),  # unix time; after it, another process may take it back
    PrimaryKeyConstraint("announcement_id", "user_id"),
    CheckConstraint(_one_of("status", OUTBOX_STATUSES), name="outbox_status"),
    Index("outbox_claim", "announcement_id", "status", "not_before"),
    Index("outbox_by_user", "user_id"),
)

#: Moderators (admins come from ADMIN_IDS) and the audit log of their actions.
moderators = Table(
    "moderators",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("added_by", BigInteger, nullable=False),
    Column("added_at", Text, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("actor_id", BigInteger, nullable=False),
    Column("action", Text, nullable=False),
    Column("details", Text, nullable=False),  # JSON
    Column("at", Text, nullable=False),
    Index("audit_by_actor", "actor_id", "at"),
)

#: Wizards in progress (aiogram FSM): state and data per key, so they survive a restart
#: and every instance sees them (`bot.storage.fsm`).
fsm_states = Table(
    "fsm_states",
    metadata,
    Column("key", Text, primary_key=True),
    Column("state", Text),
    Column("data", Text, nullable=False),  # JSON object
    Column("updated_at", Text, nullable=False),
)

#: Documents moderators added (uploaded news, events): the record in the `data/` layout
#: (`bot.kb.sources.document_to_dict`). Every instance builds its KB file from `data/`
#: plus these rows.
documents = Table(
    "documents",
    metadata,
    Column("id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("record", Text, nullable=False),  # JSON
    Column("added_by", BigInteger, nullable=False),  # 0: the command line
    Column("added_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    CheckConstraint("kind IN ('upload', 'event')", name="documents_kind"),
)

#: One row: the version of `documents`, changed in the transaction that changes them.
#: A KB file records the version it was built from; a process whose file is older
#: rebuilds or reloads it (`bot.services.knowledge`).
kb_version = Table(
    "kb_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Text, nullable=False),
    Column("changed_at", Text, nullable=False),
    CheckConstraint("id = 1", name="kb_version_one_row"),
)


#: Reminders queued the day before a reception (`bot.reminders`): one row per reception
#: and date, inserted in the transaction that queues the announcement, so two instances
#: cannot both queue it. A rescheduled reception (another date) gets a reminder again.
reception_reminders = Table(
    "reception_reminders",
    metadata,
    Column("reception_id", Text, nullable=False),  # a KB slug or "m12" (bot.storage.receptions)
    Column("date", Text, nullable=False),  # the reception's day, YYYY-MM-DD
    Column("announcement_id", Integer, ForeignKey("announcements.id", ondelete="SET NULL")),
    Column("queued_at", Text, nullable=False),
    PrimaryKeyConstraint("reception_id", "date"),
)
