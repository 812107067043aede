"""Injected failures: make the fake answer like Telegram on a bad day.

A :class:`Fault` is scoped by chat (persistent until removed: a blocked user
stays blocked), by probability (seeded RNG, reproducible), by a count of calls,
and optionally by method names.  Without ``methods`` a fault only touches calls
that target a chat (have ``chat_id``), so polling keeps working; list
``getUpdates`` explicitly to break polling.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .errors import BLOCKED, CHAT_NOT_FOUND, ApiError, retry_after
from .params import ChatKey, chat_key


class FaultKind(StrEnum):
    RETRY_AFTER = "retry_after"
    FORBIDDEN = "forbidden"
    CHAT_NOT_FOUND = "chat_not_found"
    SERVER_ERROR = "server_error"
    LATENCY = "latency"
    ERROR = "error"


_ALIASES = {
    "429": FaultKind.RETRY_AFTER,
    "flood": FaultKind.RETRY_AFTER,
    "403": FaultKind.FORBIDDEN,
    "blocked": FaultKind.FORBIDDEN,
    "400": FaultKind.CHAT_NOT_FOUND,
    "500": FaultKind.SERVER_ERROR,
    "5xx": FaultKind.SERVER_ERROR,
    "502": FaultKind.SERVER_ERROR,
    "bad_gateway": FaultKind.SERVER_ERROR,
    "custom": FaultKind.ERROR,
}
_SERVER_DESCRIPTIONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def parse_kind(kind: str | FaultKind) -> tuple[FaultKind, int | None]:
    """Kind from a name or alias; also returns a status implied by the alias."""
    if isinstance(kind, FaultKind):
        return kind, None
    text = kind.strip().lower()
    implied = {"502": 502, "bad_gateway": 502}.get(text)
    if text in _ALIASES:
        return _ALIASES[text], implied
    try:
        return FaultKind(text), None
    except ValueError:
        raise ValueError(
            f"unknown fault kind {kind!r}; use one of {[k.value for k in FaultKind]}"
        ) from None


@dataclass(slots=True)
class Fault:
    """One failure rule; ``times`` counts down and removes the rule at zero."""

    id: int
    kind: FaultKind
    chat_id: ChatKey | None = None
    methods: frozenset[str] | None = None
    probability: float | None = None
    times: int | None = None
    retry_after: int = 5
    latency_ms: int = 0
    status: int | None = None
    description: str | None = None
    tag: str | None = None
    hits: int = 0

    def error(self) -> ApiError | None:
        if self.kind is FaultKind.LATENCY:
            return None
        if self.kind is FaultKind.RETRY_AFTER:
            return retry_after(self.retry_after)
        if self.kind is FaultKind.FORBIDDEN:
            return ApiError(403, self.description or BLOCKED)
        if self.kind is FaultKind.CHAT_NOT_FOUND:
            return ApiError(400, self.description or CHAT_NOT_FOUND)
        if self.kind is FaultKind.SERVER_ERROR:
            status = self.status or 500
            return ApiError(
                status,
                self.description or _SERVER_DESCRIPTIONS.get(status, "Internal Server Error"),
            )
        return ApiError(self.status or 400, self.description or "Bad Request: injected error")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "chat_id": self.chat_id,
            "methods": sorted(self.methods) if self.methods is not None else None,
            "probability": self.probability,
            "times": self.times,
            "retry_after": self.retry_after,
            "latency_ms": self.latency_ms,
            "status": self.status,
            "description": self.description,
            "tag": self.tag,
            "hits": self.hits,
        }


class FaultInjector:
    """Holds fault rules and decides, per call, the added latency and the error."""

    def __init__(self, seed: int | None = 0) -> None:
        self.rng = random.Random(seed)
        self._by_chat: dict[ChatKey, list[Fault]] = {}
        self._global: list[Fault] = []
        self._next_id = 1

    @property
    def active(self) -> bool:
        return bool(self._by_chat or self._global)

    def seed(self, seed: int | None) -> None:
        self.rng.seed(seed)

    def add(
        self,
        kind: str | FaultKind,
        *,
        chat_id: ChatKey | None = None,
        methods: Iterable[str] | None = None,
        probability: float | None = None,
        times: int | None = None,
        retry_after: int = 5,
        latency_ms: int = 0,
        status: int | None = None,
        description: str | None = None,
        tag: str | None = None,
    ) -> Fault:
        parsed, implied_status = parse_kind(kind)
        if probability is not None and not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be within 0..1")
        if times is not None and times <= 0:
            raise ValueError("times must be positive")
        fault = Fault(
            id=self._next_id,
            kind=parsed,
            chat_id=chat_key(chat_id),
            methods=frozenset(m.lower() for m in methods) if methods is not None else None,
            probability=probability,
            times=times,
            retry_after=retry_after,
            latency_ms=latency_ms,
            status=status or implied_status,
            description=description,
            tag=tag,
        )
        self._next_id += 1
        if fault.chat_id is not None:
            self._by_chat.setdefault(fault.chat_id, []).append(fault)
        else:
            self._global.append(fault)
        return fault

    def list(self) -> list[Fault]:
        faults = [f for chat in self._by_chat.values() for f in chat] + self._global
        return sorted(faults, key=lambda f: f.id)

    def remove(self, fault_id: int) -> bool:
        for fault in self.list():
            if fault.id == fault_id:
                self._discard(fault)
                return True
        return False

    def clear(self, chat_id: ChatKey | None = None, tag: str | None = None) -> int:
        """Remove faults (all, or for one chat, or with a tag); returns how many."""
        doomed = [
            f
            for f in self.list()
            if (chat_id is None or f.chat_id == chat_key(chat_id)) and (tag is None or f.tag == tag)
        ]
        for fault in doomed:
            self._discard(fault)
        return len(doomed)

    def _discard(self, fault: Fault) -> None:
        if fault.chat_id is not None:
            chat = self._by_chat.get(fault.chat_id, [])
            if fault in chat:
                chat.remove(fault)
            if not chat:
                self._by_chat.pop(fault.chat_id, None)
        elif fault in self._global:
            self._global.remove(fault)

    def match(self, method: str, chat: ChatKey | None) -> tuple[float, ApiError | None]:
        """Latency (seconds) and error for a call; consumes ``times`` of fired rules."""
        lowered = method.lower()
        latency = 0.0
        candidates = self._by_chat.get(chat, []) if chat is not None else []
        for fault in (*candidates, *self._global):
            if fault.methods is None:
                if chat is None:
                    continue
            elif lowered not in fault.methods:
                continue
            if fault.probability is not None and self.rng.random() >= fault.probability:
                continue
            fault.hits += 1
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._discard(fault)
            error = fault.error()
            if error is None:
                latency += fault.latency_ms / 1000.0
                continue
            return latency, error
        return latency, None
