"""Operations: backups of a database in use (SQLite's online backup, pg_dump), the
container's health check command, and JSON logs."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import _setup_logging, main
from bot.config import Settings
from bot.runner import BotRunner
from bot.storage.backup import BackupError, backup
from bot.storage.database import Database, sqlite_url
from bot.storage.users import UserRepo
from devserver import DevServer
from tests.postgres import create_database, drop_database
from tests.test_webhook import TOKEN


async def test_a_sqlite_database_in_use_is_backed_up_whole(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        for uid in range(1, 201):
            await UserRepo(db).touch(uid, "kk")
        line = backup(sqlite_url(tmp_path / "bot.db"), tmp_path / "backups" / "copy.db")
        await UserRepo(db).touch(201, "ru")  # and it keeps working after
    finally:
        await db.close()
    assert "backed up to" in line
    copy = sqlite3.connect(tmp_path / "backups" / "copy.db")
    assert copy.execute("SELECT count(*) FROM users").fetchone() == (200,)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()
    with pytest.raises(BackupError, match="no database"):
        backup(f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}", tmp_path / "x.db")


async def test_postgresql_is_dumped_with_pg_dump(postgres_base: str, tmp_path: Path) -> None:
    name, url = await create_database(postgres_base)
    try:
        db = await Database.open(url)
        await UserRepo(db).touch(77, "en")
        await db.close()
        line = backup(url, tmp_path / "dostyq.dump")
    finally:
        await drop_database(postgres_base, name)
    assert "dumped to" in line
    assert (tmp_path / "dostyq.dump").read_bytes().startswith(b"PGDMP")  # pg_restore's format


def test_the_backup_command_says_what_it_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "none.db"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["db", "backup", str(tmp_path / "b.db")]) == 1
    assert "no database" in capsys.readouterr().err


async def test_the_healthcheck_command_asks_the_running_bot(
    settings: Settings, devserver: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = settings.model_copy(update={"health_port": 0})
    monkeypatch.delenv("WEBHOOK_URL", raising=False)
    async with BotRunner(own, token=TOKEN, api_base=devserver.url, handle_as_tasks=False) as r:
        await devserver.wait_for_long_poll(timeout=30)
        monkeypatch.setenv("HEALTH_PORT", str(r.health_port))
        assert await _in_thread(["healthcheck"]) == 0
    assert await _in_thread(["healthcheck"]) == 1  # stopped: unhealthy


async def _in_thread(argv: list[str]) -> int:
    """The command as the container runs it (its own event loop, so not in this one's)."""
    return await asyncio.to_thread(main, argv)


def test_json_logs_are_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers = []
    try:
        _setup_logging("INFO", "json")
        logging.getLogger("bot.test").info("announcement %d sent", 7)
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("bot.test").exception("failed")
    finally:
        root.handlers, root.level = handlers, level
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["message"] == "announcement 7 sent"
    assert lines[0]["levelname"] == "INFO" and lines[0]["name"] == "bot.test"
    assert "asctime" in lines[0]
    assert "ValueError: boom" in lines[1]["exc_info"]
