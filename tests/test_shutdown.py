"""SIGTERM while a handler is still working: the process stops taking updates, lets the
handler finish (its reply is sent), and exits cleanly; in polling and in webhook mode.
The bot and the devserver are separate processes, as in production."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.test_e2e import _control, _env, _free_port

pytestmark = pytest.mark.slow  # starts processes of its own

USER = 42
SLOW_MS = 3000  # the reply takes this long to send: the handler is in flight meanwhile


def _in_flight(base: str, mode: str, update_id: int) -> None:
    """Return once the update's handler runs (and is waiting for its slow reply)."""
    if mode == "polling":  # confirmed by the next getUpdates, once its handler started
        _control(base, "/_control/wait_consumed", {"update_id": update_id, "timeout": 30})
        return
    deadline = time.monotonic() + 30
    while True:  # POSTed and not answered, and the handler's slow reply being served
        state = _control(base, "/_control/state")
        if state["webhook_in_flight"] and state["api_in_flight"]:
            return
        assert time.monotonic() < deadline, "the handler never sent its reply"
        time.sleep(0.02)


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_sigterm_lets_a_slow_handler_finish(tmp_path: Path, kb_file: Path, mode: str) -> None:
    shutil.copy2(kb_file, tmp_path / "kb.db")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "devserver", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
    )
    extra = {"BOT_TOKEN": "1:x", "TELEGRAM_API_BASE": base}
    if mode == "webhook":
        hook = _free_port()
        extra |= {
            "WEBHOOK_URL": f"http://127.0.0.1:{hook}/hook",
            "WEBHOOK_SECRET": "a-secret-for-the-shutdown-test",
            "WEBHOOK_PORT": str(hook),
        }
    bot = None
    try:
        assert server.stdout is not None
        assert base in server.stdout.readline()
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=PROJECT_ROOT,
            env=_env(tmp_path, **extra),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        ready = "setWebhook" if mode == "webhook" else "getUpdates"
        _control(base, "/_control/wait", {"method": ready, "timeout": 60})
        _control(
            base,
            "/_control/faults",
            {"kind": "latency", "chat_id": USER, "methods": ["sendMessage"], "latency_ms": SLOW_MS},
        )
        update = _control(
            base,
            "/_control/inject/command",
            {"user": USER, "command": "/start", "language_code": "en"},
        )
        _in_flight(base, mode, update["update_id"])
        bot.send_signal(signal.SIGTERM)
        _, stderr = bot.communicate(timeout=60)
        sent = _control(base, "/_control/calls?method=sendMessage")["calls"]
    finally:
        for proc in (bot, server):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
    assert bot.returncode == 0, stderr
    assert [c["status"] for c in sent] == [200], stderr  # the reply went out before the exit
    assert "Welcome to Dostyq" in sent[0]["params"]["text"]
    assert "Traceback" not in stderr
