"""The call log: every Bot API request with its outcome, indexed for cheap reads.

Appending is O(1) plus the number of *waiters for that method*; per-method and
per-chat index lists let tests ask "sendMessage calls to chat X since marker Y"
with a bisect instead of scanning all records (the broadcast benchmark pushes
thousands of calls through here).
"""

from __future__ import annotations

import asyncio
import logging
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .params import ChatKey

log = logging.getLogger(__name__)

CallPredicate = Callable[["CallRecord"], bool]
CallListener = Callable[["CallRecord"], None]


@dataclass(slots=True)
class CallRecord:
    """One Bot API call: what came in and what the fake answered."""

    index: int
    method: str
    params: dict[str, Any]
    files: list[dict[str, Any]]
    chat_id: ChatKey | None
    time: float
    status: int
    result: Any = None
    error: str | None = None
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "method": self.method,
            "params": self.params,
            "files": self.files,
            "chat_id": self.chat_id,
            "time": self.time,
            "status": self.status,
            "ok": self.ok,
            "result": self.result,
            "error": self.error,
            "duration_ms": round(self.duration_ms, 3),
        }


@dataclass(slots=True)
class _Waiter:
    method: str | None
    chat_id: ChatKey | None
    predicate: CallPredicate | None
    count: int
    future: asyncio.Future[list[CallRecord]]
    matches: list[CallRecord] = field(default_factory=list)

    def offer(self, record: CallRecord) -> None:
        if self.future.done():
            return
        if self.method is not None and record.method != self.method:
            return
        if self.chat_id is not None and record.chat_id != self.chat_id:
            return
        if self.predicate is not None and not self.predicate(record):
            return
        self.matches.append(record)
        if len(self.matches) >= self.count:
            self.future.set_result(self.matches)


class CallLog:
    """Append-only list of :class:`CallRecord` with method/chat indexes and waiters."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []
        self._by_method: dict[str, list[int]] = {}
        self._by_chat: dict[ChatKey, list[int]] = {}
        self._waiters: list[_Waiter] = []
        self.listeners: list[CallListener] = []

    def __len__(self) -> int:
        return len(self.records)

    def clear(self) -> None:
        self.records.clear()
        self._by_method.clear()
        self._by_chat.clear()

    def add(
        self,
        method: str,
        params: dict[str, Any],
        files: list[dict[str, Any]],
        chat_id: ChatKey | None,
        started: float,
        status: int,
        result: Any,
        error: str | None,
        duration_ms: float,
    ) -> CallRecord:
        record = CallRecord(
            index=len(self.records),
            method=method,
            params=params,
            files=files,
            chat_id=chat_id,
            time=started,
            status=status,
            result=result,
            error=error,
            duration_ms=duration_ms,
        )
        self.records.append(record)
        self._by_method.setdefault(method, []).append(record.index)
        if chat_id is not None:
            self._by_chat.setdefault(chat_id, []).append(record.index)
        if self._waiters:
            for waiter in self._waiters:
                waiter.offer(record)
        for listener in self.listeners:
            try:
                listener(record)
            except Exception:
                log.exception("devserver: call listener failed")
        return record

    def query(
        self,
        method: str | None = None,
        chat_id: ChatKey | None = None,
        since: int = 0,
        limit: int | None = None,
    ) -> list[CallRecord]:
        """Records matching method and/or chat with ``index >= since``, oldest first."""
        if method is None and chat_id is None:
            selected = self.records[since:]
        else:
            indexes: list[int] | None = None
            if method is not None:
                indexes = self._by_method.get(method, [])
            if chat_id is not None:
                by_chat = self._by_chat.get(chat_id, [])
                if indexes is None or len(by_chat) < len(indexes):
                    indexes, other = by_chat, indexes
                else:
                    other = by_chat
            else:
                other = None
            assert indexes is not None
            start = bisect_left(indexes, since)
            selected = [self.records[i] for i in indexes[start:]]
            if other is not None:
                selected = [
                    r
                    for r in selected
                    if (method is None or r.method == method)
                    and (chat_id is None or r.chat_id == chat_id)
                ]
        if limit is not None:
            selected = selected[:limit]
        return selected

    async def wait_for(
        self,
        method: str | None,
        predicate: CallPredicate | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the test-helper API
        since: int = 0,
        chat_id: ChatKey | None = None,
    ) -> list[CallRecord]:
        """Resolve once ``count`` records (at/after ``since``) match; no polling."""
        future: asyncio.Future[list[CallRecord]] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(method, chat_id, predicate, max(1, count), future)
        for record in self.query(method, chat_id, since):
            waiter.offer(record)
        if future.done():
            return future.result()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            seen = self.query(method, chat_id, since)[-5:]
            summary = "; ".join(
                f"#{r.index} {r.method} {r.status} {r.error or ''}".strip() for r in seen
            )
            raise TimeoutError(
                f"wait_for_calls({method!r}, count={count}, chat_id={chat_id!r}, "
                f"since={since}): got {len(waiter.matches)} match(es) in {timeout}s; "
                f"recent calls: {summary or 'none'}"
            ) from None
        finally:
            self._waiters.remove(waiter)
