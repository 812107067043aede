"""Text messages: sendMessage, editMessage*, deleteMessage, plus shared helpers.

Helpers here (``formatted``, ``deliver``...) are reused by the media methods so
every sent message gets the same reply handling, markup echo and bookkeeping.
"""

from __future__ import annotations

import time
from typing import Any

from . import markup as markup_parser
from .context import Ctx, api_method
from .errors import EDIT_NOT_FOUND, NOT_MODIFIED, ApiError, bad_request
from .keyboards import inline_markup, validate_markup
from .params import Params
from .state import InlineMessage, StoredMessage

MAX_TEXT = 4096
MAX_CAPTION = 1024


def formatted(params: Params, raw: str, entities_field: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities: explicit ``entities`` win over ``parse_mode``."""
    given = params.opt_list(entities_field)
    if given is not None:
        return raw, given
    return markup_parser.parse(raw, params.opt_str("parse_mode"))


def message_text(params: Params) -> tuple[str, list[dict[str, Any]], str]:
    """Validated ``text`` for sendMessage/editMessageText: (plain, entities, raw)."""
    raw = params.opt_str("text")
    if raw is None or not raw.strip():
        raise bad_request("message text is empty")
    text, entities = formatted(params, raw, "entities")
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, entities, raw


def add_caption(params: Params, content: dict[str, Any]) -> str | None:
    """Put ``caption``/``caption_entities`` into ``content``; returns the raw caption."""
    raw = params.opt_str("caption")
    if not raw:
        return None
    caption, entities = formatted(params, raw, "caption_entities")
    if len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    content["caption"] = caption
    if entities:
        content["caption_entities"] = entities
    return raw


def _reply_to(ctx: Ctx, chat_id: int) -> dict[str, Any] | None:
    params = ctx.params
    reply = params.opt_dict("reply_parameters")
    if reply is not None:
        message_id = reply.get("message_id")
        allow = bool(reply.get("allow_sending_without_reply"))
    else:
        message_id = params.opt_int("reply_to_message_id")
        allow = params.opt_bool("allow_sending_without_reply")
    if not isinstance(message_id, int):
        return None
    target = ctx.state.find_message(chat_id, message_id)
    if target is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    data = dict(target.data)
    data.pop("reply_to_message", None)
    return data


def deliver(
    ctx: Ctx, chat_id: int, content: dict[str, Any], *, raw_text: str | None = None
) -> dict[str, Any]:
    """Store a bot message in ``chat_id`` and return its Bot API ``Message``."""
    params = ctx.params
    markup = validate_markup(params.opt_dict("reply_markup"))
    reply = _reply_to(ctx, chat_id)
    if reply is not None:
        content["reply_to_message"] = reply
    echoed = inline_markup(markup)
    if echoed is not None:
        content["reply_markup"] = echoed
    if params.opt_bool("protect_content"):
        content["has_protected_content"] = True
    stored = ctx.state.add_message(chat_id, ctx.sender, content, outgoing=True)
    stored.raw_text = raw_text
    stored.parse_mode = params.opt_str("parse_mode")
    stored.reply_markup = markup
    ctx.created.append(stored)
    return stored.data


@api_method("sendMessage")
async def send_message(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    chat_id = params.int_chat_id()
    text, entities, raw = message_text(params)
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    preview = params.opt_dict("link_preview_options")
    if preview:
        content["link_preview_options"] = preview
    return deliver(ctx, chat_id, content, raw_text=raw)


def _edit_target(ctx: Ctx) -> StoredMessage | InlineMessage:
    params = ctx.params
    inline_id = params.opt_str("inline_message_id")
    if inline_id:
        inline = ctx.state.inline_messages.get(inline_id)
        if inline is None:
            raise ApiError(400, EDIT_NOT_FOUND)
        return inline
    chat_id = params.int_chat_id()
    message_id = params.req_int("message_id", "message identifier is not specified")
    message = ctx.state.find_message(chat_id, message_id)
    if message is None:
        raise ApiError(400, EDIT_NOT_FOUND)
    if not message.outgoing:
        raise bad_request("message can't be edited")
    return message


def _edit_markup(params: Params) -> dict[str, Any] | None:
    markup = validate_markup(params.opt_dict("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def _replace(
    message: StoredMessage,
    changes: dict[str, Any],
    markup: dict[str, Any] | None,
    drop: tuple[str, ...],
) -> dict[str, Any]:
    """Copy-on-write edit: earlier snapshots (records, updates) stay unchanged."""
    data = {k: v for k, v in message.data.items() if k not in (*drop, "reply_markup")}
    data.update({k: v for k, v in changes.items() if v})
    echoed = inline_markup(markup)
    if echoed is not None:
        data["reply_markup"] = echoed
    data["edit_date"] = int(time.time())
    message.data = data
    if message.reply_markup is None or "inline_keyboard" in message.reply_markup:
        message.reply_markup = markup
    message.edits += 1
    return data


@api_method("editMessageText")
async def edit_message_text(ctx: Ctx) -> dict[str, Any] | bool:
    params = ctx.params
    text, entities, raw = message_text(params)
    markup = _edit_markup(params)
    target = _edit_target(ctx)
    new_inline = inline_markup(markup)
    if isinstance(target, InlineMessage):
        if (target.text, target.entities, inline_markup(target.reply_markup)) == (
            text,
            entities,
            new_inline,
        ):
            raise ApiError(400, NOT_MODIFIED)
        target.text, target.entities, target.reply_markup = text, entities, markup
        target.raw_text = raw
        target.edits += 1
        return True
    if "text" not in target.data:
        raise bad_request("there is no text in the message to edit")
    current = (
        target.data["text"],
        target.data.get("entities", []),
        target.data.get("reply_markup"),
    )
    if current == (text, entities, new_inline):
        raise ApiError(400, NOT_MODIFIED)
    data = _replace(target, {"text": text, "entities": entities}, markup, drop=("text", "entities"))
    target.raw_text = raw
    target.parse_mode = params.opt_str("parse_mode")
    return data


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: Ctx) -> dict[str, Any] | bool:
    markup = _edit_markup(ctx.params)
    target = _edit_target(ctx)
    new_inline = inline_markup(markup)
    if isinstance(target, InlineMessage):
        if inline_markup(target.reply_markup) == new_inline:
            raise ApiError(400, NOT_MODIFIED)
        target.reply_markup = markup
        target.edits += 1
        return True
    if target.data.get("reply_markup") == new_inline:
        raise ApiError(400, NOT_MODIFIED)
    return _replace(target, {}, markup, drop=())


@api_method("editMessageCaption")
async def edit_message_caption(ctx: Ctx) -> dict[str, Any] | bool:
    params = ctx.params
    markup = _edit_markup(params)
    target = _edit_target(ctx)
    if isinstance(target, InlineMessage) or "text" in target.data:
        raise bad_request("there is no caption in the message to edit")
    content: dict[str, Any] = {}
    add_caption(params, content)
    current = (
        target.data.get("caption"),
        target.data.get("caption_entities"),
        target.data.get("reply_markup"),
    )
    if current == (content.get("caption"), content.get("caption_entities"), inline_markup(markup)):
        raise ApiError(400, NOT_MODIFIED)
    return _replace(target, content, markup, drop=("caption", "caption_entities"))


@api_method("deleteMessage")
async def delete_message(ctx: Ctx) -> bool:
    params = ctx.params
    chat_id = params.int_chat_id()
    message_id = params.req_int("message_id", "message identifier is not specified")
    message = ctx.state.find_message(chat_id, message_id)
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True
