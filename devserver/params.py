"""Typed, Telegram-flavoured access to parsed request parameters.

Method handlers read parameters through :class:`Params` so that a missing or
mistyped value becomes the same kind of ``400 Bad Request`` Telegram answers.
"""

from __future__ import annotations

from typing import Any

from .errors import CHAT_NOT_FOUND, ApiError, bad_request
from .parsing import Upload

ChatKey = int | str


def chat_key(value: Any) -> ChatKey | None:
    """Normalise a ``chat_id`` value (int, numeric string or ``@username``)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        return text or None
    return None


class Params:
    """Parameters of one Bot API call plus its uploaded files."""

    __slots__ = ("files", "raw")

    def __init__(self, raw: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.raw = raw
        self.files = files or {}

    def has(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def opt_str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        raise bad_request(f'parameter "{name}" must be a string')

    def req_str(self, name: str, missing: str | None = None) -> str:
        value = self.opt_str(name)
        if value is None:
            raise bad_request(missing or f'parameter "{name}" is required')
        return value

    def opt_int(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise bad_request(f"invalid {name} specified")

    def req_int(self, name: str, missing: str | None = None) -> int:
        value = self.opt_int(name)
        if value is None:
            raise bad_request(missing or f'parameter "{name}" is required')
        return value

    def opt_float(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise bad_request(f"invalid {name} specified")

    def req_float(self, name: str) -> float:
        value = self.opt_float(name)
        if value is None:
            raise bad_request(f'parameter "{name}" is required')
        return value

    def opt_bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.lower() in ("true", "1", "yes")
        return bool(value)

    def opt_dict(self, name: str) -> dict[str, Any] | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def opt_list(self, name: str) -> list[Any] | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise bad_request(f"can't parse {name} JSON array")
        return value

    def chat_id(self) -> ChatKey:
        """``chat_id`` as Telegram validates it: required, numeric or ``@username``."""
        value = self.raw.get("chat_id")
        key = chat_key(value)
        if key is None:
            raise bad_request("chat_id is empty")
        if isinstance(key, str) and not key.startswith("@"):
            raise ApiError(400, CHAT_NOT_FOUND)
        return key

    def int_chat_id(self) -> int:
        """Like :meth:`chat_id` but the fake knows no public ``@usernames``."""
        key = self.chat_id()
        if isinstance(key, str):
            raise ApiError(400, CHAT_NOT_FOUND)
        return key

    def input_file(self, name: str) -> Upload | str | None:
        """A file parameter: an upload (``attach://x`` or a part named ``name``) or a string."""
        value = self.raw.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = self.files.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f'file attachment "{value}" not found')
            return upload
        if value is None:
            return self.files.get(name)
        if isinstance(value, str):
            return value
        raise bad_request(f'wrong type of the "{name}" parameter')
