"""Import every ``api_*`` module so their handlers register, and expose lookup."""

from __future__ import annotations

from . import api_bot, api_media, api_messages
from .context import Handler, method_names, resolve

__all__ = ["Handler", "api_bot", "api_media", "api_messages", "method_names", "resolve"]
