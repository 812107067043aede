"""In-memory Telegram world: users, chats, messages, files, bot settings.

Message dicts (``StoredMessage.data``) are Bot API ``Message`` objects and are
never mutated in place: edits replace the dict, so call records and queued
updates that captured an earlier version keep seeing that version.
"""

from __future__ import annotations

import itertools
import time
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BOT_USERNAME = "dostyq_dev_bot"
DEFAULT_BOT_NAME = "Dostyq (dev)"


@dataclass(slots=True)
class StoredMessage:
    """A message in a chat, sent by the bot (``outgoing``) or injected for a user."""

    chat_id: int
    message_id: int
    data: dict[str, Any]
    outgoing: bool
    call_index: int = -1
    raw_text: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    deleted: bool = False
    edits: int = 0

    @property
    def text(self) -> str | None:
        """Plain text (or caption) as the user sees it, markup stripped."""
        value = self.data.get("text", self.data.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def entities(self) -> list[dict[str, Any]]:
        value = self.data.get("entities", self.data.get("caption_entities", []))
        return value if isinstance(value, list) else []

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Inline (or reply) keyboard rows as sent; empty when there is none."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard", markup.get("keyboard", []))
        return rows if isinstance(rows, list) else []

    def to_json(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "outgoing": self.outgoing,
            "call_index": self.call_index,
            "text": self.text,
            "raw_text": self.raw_text,
            "parse_mode": self.parse_mode,
            "reply_markup": self.reply_markup,
            "deleted": self.deleted,
            "edits": self.edits,
            "message": self.data,
        }


@dataclass(slots=True)
class InlineMessage:
    """A message sent via inline mode, addressed by ``inline_message_id``."""

    inline_message_id: str
    text: str
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    raw_text: str | None = None
    edits: int = 0


@dataclass(slots=True)
class StoredFile:
    """A file known to the fake; ``data`` is None for ids we only heard of."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None = None
    file_name: str | None = None
    mime_type: str | None = None

    def file_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_path": self.file_path,
        }
        if self.data is not None:
            result["file_size"] = len(self.data)
        return result


@dataclass(slots=True)
class ChatState:
    chat: dict[str, Any]
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    outgoing: list[StoredMessage] = field(default_factory=list)


def chat_for_id(chat_id: int, user: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A plausible ``Chat`` for an id: users are private chats, negatives are groups."""
    if chat_id > 0:
        chat: dict[str, Any] = {"id": chat_id, "type": "private"}
        if user:
            for key in ("first_name", "last_name", "username"):
                if user.get(key):
                    chat[key] = user[key]
        else:
            chat["first_name"] = f"User {chat_id}"
        return chat
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"Dev {kind} {chat_id}"}


class BotState:
    """Everything the fake remembers between calls (reset by ``DevServer.reset``)."""

    def __init__(
        self, bot_username: str = DEFAULT_BOT_USERNAME, bot_name: str = DEFAULT_BOT_NAME
    ) -> None:
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.bot_id = 1
        self._ids = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        """Forget the world; id counters keep running so ids stay unique."""
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.inline_messages: dict[str, InlineMessage] = {}
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.inline_queries: dict[str, dict[str, Any]] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.texts: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook_url = ""

    # -- identities -----------------------------------------------------------------
    def next_id(self) -> int:
        """Monotonic counter for callback/inline/file ids."""
        return next(self._ids)

    def bot_user(self, bot_id: int | None = None, full: bool = False) -> dict[str, Any]:
        """The bot's ``User``; ``full`` adds the getMe-only capability flags."""
        user: dict[str, Any] = {
            "id": self.bot_id if bot_id is None else bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }
        if full:
            user.update(
                can_join_groups=True,
                can_read_all_group_messages=False,
                supports_inline_queries=True,
                can_connect_to_business=False,
                has_main_web_app=False,
            )
        return user

    # -- chats and messages ----------------------------------------------------------
    def chat(self, chat_id: int) -> ChatState:
        """The chat's state, created on first use (any numeric id is reachable)."""
        state = self.chats.get(chat_id)
        if state is None:
            state = ChatState(chat=chat_for_id(chat_id, self.users.get(chat_id)))
            self.chats[chat_id] = state
        return state

    def add_message(
        self,
        chat_id: int,
        sender: dict[str, Any],
        content: dict[str, Any],
        *,
        outgoing: bool,
        chat: dict[str, Any] | None = None,
    ) -> StoredMessage:
        """Append a message with the chat's next ``message_id``."""
        state = self.chat(chat_id)
        if chat is not None:
            state.chat = chat
        message_id = state.next_message_id
        state.next_message_id += 1
        data: dict[str, Any] = {
            "message_id": message_id,
            "from": sender,
            "chat": state.chat,
            "date": int(time.time()),
        }
        data.update(content)
        stored = StoredMessage(chat_id=chat_id, message_id=message_id, data=data, outgoing=outgoing)
        state.messages[message_id] = stored
        if outgoing:
            state.outgoing.append(stored)
        return stored

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        state = self.chats.get(chat_id)
        if state is None:
            return None
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            return None
        return message

    def bot_messages(
        self, chat_id: int, since: int = 0, include_deleted: bool = False
    ) -> list[StoredMessage]:
        """Bot messages in a chat created by call index >= ``since`` (bisect, no scan)."""
        state = self.chats.get(chat_id)
        if state is None:
            return []
        outgoing = state.outgoing
        start = bisect_left(outgoing, since, key=lambda m: m.call_index) if since else 0
        return [m for m in outgoing[start:] if include_deleted or not m.deleted]

    # -- files ----------------------------------------------------------------------
    def add_file(
        self,
        kind: str,
        data: bytes | None,
        file_name: str | None = None,
        mime_type: str | None = None,
        file_id: str | None = None,
    ) -> StoredFile:
        number = self.next_id()
        extension = ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=file_id or f"DEV{kind[:3].upper()}{number:06d}",
            file_unique_id=f"u{number:06d}",
            file_path=f"{kind}s/file_{number}{extension}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored
