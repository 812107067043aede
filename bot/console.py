"""A terminal chat with the real bot through an in-process devserver.

Typed lines are messages; buttons are listed numbered and pressed by number or
label; `/location LAT LON` shares a location; `@ query` runs an inline query;
`/file PATH`, `/photo [PATH]` and `/sticker [EMOJI]` send media; `/whoami` shows
the console user's id (for ADMIN_IDS). Reads stdin line by line, so it can be
scripted (`printf '/start\\n1\\n' | ...`), and exits 0 at the end of input. Each
update is fully handled before the next line is read (polling with
`handle_as_tasks=False`, then `wait_consumed`); what the bot sends on its own
(announcements, delivery reports) is printed as it arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.broadcast import OutboxRepo
from bot.config import Settings
from bot.runner import BotRunner
from devserver import CallRecord, DevServer

CONSOLE_TOKEN = "100000:console"
CONSOLE_USER_ID = 1001
#: The console is one person typing (or a script): the per-user flood limit would only
#: get in the way of a piped script, so the console lifts it.
CONSOLE_THROTTLE_RATE = 1000.0
CONSOLE_THROTTLE_BURST = 1000
#: At end of input: wait for announcements being sent (and their reports) at most this
#: long, and stop once the bot has been silent for SETTLE_QUIET_S.
SETTLE_LIMIT_S = 10.0
SETTLE_QUIET_S = 0.5
_SETTLE_STEP_S = 0.1
#: Telegram takes larger files from users, but the devserver keeps files in memory.
MAX_FILE_BYTES = 50 * 1024 * 1024
_LOCATION_RE = re.compile(r"^/location\s+(-?\d+(?:\.\d+)?)[\s,]+(-?\d+(?:\.\d+)?)\s*$")
_LOCAL_RE = re.compile(r"^/(whoami|file|photo|sticker)(?:\s+(.*))?$", re.DOTALL)
_SHOWN_EDITS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
#: How a message's media shows before its caption.
_MEDIA_ICONS = {"photo": "🖼", "video": "🎬", "animation": "🎞", "audio": "🎵", "voice": "🎤"}
_BANNER = (
    "Dostyq console. Type messages; press buttons by number or label; "
    "/location LAT LON; /file PATH, /photo [PATH] and /sticker [EMOJI] send media "
    "(a caption may follow the path); @ query for inline mode; /whoami; Ctrl-D to quit."
)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    kind: str  # "callback" | "url" | "reply" | "location" | "inline"
    payload: str
    message_id: int


class Console:
    """Turns lines into updates and the bot's calls back into readable text.

    Every call the bot makes is printed once, in order: a cursor into the
    devserver's call log moves past what has been shown, whether it was the reply
    to a typed line or something the bot sent on its own.
    """

    def __init__(
        self,
        server: DevServer,
        out: TextIO,
        language_code: str | None,
        admin_ids: tuple[int, ...] = (),
    ) -> None:
        self.server = server
        self.out = out
        self.admin_ids = admin_ids
        self.user: dict[str, Any] = {
            "id": CONSOLE_USER_ID,
            "first_name": "Console",
            "is_bot": False,
        }
        if language_code:
            self.user["language_code"] = language_code
        self.buttons: list[Button] = []
        self.inline_results: list[dict[str, Any]] = []
        #: Shown while waiting for a typed line; re-shown after a background message.
        self.prompt: str | None = None
        #: When the bot last did something other than polling (for `settle`).
        self.last_activity = time.monotonic()
        self._cursor = 0
        self._arrived = asyncio.Event()
        server.add_listener(self._on_call)

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def whoami(self) -> str:
        """Who the console user is for the bot, and how to make them a moderator."""
        uid = self.user["id"]
        if uid in self.admin_ids:
            return f"user {uid} — in ADMIN_IDS, so moderator commands work"
        return f"user {uid} — set ADMIN_IDS={uid} to try moderator commands"

    # -- lines in ----------------------------------------------------------------------
    async def handle_line(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        update = self._update_for(line)
        if update is None:
            return
        try:
            await self.server.wait_consumed(update, timeout=30)
        except TimeoutError:
            self.print("  (the bot has not handled this within 30 s; carrying on)")
        self.drain()

    def _update_for(self, line: str) -> dict[str, Any] | None:
        inject = self.server.inject
        if match := _LOCATION_RE.match(line):
            lat, lon = float(match.group(1)), float(match.group(2))
            return inject.location(self.user, lat, lon)
        if match := _LOCAL_RE.match(line):
            return self._local(match.group(1), (match.group(2) or "").strip())
        if line.startswith("@"):
            return inject.inline_query(self.user, line[1:].strip())
        button = self._find_button(line)
        if button is None:
            return inject.message(self.user, line)
        if button.kind == "callback":
            try:
                return inject.callback(self.user, button.payload, message_id=button.message_id)
            except LookupError:  # the message was edited or deleted since it was shown
                self.print(
                    f"  (the button “{button.label}” is no longer there: the message has "
                    "changed; use the latest buttons)"
                )
                return None
        if button.kind == "location":
            self.print("  (use /location LAT LON to share a location)")
            return None
        if button.kind in {"url", "inline"}:
            self.print(f"  (opens {button.payload})")
            return None
        return inject.message(self.user, button.label)

    def _local(self, command: str, arg: str) -> dict[str, Any] | None:
        """The console's own commands: answered here or turned into a media message."""
        inject = self.server.inject
        if command == "whoami":
            self.print(f"  (you are {self.whoami()})")
            return None
        if command == "sticker":
            emoji = arg.split()[0] if arg else "👍"
            self.print(f"  (sent a {emoji} sticker)")
            return inject.sticker(self.user, emoji)
        if command == "photo" and not arg:
            self.print("  (sent a generated 1×1 photo)")
            return inject.photo(self.user)
        if not arg:
            self.print(f"  (usage: /{command} PATH [CAPTION])")
            return None
        path_text, caption = _path_and_caption(arg)
        path = _expand(path_text)
        content = self._read(path)
        if content is None:
            return None
        if command == "photo":
            self.print(f"  (sent {path.name} as a photo, {len(content)} bytes)")
            return inject.photo(self.user, content, caption=caption)
        mime = mimetypes.guess_type(path.name)[0]
        self.print(f"  (sent {path.name} as a document, {len(content)} bytes)")
        return inject.document(self.user, content, path.name, mime, caption=caption)

    def _read(self, path: Path) -> bytes | None:
        """The file's bytes, or None after a line saying why it cannot be sent."""
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                self.print(f"  ({path} is too large for the console: at most 50 MB)")
                return None
            content = path.read_bytes()
        except OSError as exc:
            self.print(f"  (cannot read {path}: {exc.strerror or exc})")
            return None
        if not content:
            self.print(f"  ({path} is empty: Telegram does not send empty files)")
            return None
        return content

    def _find_button(self, line: str) -> Button | None:
        if line.isdigit():
            index = int(line) - 1
            return self.buttons[index] if 0 <= index < len(self.buttons) else None
        wanted = line.casefold()
        for button in self.buttons:
            if button.label.casefold() == wanted or _strip_icon(button.label) == wanted:
                return button
        return None

    # -- the bot's calls out -------------------------------------------------------------
    def _on_call(self, call: CallRecord) -> None:
        """Devserver listener: note activity and wake `show_background`."""
        if call.method != "getUpdates":
            self.last_activity = time.monotonic()
        if self._shown(call):
            self._arrived.set()

    def _shown(self, call: CallRecord) -> bool:
        """Whether `_render` prints something for this call (only the console's chat)."""
        if not call.ok or call.chat_id not in (None, self.user["id"]):
            return False
        if call.method.startswith("send") or call.method in _SHOWN_EDITS:
            return bool(_sent_messages(call))  # sendChatAction and the like send none
        if call.method == "answerInlineQuery":
            return True
        return call.method == "answerCallbackQuery" and bool(call.params.get("text"))

    def drain(self) -> None:
        """Print the calls not shown yet; around a waiting prompt, redraw it."""
        calls = self.server.get_calls(since=self._cursor)
        if not calls:
            return
        self._cursor = calls[-1].index + 1
        shown = [call for call in calls if self._shown(call)]
        if not shown:
            return
        if self.prompt is not None:
            self.out.write("\n")
        for call in shown:
            self._render(call)
        if self.prompt is not None:
            self.out.write(self.prompt)
            self.out.flush()

    async def show_background(self) -> None:
        """Print what the bot sends while nobody waits for it (runs until cancelled)."""
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            self.drain()

    def _render(self, call: CallRecord) -> None:
        if call.method == "answerCallbackQuery":
            self.print(f"  💬 {call.params['text']}")
        elif call.method == "answerInlineQuery":
            self._show_inline(call.params.get("results") or [])
        for message in _sent_messages(call):
            if "location" in message or "venue" in message:
                self._show_location(message)
            else:
                self._show_message(message, edited=call.method in _SHOWN_EDITS)

    def _show_message(self, message: dict[str, Any], *, edited: bool) -> None:
        text = message.get("text") or message.get("caption") or ""
        media = next((icon for kind, icon in _MEDIA_ICONS.items() if kind in message), "")
        if "sticker" in message:
            media = f"{message['sticker'].get('emoji') or ''} (sticker)"
        elif "document" in message:
            media = f"📎 {message['document'].get('file_name') or 'file'}"
        if media:
            text = f"{media} {text}" if text else media
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


def _sent_messages(call: CallRecord) -> list[dict[str, Any]]:
    """The messages a send or edit call produced (sendMediaGroup makes several; an
    edit of an inline message, or sendChatAction, none)."""
    if call.method not in _SHOWN_EDITS and not call.method.startswith("send"):
        return []
    found = call.result if isinstance(call.result, list) else [call.result]
    return [m for m in found if isinstance(m, dict) and "message_id" in m]


def _strip_icon(label: str) -> str:
    """'📜 History' matches a typed 'history'."""
    return re.sub(r"^\W+\s*", "", label).casefold()


def _expand(path: str) -> Path:
    """`~/x` is the home's x; an unknown `~user` stays as typed (and is not found)."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        return Path(path)


def _path_and_caption(arg: str) -> tuple[str, str | None]:
    """`PATH [CAPTION]`: a path with spaces is quoted, or given alone."""
    if arg[:1] in {'"', "'"} and (end := arg.find(arg[0], 1)) > 0:
        return arg[1:end], arg[end + 1 :].strip() or None
    if _expand(arg).is_file():
        return arg, None
    path, _, caption = arg.partition(" ")
    return path, caption.strip() or None


async def _broadcasting(runner: BotRunner) -> bool:
    """Whether an announcement is due or being sent (its report still to come)."""
    if runner.db is None:
        return False
    repo = OutboxRepo(runner.db)
    now = time.time()
    try:
        if await repo.runnable(now) or await repo.backlog():
            return True
        for announcement_id in await repo.recent(3):
            announcement = await repo.get(announcement_id)
            if announcement is not None and (announcement.lease_until or 0) > now:
                return True  # its runner still holds it: the final report is on its way
    except Exception:  # the console ends cleanly even if the database is gone
        return False
    return False


async def settle(console: Console, runner: BotRunner) -> None:
    """At end of input, give what the bot is still sending a bounded moment to arrive,
    so a piped script sees an announcement it confirmed in its last lines."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_LIMIT_S
    while loop.time() < deadline:
        await asyncio.sleep(_SETTLE_STEP_S)
        console.drain()
        quiet = time.monotonic() - console.last_activity >= SETTLE_QUIET_S
        if quiet and not await _broadcasting(runner):
            break
    console.drain()


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
    settings = settings.model_copy(
        update={
            "throttle_rate": CONSOLE_THROTTLE_RATE,
            "throttle_burst": CONSOLE_THROTTLE_BURST,
        }
    )
    async with DevServer() as server:
        runner = BotRunner(
            settings, token=CONSOLE_TOKEN, api_base=server.url, handle_as_tasks=False
        )
        async with runner:
            await server.wait_for_long_poll(timeout=30)
            console = Console(server, stdout, language_code, settings.admin_ids)
            if interactive:
                console.print(_BANNER)
            console.print(f"You are {console.whoami()}.")
            background = asyncio.create_task(console.show_background(), name="console-output")
            try:
                await _read_lines(console, stdin, interactive)
                await settle(console, runner)
            finally:
                background.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await background
    return 0


async def _read_lines(console: Console, stdin: TextIO, interactive: bool) -> None:
    while True:
        console.drain()
        if interactive:
            console.prompt = "you> "
            console.out.write(console.prompt)
            console.out.flush()
        line = await asyncio.to_thread(stdin.readline)
        console.prompt = None
        if not line:
            return
        if not interactive and line.strip():
            console.print(f"> {line.strip()}")
        await console.handle_line(line)
