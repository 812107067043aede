"""Bot API error values.

Handlers raise :class:`ApiError`; the HTTP layer turns it into Telegram's
``{"ok": false, "error_code": ..., "description": ...}`` envelope with the same
HTTP status, which is what aiogram's ``check_response`` maps to exceptions.
"""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "Bad Request: message to edit not found"
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CHAT_NOT_FOUND = "Bad Request: chat not found"
BLOCKED = "Forbidden: bot was blocked by the user"


class ApiError(Exception):
    """A Bot API failure: HTTP status, Telegram description and optional parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram would answer with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """400 with Telegram's ``Bad Request:`` prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def retry_after(seconds: int) -> ApiError:
    """429 carrying ``parameters.retry_after`` (aiogram raises TelegramRetryAfter)."""
    seconds = max(1, int(seconds))
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
