"""Schema migrations, applied in order and tracked by `PRAGMA user_version`.

Append new steps; never edit a step that has shipped.
"""

from __future__ import annotations

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
)
