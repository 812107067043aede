"""Alembic's environment: migrations run on the connection `bot.storage.database` hands
over (``config.attributes["connection"]``), or, from the `alembic` command line, on
``DATABASE_URL``. `render_as_batch` lets one history alter tables on SQLite too."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.schema import metadata


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_on_url(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(run_on)
    await engine.dispose()


given = context.config.attributes.get("connection")
if given is not None:
    run_on(given)
else:
    asyncio.run(run_on_url(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///var/dostyq.db")))
