"""A user in a chat with the bot on the devserver: type, press, upload, read the answer.

Shared by the end-to-end tests of the browsing and moderation features.
"""

from __future__ import annotations

from typing import Any

from devserver import DevServer, StoredMessage


class Chat:
    def __init__(self, server: DevServer, uid: int, lang: str = "en") -> None:
        self.server, self.uid, self.lang = server, uid, lang

    async def send(self, text: str) -> StoredMessage:
        update = self.server.inject.message(self.uid, text, language_code=self.lang)
        await self.server.wait_consumed(update, timeout=15)
        return self.last

    async def press(
        self, data: str | None = None, *, label: str | None = None, check: bool = True
    ) -> dict[str, Any] | None:
        """Press a button; returns the callback answer (alerts) if any."""
        update = self.server.inject.callback(
            self.uid, data, button_text=label, check_button=check, language_code=self.lang
        )
        await self.server.wait_consumed(update, timeout=15)
        return self.server.callback_answer(update["callback_query"]["id"])

    async def upload(self, content: bytes, file_name: str) -> StoredMessage:
        update = self.server.inject.document(self.uid, content, file_name, language_code=self.lang)
        await self.server.wait_consumed(update, timeout=20)
        return self.last

    async def choose_language(self) -> None:
        await self.send("/start")
        await self.press(f"lang:{self.lang}")

    @property
    def last(self) -> StoredMessage:
        return self.server.messages_to(self.uid)[-1]

    def texts(self) -> list[str]:
        return [m.text or "" for m in self.server.messages_to(self.uid)]

    def labels(self) -> list[str]:
        return [b["text"] for row in self.last.buttons for b in row]

    def datas(self) -> list[str]:
        return [b.get("callback_data", "") for row in self.last.buttons for b in row]
