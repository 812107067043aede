"""Turn an HTTP request into Bot API parameters.

aiogram posts ``application/x-www-form-urlencoded`` (or ``multipart/form-data``
when files are attached) where every value is a string: numbers and booleans are
JSON literals, objects such as ``reply_markup`` are JSON text, uploads are parts
referenced as ``attach://<name>``.  Other clients post JSON bodies or use the
query string.  Everything ends up as one ``dict`` of Python values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import bad_request

TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")

# Parameters whose value is text even if it looks like a number or JSON literal.
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "query",
        "parse_mode",
        "inline_message_id",
        "callback_query_id",
        "inline_query_id",
        "next_offset",
        "url",
        "description",
        "short_description",
        "name",
        "title",
        "address",
        "action",
        "language_code",
        "emoji",
        "file_id",
        "photo",
        "document",
        "sticker",
        "video",
        "audio",
        "voice",
        "animation",
        "video_note",
        "thumbnail",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "secret_token",
        "ip_address",
        "start_parameter",
        "switch_pm_text",
        "switch_pm_parameter",
        "business_connection_id",
        "message_effect_id",
        "custom_title",
        "certificate",
        "payload",
        "provider_token",
        "currency",
        "question",
        "explanation",
    }
)

# Parameters that always carry JSON (objects or arrays) when sent as a string.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "results",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
        "button",
        "media",
        "message_ids",
        "options",
        "prices",
        "explanation_entities",
    }
)

_JSONISH_START = frozenset('-0123456789tfn["{')


@dataclass(slots=True)
class Upload:
    """A file part of a multipart request."""

    name: str
    filename: str
    content_type: str
    data: bytes

    def meta(self) -> dict[str, Any]:
        """JSON-friendly description (the bytes stay out of call records)."""
        return {
            "name": self.name,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
        }


def coerce(name: str, value: Any) -> Any:
    """Give a form string its Bot API type (int, bool, dict, list...) by field name."""
    if not isinstance(value, str):
        return value
    if name in STRING_FIELDS:
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    if value and value[0] in _JSONISH_START:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parse query string plus body (urlencoded, multipart or JSON) into typed params."""
    raw: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    if request.query_string:
        raw.update(request.query)
    if request.method == "POST" and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = Upload(
                        name=key,
                        filename=value.filename,
                        content_type=value.content_type,
                        data=value.file.read(),
                    )
                elif isinstance(value, bytes | bytearray):
                    raw[key] = bytes(value).decode("utf-8", "replace")
                else:
                    raw[key] = value
    params = {key: coerce(key, value) for key, value in raw.items()}
    return params, uploads
