"""End to end: the bot polls the devserver on 127.0.0.1 exactly as it would poll Telegram."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.config import PROJECT_ROOT
from bot.runner import BotRunner
from bot.storage.users import UserRepo
from devserver import DevServer, StoredMessage

UID = 777


def labels(message: StoredMessage) -> list[str]:
    return [b["text"] for row in message.buttons for b in row]


async def send(server: DevServer, update: dict[str, Any]) -> StoredMessage:
    """Inject, wait until the bot has handled it, return the chat's latest bot message."""
    await server.wait_consumed(update, timeout=10)
    return server.messages_to(UID)[-1]


def users(runner: BotRunner) -> UserRepo:
    assert runner.db is not None
    return UserRepo(runner.db)


async def test_start_choose_kazakh_then_switch_to_english(
    devserver: DevServer, polling: BotRunner
) -> None:
    inject = devserver.inject
    picker = await send(devserver, inject.command(UID, "/start", language_code="kk"))
    assert labels(picker) == ["Қазақша", "Русский", "English"]

    menu = await send(devserver, inject.callback(UID, button_text="Қазақша"))
    assert "қош келдіңіз" in (menu.text or "")
    assert labels(menu)[:4] == [
        "📜 Тарих",
        "📅 Іс-шаралар",
        "🛂 Консулдық қызметтер",
        "❓ Сұрақ қою",
    ]
    record = await users(polling).get(UID)
    assert record is not None and record.locale == "kk"

    picker = await send(devserver, inject.command(UID, "/language"))
    assert labels(picker)[0] == "Қазақша"
    menu = await send(devserver, inject.callback(UID, button_text="English"))
    assert "Welcome to Dostyq" in (menu.text or "")
    assert labels(menu)[0] == "📜 History"


async def test_commands_are_set_per_language(devserver: DevServer, polling: BotRunner) -> None:
    calls = devserver.get_calls("setMyCommands")
    by_language = {c.params.get("language_code"): c.params["commands"] for c in calls}
    assert set(by_language) == {"ru", "kk", "en", None}
    descriptions = {lang: cmds[0]["description"] for lang, cmds in by_language.items()}
    assert descriptions["kk"] == "Бастау және басты мәзір"
    assert descriptions["en"] == "Start and main menu"
    assert descriptions["ru"] == descriptions[None] == "Начало и главное меню"


async def test_forget_removes_the_user_row(devserver: DevServer, polling: BotRunner) -> None:
    inject = devserver.inject
    await send(devserver, inject.command(UID, "/start", language_code="en"))
    await send(devserver, inject.callback(UID, button_text="English"))
    await send(devserver, inject.command(UID, "/forget"))
    assert await users(polling).get(UID) is not None
    done = await send(devserver, inject.callback(UID, button_text="🗑 Yes, delete my data"))
    assert "deleted" in (done.text or "")
    assert await users(polling).get(UID) is None


async def test_forged_callback_gets_polite_reply(devserver: DevServer, polling: BotRunner) -> None:
    inject = devserver.inject
    await send(devserver, inject.command(UID, "/start", language_code="en"))
    forged = inject.callback(UID, data="lang:xx';DROP TABLE users", check_button=False)
    await devserver.wait_consumed(forged, timeout=10)
    answer = devserver.callback_answer(forged["callback_query"]["id"])
    assert answer is not None and "no longer active" in answer["text"]
    assert await users(polling).get(UID) is not None


async def test_faults_do_not_stop_polling(devserver: DevServer, polling: BotRunner) -> None:
    inject = devserver.inject
    await send(devserver, inject.command(UID, "/start", language_code="en"))
    before = len(devserver.messages_to(UID))

    # 429 on the next send: the handler fails, polling goes on.
    devserver.faults.add("retry_after", chat_id=UID, times=1, retry_after=1)
    await devserver.wait_consumed(inject.command(UID, "/help"), timeout=10)
    # 403: the user blocked the bot; the bot notes it and keeps polling for others.
    devserver.faults.add("forbidden", chat_id=UID, times=1)
    await devserver.wait_consumed(inject.command(UID, "/help"), timeout=10)
    record = await users(polling).get(UID)
    assert record is not None and record.blocked
    # 5xx on getUpdates itself: aiogram backs off and polls again.
    devserver.faults.add("server_error", methods=["getUpdates"], times=2)
    mark = devserver.marker()
    reply = await send(devserver, inject.command(UID, "/about"))
    assert "About Dostyq" in (reply.text or "")
    assert any(c.status == 500 for c in devserver.get_calls("getUpdates", since=mark))
    assert len(devserver.messages_to(UID)) > before
    record = await users(polling).get(UID)
    assert record is not None and not record.blocked  # writing again unblocks


async def test_concurrent_handling_with_tasks(settings: Any, devserver: DevServer) -> None:
    """The production mode (`handle_as_tasks=True`): many users at once all get answers."""
    runner = BotRunner(settings, token="42:TASKS", api_base=devserver.url)
    async with runner:
        mark = devserver.marker()
        for uid in range(1000, 1020):
            devserver.inject.command(uid, "/start", language_code="ru")
        calls = await devserver.wait_for_calls("sendMessage", count=20, since=mark, timeout=20)
        assert {c.chat_id for c in calls} == set(range(1000, 1020))


# -- processes ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _control(base: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["result"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update(DATABASE_PATH=str(tmp_path / "bot.db"), KB_PATH=str(tmp_path / "kb.db"))
    env.update(extra)
    return env


@pytest.mark.slow
def test_devserver_and_bot_as_separate_processes(tmp_path: Path, kb_file: Path) -> None:
    shutil.copy2(kb_file, tmp_path / "kb.db")  # a built KB is copied to every instance
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "devserver", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
    )
    bot = None
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        assert base in banner
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=PROJECT_ROOT,
            env=_env(tmp_path, BOT_TOKEN="1:x", TELEGRAM_API_BASE=base),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        update = _control(
            base,
            "/_control/inject/command",
            {"user": 42, "command": "/start", "language_code": "en"},
        )
        found = _control(
            base,
            "/_control/wait",
            {"method": "sendMessage", "chat_id": 42, "timeout": 30},
        )
        assert update["update_id"] >= 1
        sent = found["calls"][0]
        assert "Welcome to Dostyq" in sent["params"]["text"]
        assert "English" in json.dumps(sent["params"]["reply_markup"])
    finally:
        for proc in (bot, server):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=20)
    assert bot is not None and bot.returncode == 0  # SIGTERM: a clean shutdown


@pytest.mark.slow
def test_console_with_piped_stdin(tmp_path: Path, kb_file: Path) -> None:
    shutil.copy2(kb_file, tmp_path / "kb.db")
    script = "/start\nҚазақша\n/help\n1\n/location 45.01 78.37\n@ Сталинград\nhello\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=PROJECT_ROOT,
        env=_env(tmp_path),
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert out.splitlines()[0].startswith("No BOT_TOKEN set: starting the local console.")
    assert "[1] Русский   [2] Қазақша   [3] English" in out
    assert "Dostyq-қа қош келдіңіз!" in out  # the language button pressed by label
    assert "[1] 📜 Тарих" in out
    assert "/forget — сіз туралы сақталғанның бәрін жою" in out
    assert "Traceback" not in out + proc.stderr
