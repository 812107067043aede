"""Local fake of the Telegram Bot API for development, e2e tests and benchmarks.

Quick use::

    async with DevServer() as server:
        bot = Bot("123456:TEST", session=AiohttpSession(
            api=TelegramAPIServer.from_base(server.url)))
        update = server.inject.command(42, "/start", first_name="Aida", language_code="kk")
        ...  # run the dispatcher (polling) against server.url
        await server.wait_consumed(update)
        print([m.text for m in server.messages_to(42)])

See ``devserver/README.md`` for the control HTTP API, faults and limits.
"""

from __future__ import annotations

from .errors import ApiError
from .faults import Fault, FaultKind
from .inject import Injector
from .limits import SEND_METHODS, LimitConfig
from .records import CallRecord
from .server import DevServer, run, serve_forever
from .state import InlineMessage, StoredMessage

__all__ = [
    "SEND_METHODS",
    "ApiError",
    "CallRecord",
    "DevServer",
    "Fault",
    "FaultKind",
    "Injector",
    "InlineMessage",
    "LimitConfig",
    "StoredMessage",
    "run",
    "serve_forever",
]
