"""A terminal chat with the real bot through an in-process devserver.

Typed lines are messages; buttons are listed numbered and pressed by number or
label; `/location LAT LON` shares a location; `@ query` runs an inline query.
Reads stdin line by line, so it can be scripted (`printf '/start\\n1\\n' | ...`),
and exits 0 at the end of input. Each update is fully handled before the next
line is read (polling with `handle_as_tasks=False`, then `wait_consumed`).
"""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from bot.config import Settings
from bot.devserver import CallRecord, DevServer
from bot.runner import BotRunner

CONSOLE_TOKEN = "100000:console"
CONSOLE_USER_ID = 1001
_LOCATION_RE = re.compile(r"^/location\s+(-?\d+(?:\.\d+)?)[\s,]+(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    kind: str  # "callback" | "url" | "reply" | "location" | "inline"
    payload: str
    message_id: int


class Console:
    """Turns lines into updates and the bot's calls back into readable text."""

    def __init__(self, server: DevServer, out: TextIO, language_code: str | None) -> None:
        self.server = server
        self.out = out
        self.user: dict[str, Any] = {
            "id": CONSOLE_USER_ID,
            "first_name": "Console",
            "is_bot": False,
        }
        if language_code:
            self.user["language_code"] = language_code
        self.buttons: list[Button] = []
        self.inline_results: list[dict[str, Any]] = []

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def handle_line(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        marker = self.server.marker()
        update = self._update_for(line)
        if update is None:
            return
        await self.server.wait_consumed(update, timeout=30)
        self._render(self.server.get_calls(since=marker))

    def _update_for(self, line: str) -> dict[str, Any] | None:
        inject = self.server.inject
        if match := _LOCATION_RE.match(line):
            lat, lon = float(match.group(1)), float(match.group(2))
            return inject.location(self.user, lat, lon)
        if line.startswith("@"):
            return inject.inline_query(self.user, line[1:].strip())
        button = self._find_button(line)
        if button is None:
            return inject.message(self.user, line)
        if button.kind == "callback":
            return inject.callback(self.user, button.payload, message_id=button.message_id)
        if button.kind == "location":
            self.print("  (use /location LAT LON to share a location)")
            return None
        if button.kind in {"url", "inline"}:
            self.print(f"  (opens {button.payload})")
            return None
        return inject.message(self.user, button.label)

    def _find_button(self, line: str) -> Button | None:
        if line.isdigit():
            index = int(line) - 1
            return self.buttons[index] if 0 <= index < len(self.buttons) else None
        wanted = line.casefold()
        for button in self.buttons:
            if button.label.casefold() == wanted or _strip_icon(button.label) == wanted:
                return button
        return None

    def _render(self, calls: list[CallRecord]) -> None:
        for call in calls:
            if not call.ok:
                continue
            if call.method in {"sendMessage", "sendPhoto", "sendDocument"}:
                self._show_message(call.result, edited=False)
            elif call.method in {"editMessageText", "editMessageReplyMarkup"}:
                if isinstance(call.result, dict):
                    self._show_message(call.result, edited=True)
            elif call.method in {"sendLocation", "sendVenue"}:
                self._show_location(call.result)
            elif call.method == "answerCallbackQuery" and call.params.get("text"):
                self.print(f"  💬 {call.params['text']}")
            elif call.method == "answerInlineQuery":
                self._show_inline(call.params.get("results") or [])

    def _show_message(self, message: dict[str, Any], *, edited: bool) -> None:
        text = message.get("text") or message.get("caption") or ""
        body = "\n".join(("     " + line) if line else "" for line in text.split("\n"))
        self.print(("✎ " if edited else "") + "bot: " + body.lstrip())
        self._collect_buttons(message)

    def _show_location(self, message: dict[str, Any]) -> None:
        venue = message.get("venue") or {}
        loc = message.get("location") or venue.get("location") or {}
        title = f" {venue.get('title')}" if venue else ""
        self.print(f"bot: 📍{title} {loc.get('latitude')}, {loc.get('longitude')}")
        self._collect_buttons(message)

    def _collect_buttons(self, message: dict[str, Any]) -> None:
        markup = message.get("reply_markup") or {}
        rows: list[list[dict[str, Any]]] = []
        kind = "callback"
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
        elif "keyboard" in markup:
            rows, kind = markup["keyboard"], "reply"
        if not rows:
            return
        self.buttons = []
        for row in rows:
            labels = []
            for raw in row:
                button = _button(raw, kind, message.get("message_id", 0))
                self.buttons.append(button)
                labels.append(f"[{len(self.buttons)}] {button.label}")
            self.print("     " + "   ".join(labels))

    def _show_inline(self, results: list[dict[str, Any]]) -> None:
        self.inline_results = results
        if not results:
            self.print("  (no inline results)")
        for number, result in enumerate(results, start=1):
            title = result.get("title") or result.get("id")
            description = result.get("description") or ""
            self.print(f"  @{number}. {title}" + (f" — {description}" if description else ""))


def _button(raw: dict[str, Any], kind: str, message_id: int) -> Button:
    label = str(raw.get("text", ""))
    if "callback_data" in raw:
        return Button(label, "callback", str(raw["callback_data"]), message_id)
    if "url" in raw:
        return Button(label, "url", str(raw["url"]), message_id)
    if raw.get("request_location"):
        return Button(label, "location", "", message_id)
    if "switch_inline_query_current_chat" in raw or "switch_inline_query" in raw:
        query = raw.get("switch_inline_query_current_chat", raw.get("switch_inline_query"))
        return Button(label, "inline", f"@ {query}", message_id)
    return Button(label, kind if kind == "reply" else "reply", label, message_id)


def _strip_icon(label: str) -> str:
    """'📜 History' matches a typed 'history'."""
    return re.sub(r"^\W+\s*", "", label).casefold()


async def run_console(
    settings: Settings,
    *,
    language_code: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the console until end of input; returns the exit status."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    async with DevServer() as server:
        runner = BotRunner(
            settings, token=CONSOLE_TOKEN, api_base=server.url, handle_as_tasks=False
        )
        async with runner:
            await server.wait_for_long_poll(timeout=30)
            console = Console(server, stdout, language_code)
            if interactive:
                console.print(
                    "Dostyq console. Type messages; press buttons by number or label; "
                    "/location LAT LON; @ query for inline mode; Ctrl-D to quit."
                )
            while True:
                if interactive:
                    stdout.write("you> ")
                    stdout.flush()
                line = await asyncio.to_thread(stdin.readline)
                if not line:
                    break
                if not interactive and line.strip():
                    console.print(f"> {line.strip()}")
                await console.handle_line(line)
    return 0
