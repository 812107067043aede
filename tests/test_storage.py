"""Storage: WAL, busy timeout, migrations by user_version, the users repository."""

from __future__ import annotations

from pathlib import Path

from bot.storage.db import Database
from bot.storage.legacy import MIGRATIONS
from bot.storage.users import UserRepo


async def test_open_sets_pragmas_and_migrates_once(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "bot.db"
    db = await Database.open(path)
    try:
        async with db.conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"  # type: ignore[index]
        async with db.conn.execute("PRAGMA busy_timeout") as cur:
            assert (await cur.fetchone())[0] == 5000  # type: ignore[index]
        async with db.conn.execute("PRAGMA user_version") as cur:
            assert (await cur.fetchone())[0] == len(MIGRATIONS)  # type: ignore[index]
        await UserRepo(db.conn).touch(1, "kk")
    finally:
        await db.close()
    again = await Database.open(path)  # reopening applies nothing twice and keeps data
    try:
        assert await again.migrate() == len(MIGRATIONS)
        assert await UserRepo(again.conn).get(1) is not None
    finally:
        await again.close()


async def test_users_repository_round_trip(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        users = UserRepo(db.conn)
        first = await users.touch(7, "ru")
        assert first.locale is None and not first.blocked and first.tg_language == "ru"
        await users.set_locale(7, "kk")
        await users.set_blocked(7)
        record = await users.get(7)
        assert record is not None and record.locale == "kk" and record.blocked
        again = await users.touch(7, "en")  # writing again means they can be reached
        assert not again.blocked and again.locale == "kk" and again.tg_language == "en"
        assert again.first_seen == first.first_seen
        assert await users.delete(7) is True
        assert await users.get(7) is None
        assert await users.delete(7) is False
    finally:
        await db.close()
