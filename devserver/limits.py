"""Optional enforcement of Telegram's flood limits with sliding windows.

Telegram allows about 30 messages per second overall, 1 per second in a private
chat and 20 per minute in a group.  When enabled, a send that would exceed a
window is answered with 429 and ``retry_after`` = seconds until the oldest send
in that window expires (rounded up), like the real API.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .params import ChatKey

# Methods that post a message into a chat (and so count against flood limits).
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendLocation",
        "sendVenue",
        "sendSticker",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendAnimation",
        "sendContact",
        "sendDice",
        "sendPoll",
        "sendMediaGroup",
        "sendVideoNote",
        "copyMessage",
        "forwardMessage",
    }
)


@dataclass(slots=True)
class LimitConfig:
    """Limits; ``enabled`` is off by default so tests and benchmarks run unthrottled."""

    enabled: bool = False
    global_per_second: int = 30
    private_per_second: int = 1
    group_per_minute: int = 20

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class RateLimiter:
    """Sliding-window counters: ``check`` before a send, ``commit`` after success."""

    def __init__(
        self, config: LimitConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or LimitConfig()
        self.clock = clock
        self._global: deque[float] = deque()
        self._chats: dict[ChatKey, deque[float]] = {}

    def reset(self) -> None:
        self._global.clear()
        self._chats.clear()

    def _window(self, chat: ChatKey) -> tuple[int, float]:
        is_group = (isinstance(chat, int) and chat < 0) or isinstance(chat, str)
        if is_group:
            return self.config.group_per_minute, 60.0
        return self.config.private_per_second, 1.0

    @staticmethod
    def _wait(window: deque[float], limit: int, span: float, now: float) -> float:
        while window and window[0] <= now - span:
            window.popleft()
        if limit <= 0 or len(window) < limit:
            return 0.0
        return window[len(window) - limit] + span - now

    def check(self, chat: ChatKey) -> int | None:
        """Seconds to wait if a send to ``chat`` now would exceed a limit, else None."""
        now = self.clock()
        wait = self._wait(self._global, self.config.global_per_second, 1.0, now)
        limit, span = self._window(chat)
        chat_window = self._chats.get(chat)
        if chat_window is not None:
            wait = max(wait, self._wait(chat_window, limit, span, now))
        if wait <= 0:
            return None
        return max(1, math.ceil(wait))

    def commit(self, chat: ChatKey) -> None:
        now = self.clock()
        self._global.append(now)
        self._chats.setdefault(chat, deque()).append(now)
