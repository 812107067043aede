"""The bot's HTTP session to the Bot API: aiogram's, except that one update it cannot
decode does not stop polling, text that is not valid Unicode is repaired on the way in,
and closing a plain-HTTP session does not sleep.

aiogram decodes a whole `getUpdates` answer at once: one update its models reject (the
Bot API added a field or a type aiogram does not know yet, or a server sends a shape it
should not) fails the call, polling retries with the same offset, and nobody's updates
get through again. Here each update is decoded on its own; one that fails is logged and
replaced by its bare `update_id`, so the offset moves past it and the dispatcher skips it
(`bot.inflight.TrackingDispatcher`).

aiogram also parametrises `Response[...]` with the method's return type on every answer.
pydantic keeps a parametrised model only while something refers to it (a weak cache), so
after a garbage collection the next answer built the model again, schema and validator
(3-6 ms; 4.5 % of the bot's busy samples in `bench/updates.py --no-questions`). The session
holds each one it has used (`response_type`).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetUpdates,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import Response
from aiogram.types import Update
from pydantic import ValidationError

from bot.kb.text import repair

log = logging.getLogger(__name__)

#: JSON escapes of surrogates: only an answer holding one can hold a lone one.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def valid_unicode(value: Any) -> Any:
    """`value` (decoded JSON) with every lone surrogate replaced by U+FFFD.

    JSON may carry "\\ud800" alone; Python decodes it into a string that cannot be
    encoded again, so the first database write, search or reply with it fails. Telegram
    does not send such text, but nothing outside the bot is trusted to be well formed."""
    if isinstance(value, str):
        return repair(value)
    if isinstance(value, list):
        return [valid_unicode(item) for item in value]
    if isinstance(value, dict):
        return {key: valid_unicode(item) for key, item in value.items()}
    return value


def loads(content: str) -> Any:
    """`json.loads`, with lone surrogates repaired (looked for only when escaped ones are
    there, so the usual answer costs one regex scan)."""
    data = json.loads(content)
    return valid_unicode(data) if _ESCAPED_SURROGATE.search(content) else data


#: `Response[X]` for each return type `X` answered so far (a few dozen at most).
_RESPONSE_TYPES: dict[Any, type[Response[Any]]] = {}


def response_type(returning: Any) -> type[Response[Any]]:
    """`Response[returning]`, built once per process and kept (see the module's text)."""
    found = _RESPONSE_TYPES.get(returning)
    if found is None:
        found = _RESPONSE_TYPES[returning] = Response[returning]
    return found


#: What nearly every update involves: its decoding, a reply, an edit, a button's answer.
COMMON_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    GetUpdates,
    SendMessage,
    EditMessageText,
    AnswerCallbackQuery,
)


def build_common_types() -> None:
    """Build now, at start, the validators nearly every update needs, which aiogram's
    types otherwise build at their first use (`bot.lazy_types`): the first user after a
    start does not wait for them (about 0.5 s of CPU)."""
    Update.model_rebuild()
    for method in COMMON_METHODS:
        method.model_rebuild()
        response_type(method.__returning__)


class TolerantSession(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(json_loads=loads, **kwargs)

    async def close(self) -> None:
        """aiogram waits 250 ms after closing for SSL connections to shut down; a plain
        HTTP server (the devserver, a local Bot API server) has none to wait for."""
        if self.api.base.startswith("https://"):
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()

    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        response_type(method.__returning__)  # aiogram's `Response[...]` finds it built
        try:
            return super().check_response(bot, method, status_code, content)
        except ClientDecodeError:
            if not isinstance(method, GetUpdates):
                raise
            repaired = skip_undecodable(bot, content)
            if repaired is None:
                raise
            return super().check_response(bot, method, status_code, repaired)


def skip_undecodable(bot: Bot, content: str) -> str | None:
    """The answer with each update that does not decode cut down to its `update_id`;
    None when the answer itself is not a list of updates with ids."""
    try:
        answer = loads(content)
    except ValueError:
        return None
    updates = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(updates, list):
        return None
    kept: list[dict[str, Any]] = []
    for raw in updates:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(update_id, int):
            return None
        try:
            Update.model_validate(raw, context={"bot": bot})
        except ValidationError as exc:
            kinds = sorted(k for k in raw if k != "update_id")
            log.warning(
                "skipped update %s (%s): it does not decode: %s",
                update_id,
                ", ".join(kinds) or "empty",
                exc.errors(include_url=False, include_input=False)[:3],
            )
            raw = {"update_id": update_id}
        kept.append(raw)
    return json.dumps({**answer, "result": kept})
