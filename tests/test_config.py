"""Settings: defaults, parsing of lists, and one clear line for bad values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings, SettingsError, load_settings


def _settings(**kwargs: object) -> Settings:
    return load_settings(_env_file=None, **kwargs)


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    s = _settings()
    assert s.bot_token is None and not s.is_live
    assert s.default_locale == "ru"
    assert s.telegram_api_base == "https://api.telegram.org"


def test_values_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC-def_1")
    monkeypatch.setenv("ADMIN_IDS", "1, 22 ,333")
    monkeypatch.setenv("DEFAULT_LOCALE", "kk")
    monkeypatch.setenv("TELEGRAM_API_BASE", "http://127.0.0.1:8081/")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    s = _settings()
    assert s.bot_token is not None and s.bot_token.get_secret_value() == "123456:ABC-def_1"
    assert "ABC" not in repr(s)  # the token never shows in logs
    assert s.admin_ids == (1, 22, 333)
    assert s.default_locale == "kk"
    assert s.telegram_api_base == "http://127.0.0.1:8081"
    assert s.log_level == "DEBUG"


def test_vector_cache_is_on_by_default_and_off_when_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VECTOR_CACHE", raising=False)
    assert _settings().vector_cache == Path("var/vectors.db")
    monkeypatch.setenv("VECTOR_CACHE", " ")
    assert _settings().vector_cache is None
    monkeypatch.setenv("VECTOR_CACHE", "/srv/cache/vectors.db")
    assert _settings().vector_cache == Path("/srv/cache/vectors.db")


def test_empty_token_means_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "  ")
    assert _settings().bot_token is None


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN"),
        ("ADMIN_IDS", "1,two", "ADMIN_IDS"),
        ("DEFAULT_LOCALE", "fr", "DEFAULT_LOCALE"),
        ("TELEGRAM_API_BASE", "ftp://x", "TELEGRAM_API_BASE"),
        ("THROTTLE_RATE", "-1", "THROTTLE_RATE"),
    ],
)
def test_bad_value_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        _settings()
    text = str(info.value)
    assert text.startswith("Configuration error: ")
    assert fragment in text and "\n" not in text


@pytest.mark.slow
def test_cli_reports_bad_config_without_traceback(tmp_path: object) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "DEFAULT_LOCALE": "fr", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and "DEFAULT_LOCALE" in lines[0]


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (None, "sqlite+aiosqlite:///var/dostyq.db"),  # DATABASE_PATH's file
        ("postgres://dostyq@db/dostyq", "postgresql+asyncpg://dostyq@db/dostyq"),
        ("postgresql://dostyq@db/dostyq", "postgresql+asyncpg://dostyq@db/dostyq"),
        ("sqlite:////srv/dostyq.db", "sqlite+aiosqlite:////srv/dostyq.db"),
        ("postgresql+asyncpg://u:p@h:5433/d", "postgresql+asyncpg://u:p@h:5433/d"),
    ],
)
def test_database_url_picks_the_async_driver(given: str | None, used: str) -> None:
    assert load_settings(_env_file=None, database_url=given).db_url == used


def test_an_unsupported_database_is_one_clear_line() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings(_env_file=None, database_url="mysql://root@localhost/dostyq")
