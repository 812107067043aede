"""Health and metrics over HTTP: ``/healthz`` (the process answers), ``/readyz`` (it can
serve: database, knowledge base, Redis when set) and ``/metrics`` (Prometheus' text format).

Served beside the webhook in webhook mode, and on `HEALTH_PORT` when polling. Keep
them off the public proxy: only the webhook path needs to face the internet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from redis.asyncio import Redis
from sqlalchemy import text

from bot.broadcast.outbox import OutboxRepo
from bot.kb.search import KnowledgeBase
from bot.metrics import Metrics
from bot.storage.database import Database

log = logging.getLogger(__name__)

#: A check slower than this counts as failed (a probe must answer quickly).
CHECK_TIMEOUT_S = 3.0

Check = Callable[[], Awaitable[None]]


def add_status_routes(
    app: web.Application,
    *,
    db: Database,
    kb: KnowledgeBase,
    metrics: Metrics,
    redis: Redis | None = None,
) -> None:
    checks: dict[str, Check] = {
        "database": lambda: _database(db),
        "knowledge_base": lambda: _kb(kb),
    }
    if redis is not None:
        checks["redis"] = lambda: _redis(redis)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        outcomes = await asyncio.gather(*(_run(check) for check in checks.values()))
        results = dict(zip(checks, outcomes, strict=True))
        ready = all(result == "ok" for result in results.values())
        return web.json_response(
            {"status": "ready" if ready else "not ready", "checks": results},
            status=200 if ready else 503,
        )

    async def metrics_page(request: web.Request) -> web.Response:
        body = await metrics.exposition(OutboxRepo(db).backlog)
        response = web.Response(body=body)
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        response.charset = "utf-8"
        return response

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)


async def _run(check: Check) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await check()
    except Exception as exc:  # any failure makes the process not ready, and says which
        log.warning("readiness check failed: %r", exc)
        return f"failed: {type(exc).__name__}"
    return "ok"


async def _database(db: Database) -> None:
    async with db.read() as conn:
        await conn.execute(text("SELECT 1"))


async def _redis(redis: Redis) -> None:
    await redis.ping()


async def _kb(kb: KnowledgeBase) -> None:
    await asyncio.to_thread(kb.ping)
