"""The bot's Prometheus metrics (`prometheus-client`), served at ``/metrics``.

Each `Metrics` has a registry of its own, so every dispatcher a process (or a test)
builds counts apart; nothing is registered at import time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.broadcast.outbox import Outcome

#: Seconds: an answer from the KB takes tens of milliseconds, a document upload seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter(
            "dostyq_updates", "Updates handled, by type", ["type"], registry=registry
        )
        self.update_seconds = Histogram(
            "dostyq_update_seconds",
            "Time from receiving an update to the end of its handling, by type",
            ["type"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.in_flight = Gauge(
            "dostyq_updates_in_flight", "Updates being handled now", registry=registry
        )
        self.questions = Counter(
            "dostyq_questions",
            "Free-text questions, by outcome (answered or abstained)",
            ["outcome"],
            registry=registry,
        )
        self.broadcast_sends = Counter(
            "dostyq_broadcast_sends",
            "Announcement messages by outcome (sent, blocked, failed, retry)",
            ["outcome"],
            registry=registry,
        )
        self.retry_after = Counter(
            "dostyq_telegram_retry_after",
            "Bot API calls answered 429 (flood control), by method",
            ["method"],
            registry=registry,
        )
        self.outbox_backlog = Gauge(
            "dostyq_outbox_backlog",
            "Announcement messages waiting to be sent (pending or being sent)",
            registry=registry,
        )
        for outcome in ("answered", "abstained"):
            self.questions.labels(outcome)
        for outcome in ("sent", "blocked", "failed", "retry"):
            self.broadcast_sends.labels(outcome)

    def question(self, answered: bool) -> None:
        self.questions.labels("answered" if answered else "abstained").inc()

    def broadcast_outcome(self, outcome: Outcome) -> None:
        status = outcome.status.value
        self.broadcast_sends.labels("retry" if status == "pending" else status).inc()

    async def exposition(self, backlog: Callable[[], Awaitable[int]]) -> bytes:
        """The text format, with the gauges read now (`backlog` from the database)."""
        self.outbox_backlog.set(await backlog())
        return generate_latest(self.registry)


class RetryAfterCounter(BaseRequestMiddleware):
    """Counts the Bot API's 429s (flood control) of every call the bot makes."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter:
            self.metrics.retry_after.labels(type(method).__name__).inc()
            raise
