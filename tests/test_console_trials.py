"""The console for real trials: `python -m bot console` fed by a pipe, as a developer
scripts it — the user's id, /whoami, media, what the bot sends on its own, a long
script without the flood limit, and buttons that are gone."""

from __future__ import annotations

import asyncio
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest

from bot.broadcast import Audience, OutboxRepo
from bot.config import PROJECT_ROOT
from bot.console import CONSOLE_USER_ID
from bot.storage.database import Database

pytestmark = pytest.mark.slow  # starts processes of its own

WHO = f"user {CONSOLE_USER_ID} — set ADMIN_IDS={CONSOLE_USER_ID} to try moderator commands"
NOT_TEXT = "I can only read text messages."
#: Only a safety net for a hung bot: the tests wait for output, they never time it.
PATIENCE_S = 120


@pytest.fixture
def home(tmp_path: Path, kb_file: Path) -> Path:
    shutil.copy2(kb_file, tmp_path / "kb.db")
    return tmp_path


def _env(home: Path, **extra: str) -> dict[str, str]:
    skip = ("BOT_", "TELEGRAM_", "ADMIN_IDS", "THROTTLE_", "REDIS_", "WEBHOOK_", "DATABASE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.update(DATABASE_PATH=str(home / "bot.db"), KB_PATH=str(home / "kb.db"))
    env.update(extra)
    return env


def _console(home: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", "--lang", "en"],
        cwd=PROJECT_ROOT,
        env=_env(home, **env),
        input=script,
        capture_output=True,
        text=True,
        timeout=PATIENCE_S,
    )


def _ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc.stdout


def test_id_at_start_and_whoami_stays_in_the_console(home: Path) -> None:
    out = _ok(_console(home, "/whoami\n/help\n", ADMIN_IDS=""))
    lines = out.splitlines()
    assert lines[0] == f"You are {WHO}."
    assert lines[1:3] == ["> /whoami", f"  (you are {WHO})"]
    assert "I don't know this command" not in out  # /whoami never reached the bot
    assert "How to use Dostyq" in out


def test_file_photo_and_sticker_reach_the_bot(
    home: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    files = tmp_path_factory.mktemp("files")
    (files / "short note.txt").write_text("Hello there.\n", encoding="utf-8")
    (files / "slides.pdf").write_bytes(b"%PDF-1.4 not really\n")
    (files / "empty.txt").write_bytes(b"")
    script = "\n".join(
        [
            f'/file "{files / "short note.txt"}" a caption',  # a moderator's upload: downloaded
            f"/file {files / 'slides.pdf'}",
            f"/file {files / 'missing.txt'}",
            f"/file {files / 'empty.txt'}",
            "/file",
            "/photo",
            f"/photo {files / 'slides.pdf'} Look at this",
            "/sticker 🎉",
            "/sticker",
            "/help",
        ]
    )
    out = _ok(_console(home, script + "\n", ADMIN_IDS=f"5, {CONSOLE_USER_ID}"))
    assert out.splitlines()[0] == (
        f"You are user {CONSOLE_USER_ID} — in ADMIN_IDS, so moderator commands work."
    )
    # the .txt was downloaded by the bot and read: too short for a news report
    assert "(sent short note.txt as a document, 13 bytes)" in out
    assert "The text is too short for a news report" in out
    assert "Only .txt and .md files can be added to the knowledge base." in out
    assert f"(cannot read {files / 'missing.txt'}: No such file or directory)" in out
    assert f"({files / 'empty.txt'} is empty: Telegram does not send empty files)" in out
    assert "(usage: /file PATH [CAPTION])" in out
    assert "(sent a generated 1×1 photo)" in out
    assert "(sent slides.pdf as a photo, 20 bytes)" in out
    assert "(sent a 🎉 sticker)" in out and "(sent a 👍 sticker)" in out
    assert out.count(NOT_TEXT) == 4  # two photos and two stickers, answered as non-text
    assert "How to use Dostyq" in out  # the script went on to its end


def test_a_long_script_is_not_throttled(home: Path) -> None:
    script = "".join(f"/{'about' if i % 2 else 'help'}\n" for i in range(36))
    # a tight configured limit that a piped script would hit at once outside the console
    out = _ok(_console(home, script, ADMIN_IDS="", THROTTLE_RATE="0.5", THROTTLE_BURST="2"))
    assert "Too many requests" not in out
    assert out.count("How to use Dostyq") == 18
    assert out.count("\nbot: ") == 36


def test_a_button_that_is_gone_does_not_end_the_console(home: Path) -> None:
    # /forget asks with two buttons; Cancel edits the question into a plain message
    out = _ok(_console(home, "/forget\n2\n2\n1\nyes, delete my data\n/help\n", ADMIN_IDS=""))
    assert "Nothing was deleted." in out
    gone = "is no longer there: the message has changed; use the latest buttons)"
    assert out.count(gone) == 3
    assert "(the button “🗑 Yes, delete my data” is no longer there" in out
    assert "everything stored about you has been deleted" not in out
    assert out.index("How to use Dostyq") > out.rindex(gone)  # and the script went on


class _Reader:
    """Collects the console's stdout lines in a thread, so the test can wait for one."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        stream = proc.stdout
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, text: str) -> None:
        """Read until a line contains `text` (fails only if the console ended or hung)."""
        while True:
            try:
                line = self._queue.get(timeout=PATIENCE_S)
            except queue.Empty:
                pytest.fail(f"no {text!r} in:\n" + "".join(self.lines))
            if line is None:
                pytest.fail(f"the console ended without {text!r}:\n" + "".join(self.lines))
            self.lines.append(line)
            if text in line:
                return

    def rest(self) -> str:
        self._thread.join(PATIENCE_S)
        while (line := self._queue.get_nowait()) is not None:
            self.lines.append(line)
        return "".join(self.lines)


async def _announce(db_path: Path, text: str) -> None:
    """Queue an announcement to everyone, as a moderator's approval (or
    `notify_new_reception`) does; the bot's broadcast service picks it up by itself."""
    db = await Database.open(db_path)
    try:
        repo = OutboxRepo(db)
        announcement = await repo.create(
            audience=Audience.everyone(),
            texts={"en": text, "ru": text, "kk": text},
            created_by=CONSOLE_USER_ID,
        )
        await repo.approve(announcement.id, approved_by=CONSOLE_USER_ID)
    finally:
        await db.close()


def test_messages_the_bot_sends_on_its_own_are_printed_once(home: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--lang", "en"],
        cwd=PROJECT_ROOT,
        env=_env(home, ADMIN_IDS=""),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stderr is not None
    reader = _Reader(proc)
    try:
        proc.stdin.write("/start\nEnglish\n")
        proc.stdin.flush()
        reader.wait_for("[1] 📜 History")  # the console now waits for the next line

        asyncio.run(_announce(home / "bot.db", "Announcement while you wait"))
        reader.wait_for("bot: Announcement while you wait")
        reader.wait_for("Delivered: 1 of 1")  # the delivery report to its author

        proc.stdin.write("/about\n")
        proc.stdin.flush()
        reader.wait_for("> /about")
        # queued just before the end of the script: the console lets it arrive
        asyncio.run(_announce(home / "bot.db", "Announcement at the end"))
        proc.stdin.close()
        out = reader.rest()
        assert proc.wait(timeout=PATIENCE_S) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in out
    assert out.count("bot: Announcement while you wait") == 1
    assert out.count("bot: Announcement at the end") == 1
    assert out.count("Delivered: 1 of 1") == 2
    assert out.index("bot: Announcement while you wait") < out.index("> /about")
