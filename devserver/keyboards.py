"""``reply_markup`` validation, the way Telegram rejects bad keyboards."""

from __future__ import annotations

from typing import Any

from .errors import bad_request

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "web_app",
    "login_url",
    "pay",
    "callback_game",
    "copy_text",
)
_URL_PREFIXES = ("http://", "https://", "tg://")


def validate_markup(markup: Any) -> dict[str, Any] | None:
    """Check a parsed ``reply_markup``; returns it (or None when absent)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline(markup["inline_keyboard"])
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                if not isinstance(button, str | dict) or (
                    isinstance(button, dict) and not isinstance(button.get("text"), str)
                ):
                    raise bad_request('can\'t find field "text"')
    elif not ("remove_keyboard" in markup or "force_reply" in markup):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _validate_inline(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" must be an Array of Arrays')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request('can\'t find field "text"')
            if not any(key in button for key in _INLINE_ACTIONS):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and (
                not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64
            ):
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and (not isinstance(url, str) or not url.startswith(_URL_PREFIXES)):
                raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a markup echoed in the returned ``Message`` (inline keyboards only)."""
    if markup and markup.get("inline_keyboard"):
        return markup
    return None
