"""The update queue behind ``getUpdates`` with Telegram's offset semantics.

* ``offset > 0`` confirms (drops forever) every update with ``update_id < offset``;
* ``offset < 0`` keeps only the last ``-offset`` updates, forgetting the rest;
* ``timeout`` long-polls: the request returns as soon as an update is pushed;
* ``allowed_updates`` persists between calls; updates of other types are dropped
  (Telegram never delivers them), which also counts as consumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from typing import Any

# Types Telegram delivers when allowed_updates is unset or empty.
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: dict[str, Any]) -> str:
    for key in update:
        if key != "update_id":
            return key
    return ""


class UpdateQueue:
    """Pending updates, long-poll wake-ups and "confirmed" waiters."""

    def __init__(self) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._next_id = 1
        self._confirmed_below = 0
        self._dropped: set[int] = set()
        self._allowed: frozenset[str] | None = None
        self._pollers: list[asyncio.Future[None]] = []
        self._consumed_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._poll_watchers: list[asyncio.Future[None]] = []
        self.polling = 0  # getUpdates requests currently blocked in a long poll
        self._unfiltered = False  # pending may hold updates not checked against _allowed
        self.closed = False

    @property
    def pending(self) -> list[dict[str, Any]]:
        return list(self._pending)

    @property
    def allowed_updates(self) -> frozenset[str] | None:
        return self._allowed

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Assign the next ``update_id`` and wake long-polling ``getUpdates``."""
        update_id = max(self._next_id, self._confirmed_below)
        self._next_id = update_id + 1
        full = {"update_id": update_id, **update}
        self._pending.append(full)
        self._unfiltered = True
        self._wake()
        return full

    def clear(self) -> None:
        """Forget pending updates; ids keep increasing so a running poller's offset works."""
        while self._pending:
            self._drop(self._pending.popleft()["update_id"])
        self._allowed = None

    def close(self) -> None:
        """Release every long poll (they answer ``[]``) so the server can stop."""
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        pollers, self._pollers = self._pollers, []
        for poller in pollers:
            if not poller.done():
                poller.set_result(None)

    def _confirm(self, below: int) -> None:
        while self._pending and self._pending[0]["update_id"] < below:
            self._pending.popleft()
        if below > self._confirmed_below:
            self._confirmed_below = below
            self._resolve_waiters()

    def _drop(self, update_id: int) -> None:
        self._dropped.add(update_id)
        self._resolve_waiters()

    def is_consumed(self, update_id: int) -> bool:
        return update_id < self._confirmed_below or update_id in self._dropped

    def _resolve_waiters(self) -> None:
        if not self._consumed_waiters:
            return
        keep: list[tuple[int, asyncio.Future[None]]] = []
        for update_id, future in self._consumed_waiters:
            if self.is_consumed(update_id):
                if not future.done():
                    future.set_result(None)
            elif not future.done():
                keep.append((update_id, future))
        self._consumed_waiters = keep

    def _apply_offset(self, offset: int) -> None:
        if offset > 0:
            self._confirm(offset)
        elif offset < 0:
            keep = -offset
            if len(self._pending) > keep:
                first_kept = self._pending[len(self._pending) - keep]["update_id"]
                self._confirm(first_kept)

    def _filter(self) -> None:
        if not self._unfiltered:
            return
        self._unfiltered = False
        allowed = self._allowed
        kept: deque[dict[str, Any]] = deque()
        for update in self._pending:
            kind = update_type(update)
            ok = kind not in DEFAULT_EXCLUDED if allowed is None else kind in allowed
            if ok:
                kept.append(update)
            else:
                self._dropped.add(update["update_id"])
        if len(kept) != len(self._pending):
            self._pending = kept
            self._resolve_waiters()

    async def get(
        self, offset: int, limit: int, wait: float, allowed_updates: list[str] | None
    ) -> list[dict[str, Any]]:
        """The ``getUpdates`` algorithm; long-polls up to ``wait`` seconds."""
        if allowed_updates is not None:
            self._allowed = frozenset(allowed_updates) if allowed_updates else None
            self._unfiltered = True
        self._apply_offset(offset)
        limit = 100 if limit <= 0 else min(limit, 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, wait)
        while True:
            if self.closed:
                return []
            self._filter()
            if self._pending:
                return list(itertools.islice(self._pending, limit))
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            # A future per waiting request (not a shared Event): nothing outlives
            # the request or gets bound to another event loop.
            poller: asyncio.Future[None] = loop.create_future()
            self._pollers.append(poller)
            self.polling += 1
            watchers, self._poll_watchers = self._poll_watchers, []
            for watcher in watchers:
                if not watcher.done():
                    watcher.set_result(None)
            try:
                async with asyncio.timeout(remaining):
                    await poller
            except TimeoutError:
                return []
            finally:
                self.polling -= 1
                if poller in self._pollers:
                    self._pollers.remove(poller)

    # -- webhook delivery (see webhook.py) ----------------------------------------------
    def set_allowed(self, allowed_updates: list[str] | None) -> None:
        """``allowed_updates`` of ``setWebhook`` (None keeps what was set before)."""
        if allowed_updates is not None:
            self._allowed = frozenset(allowed_updates) if allowed_updates else None
            self._unfiltered = True

    async def next_to_deliver(
        self, busy: set[int], not_before: dict[int, float]
    ) -> dict[str, Any] | None:
        """The oldest pending update not in `busy` whose retry time has come; waits for
        one (a push wakes it, as it wakes long polls). None once the queue is closed."""
        loop = asyncio.get_running_loop()
        while True:
            if self.closed:
                return None
            self._filter()
            now = loop.time()
            wake_at: float | None = None
            for update in self._pending:
                update_id = update["update_id"]
                if update_id in busy:
                    continue
                due = not_before.get(update_id, 0.0)
                if due <= now:
                    return update
                wake_at = due if wake_at is None else min(wake_at, due)
            waiter: asyncio.Future[None] = loop.create_future()
            self._pollers.append(waiter)
            try:
                if wake_at is None:
                    await waiter
                else:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wake_at - now):
                            await waiter
            finally:
                if waiter in self._pollers:
                    self._pollers.remove(waiter)

    def acknowledge(self, update_id: int) -> None:
        """A webhook delivery succeeded (or was given up): the update is consumed."""
        self._pending = deque(u for u in self._pending if u["update_id"] != update_id)
        self._drop(update_id)

    def wake(self) -> None:
        """Wake whoever waits for updates (a delivery slot came free)."""
        self._wake()

    async def wait_poller(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once some ``getUpdates`` is blocked in a long poll (the bot is idle)."""
        if self.polling:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._poll_watchers.append(future)
        try:
            async with asyncio.timeout(timeout):
                await future
        except TimeoutError:
            raise TimeoutError(f"no getUpdates long poll within {timeout}s") from None
        finally:
            if future in self._poll_watchers:
                self._poll_watchers.remove(future)

    async def wait_consumed(self, update_id: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once a ``getUpdates`` confirmed ``update_id`` (offset > update_id)."""
        if self.is_consumed(update_id):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._consumed_waiters.append((update_id, future))
        try:
            async with asyncio.timeout(timeout):
                await future
        except TimeoutError:
            raise TimeoutError(
                f"update {update_id} not confirmed within {timeout}s "
                f"(confirmed below {self._confirmed_below}; is the bot polling?)"
            ) from None
        finally:
            self._consumed_waiters = [(u, f) for u, f in self._consumed_waiters if f is not future]
