"""Build updates as if real users did something, and queue them for ``getUpdates``.

Users may be given as an id (remembered: later calls reuse the name/language
set earlier) or as a ``User`` dict.  Messages a user sends are stored in the
chat (they take the chat's next ``message_id``) so the bot can reply to,
delete or forward them, and callback presses carry the *current* stored bot
message exactly as aiogram expects.
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from collections.abc import Mapping
from typing import Any

from . import markup as markup_parser
from .api_media import document_json, photo_sizes, sticker_json
from .faults import FaultInjector, FaultKind
from .keyboards import validate_markup
from .state import BotState, InlineMessage, StoredMessage, chat_for_id
from .updates import UpdateQueue

UserLike = int | Mapping[str, Any]
ChatLike = int | Mapping[str, Any]

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
BLOCK_TAG = "blocked"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


TINY_PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
    + _png_chunk(b"IEND", b"")
)


def command_entities(text: str) -> list[dict[str, Any]]:
    """A ``bot_command`` entity for a leading ``/command`` (what clients attach)."""
    match = _COMMAND_RE.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(match.group(0))}]


class Injector:
    """Creates user-side updates in :class:`BotState` and pushes them to the queue."""

    def __init__(self, state: BotState, updates: UpdateQueue, faults: FaultInjector) -> None:
        self.state = state
        self.updates = updates
        self.faults = faults

    # -- people and places -------------------------------------------------------
    def user(
        self, user: UserLike, first_name: str | None = None, language_code: str | None = None
    ) -> dict[str, Any]:
        """Resolve and remember a user; explicit names override remembered ones."""
        if isinstance(user, Mapping):
            if not isinstance(user.get("id"), int):
                raise ValueError("user dict needs an integer 'id'")
            uid = int(user["id"])
            data = {**self.state.users.get(uid, {}), **dict(user)}
        elif isinstance(user, int) and not isinstance(user, bool):
            uid = user
            data = dict(self.state.users.get(uid, {"id": uid}))
        else:
            raise ValueError("user must be an int id or a User dict")
        if uid <= 0:
            raise ValueError("user id must be positive")
        data["id"] = uid
        data.setdefault("is_bot", False)
        if first_name:
            data["first_name"] = first_name
        data.setdefault("first_name", f"User {uid}")
        if language_code:
            data["language_code"] = language_code
        self.state.users[uid] = data
        private = self.state.chats.get(uid)
        if private is not None:
            private.chat = chat_for_id(uid, data)
        return dict(data)

    def _chat(self, user: dict[str, Any], chat: ChatLike | None) -> tuple[int, dict[str, Any]]:
        if chat is None:
            return user["id"], chat_for_id(user["id"], user)
        if isinstance(chat, Mapping):
            data = dict(chat)
            if not isinstance(data.get("id"), int) or "type" not in data:
                raise ValueError("chat dict needs integer 'id' and 'type'")
            return int(data["id"]), data
        existing = self.state.chats.get(chat)
        return chat, existing.chat if existing else chat_for_id(chat)

    def _send(
        self, user: dict[str, Any], content: dict[str, Any], chat: ChatLike | None
    ) -> dict[str, Any]:
        chat_id, chat_data = self._chat(user, chat)
        stored = self.state.add_message(chat_id, user, content, outgoing=False, chat=chat_data)
        return self.updates.push({"message": stored.data})

    def _reply(self, chat_id: int, message_id: int | None) -> dict[str, Any] | None:
        if message_id is None:
            return None
        target = self.state.find_message(chat_id, message_id)
        if target is None:
            raise LookupError(f"no message {message_id} in chat {chat_id} to reply to")
        data = dict(target.data)
        data.pop("reply_to_message", None)
        return data

    # -- messages ----------------------------------------------------------------
    def message(
        self,
        user: UserLike,
        text: str,
        *,
        chat: ChatLike | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A text message; a leading ``/command`` gets its ``bot_command`` entity."""
        if not text:
            raise ValueError("text must not be empty")
        sender = self.user(user, first_name, language_code)
        content: dict[str, Any] = {"text": text}
        found = command_entities(text) if entities is None else entities
        if found:
            content["entities"] = found
        chat_id, _ = self._chat(sender, chat)
        reply = self._reply(chat_id, reply_to_message_id)
        if reply is not None:
            content["reply_to_message"] = reply
        return self._send(sender, content, chat)

    def command(
        self,
        user: UserLike,
        command: str,
        args: str | None = None,
        *,
        chat: ChatLike | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """``/command [args]`` (the slash is optional in ``command``)."""
        text = command if command.startswith("/") else f"/{command}"
        if args:
            text = f"{text} {args}"
        return self.message(
            user, text, chat=chat, first_name=first_name, language_code=language_code
        )

    def location(
        self,
        user: UserLike,
        latitude: float,
        longitude: float,
        *,
        chat: ChatLike | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        sender = self.user(user, first_name, language_code)
        content = {"location": {"latitude": float(latitude), "longitude": float(longitude)}}
        return self._send(sender, content, chat)

    def document(
        self,
        user: UserLike,
        content: bytes,
        file_name: str,
        mime_type: str | None = None,
        *,
        caption: str | None = None,
        chat: ChatLike | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """A document whose bytes the bot can fetch with getFile + download."""
        sender = self.user(user, first_name, language_code)
        stored = self.state.add_file(
            "document", bytes(content), file_name, mime_type or "application/octet-stream"
        )
        body: dict[str, Any] = {"document": document_json(stored)}
        if caption:
            body["caption"] = caption
        return self._send(sender, body, chat)

    def photo(
        self,
        user: UserLike,
        content: bytes | None = None,
        *,
        caption: str | None = None,
        chat: ChatLike | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """A photo (a 1x1 PNG unless ``content`` is given)."""
        sender = self.user(user, first_name, language_code)
        stored = self.state.add_file("photo", content or TINY_PNG, "photo.png", "image/png")
        body: dict[str, Any] = {"photo": photo_sizes(stored)}
        if caption:
            body["caption"] = caption
        return self._send(sender, body, chat)

    def sticker(
        self,
        user: UserLike,
        emoji: str = "👍",
        *,
        chat: ChatLike | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        sender = self.user(user, first_name, language_code)
        stored = self.state.add_file("sticker", TINY_PNG, "sticker.webp", "image/webp")
        return self._send(sender, {"sticker": sticker_json(stored, emoji)}, chat)

    # -- callback and inline ---------------------------------------------------------
    def _target_message(self, chat_id: int, message_id: int | None) -> StoredMessage:
        if message_id is None:
            state = self.state.chats.get(chat_id)
            candidates = [m for m in (state.outgoing if state else []) if not m.deleted]
            if not candidates:
                raise LookupError(f"the bot has sent no message to chat {chat_id}")
            return candidates[-1]
        found = self.state.find_message(chat_id, message_id)
        if found is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        return found

    def callback(
        self,
        user: UserLike,
        data: str | None = None,
        *,
        message_id: int | None = None,
        button_text: str | None = None,
        chat: ChatLike | None = None,
        inline_message_id: str | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
        check_button: bool = True,
    ) -> dict[str, Any]:
        """Press an inline button on a bot message (default: the latest one in the chat).

        ``button_text`` finds the button by its label.  With ``check_button`` the
        data must belong to a button of that message, as for a real user.
        """
        sender = self.user(user, first_name, language_code)
        query: dict[str, Any] = {"id": str(9_000_000 + self.state.next_id()), "from": sender}
        if inline_message_id is not None:
            inline = self.state.inline_messages.get(inline_message_id)
            if inline is None:
                raise LookupError(f"unknown inline_message_id {inline_message_id!r}")
            markup = inline.reply_markup
            query["inline_message_id"] = inline_message_id
            query["chat_instance"] = f"inline{inline_message_id}"
        else:
            chat_id, _ = self._chat(sender, chat)
            target = self._target_message(chat_id, message_id)
            markup = target.reply_markup
            query["message"] = target.data
            query["chat_instance"] = str(abs(chat_id) * 7919 % 10**12)
        buttons = [
            b
            for row in (markup or {}).get("inline_keyboard", [])
            for b in row
            if isinstance(b, dict)
        ]
        if button_text is not None:
            pressed = next((b for b in buttons if b.get("text") == button_text), None)
            if pressed is None or "callback_data" not in pressed:
                raise LookupError(f"no callback button labelled {button_text!r}")
            data = str(pressed["callback_data"])
        if data is None:
            raise ValueError("give data or button_text")
        if check_button and not any(b.get("callback_data") == data for b in buttons):
            raise LookupError(f"the message has no button with callback_data {data!r}")
        query["data"] = data
        self.state.callback_queries[query["id"]] = query
        return self.updates.push({"callback_query": query})

    def inline_query(
        self,
        user: UserLike,
        query: str = "",
        offset: str = "",
        *,
        chat_type: str | None = "sender",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        sender = self.user(user, first_name, language_code)
        inline: dict[str, Any] = {
            "id": str(8_000_000 + self.state.next_id()),
            "from": sender,
            "query": query,
            "offset": offset,
        }
        if chat_type:
            inline["chat_type"] = chat_type
        self.state.inline_queries[inline["id"]] = inline
        return self.updates.push({"inline_query": inline})

    def _answered_result(self, user_id: int, result_id: str) -> dict[str, Any] | None:
        for query_id in reversed(list(self.state.inline_answers)):
            query = self.state.inline_queries.get(query_id, {})
            if query.get("from", {}).get("id") != user_id:
                continue
            for result in self.state.inline_answers[query_id].get("results", []):
                if isinstance(result, dict) and str(result.get("id")) == result_id:
                    return result
        return None

    def chosen_inline_result(
        self,
        user: UserLike,
        result_id: str,
        query: str = "",
        *,
        inline_message_id: str | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """The user picked a result; creates an editable inline message when possible."""
        sender = self.user(user, first_name, language_code)
        chosen: dict[str, Any] = {"result_id": result_id, "from": sender, "query": query}
        result = self._answered_result(sender["id"], result_id)
        if inline_message_id is None and result is not None:
            inline_message_id = f"DEVINLINE{self.state.next_id():06d}"
            content = result.get("input_message_content") or {}
            raw = str(content.get("message_text") or result.get("title") or result_id)
            try:
                text, entities = markup_parser.parse(raw, content.get("parse_mode"))
            except Exception:  # a bad result text still yields a message
                text, entities = raw, []
            reply_markup = result.get("reply_markup")
            self.state.inline_messages[inline_message_id] = InlineMessage(
                inline_message_id=inline_message_id,
                text=text,
                entities=entities,
                reply_markup=validate_markup(reply_markup) if reply_markup else None,
                raw_text=raw,
            )
        if inline_message_id is not None:
            chosen["inline_message_id"] = inline_message_id
        return self.updates.push({"chosen_inline_result": chosen})

    # -- membership ------------------------------------------------------------------
    def my_chat_member(
        self,
        user: UserLike,
        blocked: bool = True,
        *,
        apply: bool = True,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """The user blocked (or unblocked) the bot; ``apply`` makes sends fail with 403."""
        sender = self.user(user, first_name, language_code)
        uid = sender["id"]
        bot = self.state.bot_user()
        member = {"status": "member", "user": bot}
        kicked = {"status": "kicked", "user": bot, "until_date": 0}
        if apply:
            self.faults.clear(chat_id=uid, tag=BLOCK_TAG)
            if blocked:
                self.faults.add(FaultKind.FORBIDDEN, chat_id=uid, tag=BLOCK_TAG)
        return self.updates.push(
            {
                "my_chat_member": {
                    "chat": chat_for_id(uid, sender),
                    "from": sender,
                    "date": int(time.time()),
                    "old_chat_member": member if blocked else kicked,
                    "new_chat_member": kicked if blocked else member,
                }
            }
        )

    def raw(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Queue a hand-made update (``update_id`` is assigned here)."""
        body = {k: v for k, v in update.items() if k != "update_id"}
        if len(body) != 1:
            raise ValueError("an update has exactly one field besides update_id")
        return self.updates.push(body)
