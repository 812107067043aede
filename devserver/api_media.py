"""Media and other content: photos, documents, stickers, locations, files.

Uploads are kept in memory so ``getFile`` + ``/file/bot<token>/<path>`` can
serve them back; unknown ``file_id`` strings are accepted (a dev bot may reuse
ids cached from production) and registered without content.
"""

from __future__ import annotations

import mimetypes
import struct
from typing import Any

from .api_messages import add_caption, deliver
from .context import Ctx, api_method
from .errors import bad_request
from .parsing import Upload
from .state import StoredFile

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def resolve_file(ctx: Ctx, value: Upload | str | None, kind: str) -> StoredFile:
    """Register an upload, or look up / accept a ``file_id`` or URL."""
    state = ctx.state
    if value is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, Upload):
        if not value.data:
            raise bad_request("file must be non-empty")
        mime = value.content_type
        if mime in ("", "application/octet-stream"):
            mime = mimetypes.guess_type(value.filename)[0] or mime
        return state.add_file(kind, value.data, value.filename, mime)
    known = state.files.get(value)
    if known is not None:
        return known
    if value.startswith(("http://", "https://")):
        name = value.rsplit("/", 1)[-1] or None
        return state.add_file(kind, None, name, mimetypes.guess_type(value)[0])
    if not value.strip():
        raise bad_request("wrong file identifier/HTTP URL specified")
    return state.add_file(kind, None, file_id=value)


def image_size(data: bytes | None) -> tuple[int, int]:
    """PNG dimensions when recognisable, else a typical photo size."""
    if data and data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        if width and height:
            return int(width), int(height)
    return 640, 480


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    width, height = image_size(stored.data)
    size: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": width,
        "height": height,
    }
    if stored.data is not None:
        size["file_size"] = len(stored.data)
    return [size]


def document_json(stored: StoredFile) -> dict[str, Any]:
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    if stored.data is not None:
        document["file_size"] = len(stored.data)
    return document


def sticker_json(stored: StoredFile, emoji: str | None = None) -> dict[str, Any]:
    sticker: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    if emoji:
        sticker["emoji"] = emoji
    if stored.data is not None:
        sticker["file_size"] = len(stored.data)
    return sticker


@api_method("sendPhoto")
async def send_photo(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    chat_id = params.int_chat_id()
    stored = resolve_file(ctx, params.input_file("photo"), "photo")
    content: dict[str, Any] = {"photo": photo_sizes(stored)}
    raw = add_caption(params, content)
    return deliver(ctx, chat_id, content, raw_text=raw)


@api_method("sendDocument")
async def send_document(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    chat_id = params.int_chat_id()
    stored = resolve_file(ctx, params.input_file("document"), "document")
    content: dict[str, Any] = {"document": document_json(stored)}
    raw = add_caption(params, content)
    return deliver(ctx, chat_id, content, raw_text=raw)


@api_method("sendSticker")
async def send_sticker(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    chat_id = params.int_chat_id()
    stored = resolve_file(ctx, params.input_file("sticker"), "sticker")
    content = {"sticker": sticker_json(stored, params.opt_str("emoji"))}
    return deliver(ctx, chat_id, content)


def _location(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    latitude = params.req_float("latitude")
    longitude = params.req_float("longitude")
    if not -90.0 <= latitude <= 90.0 or not -180.0 <= longitude <= 180.0:
        raise bad_request("wrong location specified")
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    accuracy = params.opt_float("horizontal_accuracy")
    if accuracy is not None:
        location["horizontal_accuracy"] = accuracy
    live_period = params.opt_int("live_period")
    if live_period:
        location["live_period"] = live_period
    return location


@api_method("sendLocation")
async def send_location(ctx: Ctx) -> dict[str, Any]:
    chat_id = ctx.params.int_chat_id()
    return deliver(ctx, chat_id, {"location": _location(ctx)})


@api_method("sendVenue")
async def send_venue(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    chat_id = params.int_chat_id()
    location = _location(ctx)
    venue: dict[str, Any] = {
        "location": location,
        "title": params.req_str("title"),
        "address": params.req_str("address"),
    }
    for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
        value = params.opt_str(key)
        if value:
            venue[key] = value
    return deliver(ctx, chat_id, {"venue": venue, "location": location})


@api_method("sendChatAction")
async def send_chat_action(ctx: Ctx) -> bool:
    params = ctx.params
    params.int_chat_id()
    action = params.opt_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


@api_method("getFile")
async def get_file(ctx: Ctx) -> dict[str, Any]:
    file_id = ctx.params.opt_str("file_id")
    stored = ctx.state.files.get(file_id) if file_id else None
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.file_json()
