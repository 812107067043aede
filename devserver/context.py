"""What a Bot API method handler gets, and the registry that maps names to handlers.

Handlers are registered with ``@api_method("sendMessage")``; lookup is
case-insensitive like Telegram's.  A handler returns the ``result`` value or
raises :class:`~devserver.errors.ApiError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .params import Params
from .state import BotState, StoredMessage
from .updates import UpdateQueue
from .webhook import WebhookDelivery


@dataclass(slots=True)
class Ctx:
    """One call: parameters, the calling bot's id and the shared state."""

    method: str
    params: Params
    bot_id: int
    state: BotState
    updates: UpdateQueue
    webhook: WebhookDelivery
    created: list[StoredMessage] = field(default_factory=list)

    @property
    def sender(self) -> dict[str, Any]:
        """The bot as a message's ``from``."""
        return self.state.bot_user(self.bot_id)


Handler = Callable[[Ctx], Awaitable[Any]]

_REGISTRY: dict[str, tuple[str, Handler]] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under a Bot API method name."""

    def register(handler: Handler) -> Handler:
        _REGISTRY[name.lower()] = (name, handler)
        return handler

    return register


def resolve(name: str) -> tuple[str, Handler] | None:
    """Canonical method name and handler, or None for an unknown method."""
    return _REGISTRY.get(name.lower())


def method_names() -> list[str]:
    return sorted(canonical for canonical, _ in _REGISTRY.values())
