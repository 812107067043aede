"""The schema steps of the releases before Alembic, tracked by SQLite's
`PRAGMA user_version`. Frozen: new changes are Alembic revisions
(`bot/storage/migrations/versions/`). `upgrade` brings a database made by any of
those releases to the last step, which equals Alembic's baseline revision.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.engine import Connection

MIGRATIONS: tuple[str, ...] = (
    # 1: users. Only what the bot needs to serve someone: no names or usernames.
    """
    CREATE TABLE users (
        id          INTEGER PRIMARY KEY,
        locale      TEXT,
        tg_language TEXT,
        first_seen  TEXT NOT NULL,
        last_seen   TEXT NOT NULL,
        blocked     INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 2: questions asked (answered or not, for moderators' gaps list) and feedback.
    """
    CREATE TABLE questions (
        id          INTEGER PRIMARY KEY,
        user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        text        TEXT NOT NULL,
        lang        TEXT NOT NULL,
        answered    INTEGER NOT NULL,
        passage_id  INTEGER,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX questions_unanswered ON questions(answered, lang);
    CREATE TABLE feedback (
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        passage_id  INTEGER NOT NULL,
        vote        INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        created_at  TEXT NOT NULL,
        PRIMARY KEY (question_id, passage_id)
    );
    """,
    # 3: subscriptions (topics and regions) and receptions added after the KB was built.
    """
    CREATE TABLE subscriptions (
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind       TEXT NOT NULL CHECK (kind IN ('topic', 'region')),
        key        TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, kind, key)
    );
    CREATE INDEX subscriptions_by_key ON subscriptions(kind, key);
    CREATE TABLE receptions (
        id          INTEGER PRIMARY KEY,
        office_id   TEXT NOT NULL,
        city_id     TEXT NOT NULL,
        region_id   TEXT,
        date        TEXT NOT NULL,
        services    TEXT NOT NULL,          -- JSON list of service keys
        note        TEXT NOT NULL,          -- JSON {ru, kk, en}
        created_by  INTEGER,
        created_at  TEXT NOT NULL
    );
    """,
    # 4: broadcasts: announcements (with a runner lease) and the outbox, one row per
    # (announcement, user): pending -> sending -> sent | blocked | failed | skipped.
    """
    CREATE TABLE announcements (
        id          INTEGER PRIMARY KEY,
        created_by  INTEGER,
        created_at  TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
                    ('draft', 'scheduled', 'awaiting_approval', 'sending', 'done', 'cancelled')),
        audience    TEXT NOT NULL,          -- JSON {"kind": ..., "key": ...}
        texts       TEXT NOT NULL,          -- JSON {ru, kk, en}: plain text, escaped on send
        fallback    TEXT CHECK (fallback IS NULL OR fallback IN ('ru', 'kk', 'en')),
        photo       TEXT,                   -- file_id or URL
        link        TEXT,                   -- shown as an inline URL button
        send_at     TEXT,                   -- UTC ISO; NULL = as soon as approved
        approved_by INTEGER,
        lease_owner TEXT,
        lease_until REAL,                   -- unix time
        started_at  TEXT,
        finished_at TEXT
    );
    CREATE INDEX announcements_by_status ON announcements(status, send_at);
    CREATE TABLE outbox (
        announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        lang        TEXT NOT NULL,          -- the user's language (reports count by it)
        status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                    ('pending', 'sending', 'sent', 'blocked', 'failed', 'skipped')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        not_before  REAL NOT NULL DEFAULT 0, -- unix time; retry backoff
        message_id  INTEGER,
        last_error  TEXT,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (announcement_id, user_id)
    );
    CREATE INDEX outbox_claim ON outbox(announcement_id, status, not_before);
    CREATE INDEX outbox_by_user ON outbox(user_id);
    """,
    # 5: moderators (admins come from ADMIN_IDS) and the audit log of their actions.
    """
    CREATE TABLE moderators (
        user_id    INTEGER PRIMARY KEY,
        added_by   INTEGER NOT NULL,
        added_at   TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id         INTEGER PRIMARY KEY,
        actor_id   INTEGER NOT NULL,
        action     TEXT NOT NULL,
        details    TEXT NOT NULL,        -- JSON
        at         TEXT NOT NULL
    );
    CREATE INDEX audit_by_actor ON audit_log(actor_id, at);
    """,
)


def upgrade(connection: Connection) -> int:
    """Apply the steps a SQLite database made by an earlier release lacks (inside the
    caller's transaction); returns the version it now has."""
    version = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        for statement in statements(script):
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(f"PRAGMA user_version = {number}")
    return len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """A script's statements, split where SQLite's own tokenizer says one is complete
    (a ";" inside a comment or a string does not end one)."""
    out: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out
