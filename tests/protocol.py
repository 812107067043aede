"""Telegram's rules for the calls a bot makes, checked on the devserver's call log.

The devserver refuses much of what Telegram refuses (a 400 is a violation here whatever
its cause, "message is not modified" included); this adds what a server may accept but
Telegram would not, or what a bot should not ask: button data over 64 bytes, a callback
answer over 200 characters, more than 50 inline results or ids that repeat, command
names outside ``[a-z0-9_]{1,32}``, a text empty or over 4096 characters once its HTML is
read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from devserver.markup import parse_html
from devserver.records import CallRecord

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_ALERT = 200
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID = 64  # bytes
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
#: Refusals a bot cannot avoid and must handle: the user blocked it, a flood limit, a
#: server error, another process polling (409) — the tests inject these on purpose —
#: and a chat that does not exist (a user who never started the bot, or deleted their
#: account): answers about the recipient or the server, not about a malformed request.
EXPECTED_STATUSES = {403, 409, 429, 500, 502, 503, 504}
EXPECTED_ERRORS = ("chat not found",)


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _text_length(text: str, parse_mode: Any) -> int:
    plain = parse_html(text)[0] if parse_mode in (None, "HTML") else text
    return len(plain.encode("utf-16-le")) // 2


def _markup_violations(markup: Any) -> list[str]:
    markup = _json(markup)
    if not isinstance(markup, dict):
        return []
    found = []
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if not str(button.get("text", "")).strip():
                found.append("a button without text")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                found.append(f"callback_data of {len(str(data).encode())} bytes: {data!r}")
    return found


def call_violations(call: CallRecord) -> list[str]:
    """What is wrong with one call (empty when nothing)."""
    found: list[str] = []
    params = call.params
    expected = call.status in EXPECTED_STATUSES or any(
        e in (call.error or "") for e in EXPECTED_ERRORS
    )
    if call.status != 200 and not expected:
        found.append(f"refused ({call.status}): {call.error}")
    if call.method in ("sendMessage", "editMessageText") and "text" in params:
        length = _text_length(str(params["text"]), params.get("parse_mode", "HTML"))
        if not 1 <= length <= MAX_TEXT:
            found.append(f"a text of {length} characters")
    if "caption" in params:
        length = _text_length(str(params["caption"]), params.get("parse_mode", "HTML"))
        if length > MAX_CAPTION:
            found.append(f"a caption of {length} characters")
    found += _markup_violations(params.get("reply_markup"))
    if call.method == "answerCallbackQuery" and len(str(params.get("text") or "")) > MAX_ALERT:
        found.append(f"a callback answer of {len(str(params['text']))} characters")
    if call.method == "answerInlineQuery":
        results = _json(params.get("results")) or []
        ids = [str(r.get("id")) for r in results]
        if len(results) > MAX_INLINE_RESULTS:
            found.append(f"{len(results)} inline results")
        if len(set(ids)) != len(ids):
            found.append("inline result ids repeat")
        found += [f"inline result id {i!r}" for i in ids if not 1 <= len(i.encode()) <= 64]
        for result in results:
            found += _markup_violations(result.get("reply_markup"))
    if call.method == "setMyCommands":
        for command in _json(params.get("commands")) or []:
            if not COMMAND.fullmatch(str(command.get("command"))):
                found.append(f"command name {command.get('command')!r}")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                found.append(f"command description {command.get('description')!r}")
    return [f"{call.method} #{call.index}: {problem}" for problem in found]


def violations(calls: Iterable[CallRecord]) -> list[str]:
    return [problem for call in calls for problem in call_violations(call)]
