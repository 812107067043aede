"""The database core on both backends: units of work, isolation between coroutines,
migrations (Alembic) and the in-place upgrade of a database made by the previous release."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from bot.storage import schema as t
from bot.storage.database import SQLITE_BUSY_MS, Database, head_revision
from bot.storage.legacy import MIGRATIONS
from tests.postgres import create_database, drop_database


async def count(db: Database, table: str) -> int:
    async with db.read() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


def _user(uid: int) -> dict[str, object]:
    return {"id": uid, "first_seen": "2026-01-01", "last_seen": "2026-01-01"}


async def test_a_unit_of_work_that_fails_half_way_leaves_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as tx:
            await tx.execute(insert(t.users).values(_user(1)))
            await tx.execute(
                insert(t.questions).values(
                    user_id=1, text="q", lang="ru", answered=False, created_at="2026-01-01"
                )
            )
            raise RuntimeError("the handler failed after two writes")
    assert await count(database, "users") == 0 and await count(database, "questions") == 0
    async with database.transaction() as tx:  # the next unit of work commits only its own
        await tx.execute(insert(t.users).values(_user(2)))
    assert await count(database, "users") == 1


async def test_a_failed_statement_does_not_commit_the_writes_before_it(
    database: Database,
) -> None:
    async with database.transaction() as tx:
        await tx.execute(insert(t.users).values(_user(1)))
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        async with database.transaction() as tx:
            await tx.execute(insert(t.users).values(_user(2)))
            await tx.execute(insert(t.users).values(_user(1)))  # violates the primary key
    async with database.read() as conn:
        ids = (await conn.execute(select(t.users.c.id))).scalars().all()
    assert ids == [1]


#: A statement that keeps the database busy for a while (a million-row count).
_BUSY = text(
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000) "
    "SELECT count(*) FROM c"
)


async def test_a_task_cancelled_mid_statement_ends_cancelled_and_holds_no_lock(
    database: Database,
) -> None:
    """Shutdown or a timeout cancels a handler while its statement runs: the task ends
    cancelled (not with an error of the dropped connection), its writes are rolled back,
    and the next writer gets the row at once, although the cancelled task's traceback,
    still referenced here, keeps that statement alive (on SQLite it used to keep the
    file's write lock until the garbage collector ran: "database is locked")."""
    running = asyncio.Event()

    async def handler() -> None:
        async with database.transaction() as tx:
            await tx.execute(insert(t.users).values(_user(1)))
            running.set()
            await tx.execute(_BUSY)

    for _ in range(3):
        task = asyncio.create_task(handler())
        await running.wait()
        await asyncio.sleep(0.01)  # inside the busy statement
        task.cancel()
        await asyncio.wait({task})
        assert task.cancelled()
        assert await count(database, "users") == 0
        async with database.transaction() as tx:  # the same row: it waits for no one
            await tx.execute(insert(t.users).values(_user(1)))
        async with database.transaction() as tx:
            await tx.execute(t.users.delete())
        running.clear()


async def test_concurrent_updates_never_see_each_others_uncommitted_writes(
    database: Database,
) -> None:
    """Two coroutines: one writes and waits before committing; the other reads meanwhile
    and sees nothing of it, then the first rolls back and nothing ever existed."""
    written, checked = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        with pytest.raises(LookupError):
            async with database.transaction() as tx:
                await tx.execute(insert(t.users).values(_user(10)))
                written.set()
                await checked.wait()
                raise LookupError("rolled back")

    async def reader() -> int:
        await written.wait()
        try:
            async with database.read() as conn:
                stmt = select(func.count()).select_from(t.users)
                return int((await conn.execute(stmt)).scalar_one())
        finally:
            checked.set()

    _, seen = await asyncio.gather(writer(), reader())
    assert seen == 0
    assert await count(database, "users") == 0


async def test_sqlite_writers_take_turns_instead_of_timing_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write transaction busy for longer than SQLite's busy timeout (shortened here
    from 5 s to 0.3 s): the other writers of the process (and of its broadcast pool)
    wait their turn and all commit, where SQLite's busy handler alone would give them up
    ("database is locked")."""
    monkeypatch.setattr("bot.storage.database.SQLITE_BUSY_MS", 300)
    db = await Database.open(tmp_path / "bot.db")
    sibling = db.sibling()
    started = asyncio.Event()

    async def slow() -> None:
        async with db.transaction() as tx:
            await tx.execute(insert(t.users).values(_user(1)))
            started.set()
            await asyncio.sleep(0.5)  # past the busy timeout

    async def quick(uid: int) -> None:
        await started.wait()
        async with (db if uid % 2 else sibling).transaction() as tx:
            await tx.execute(insert(t.users).values(_user(uid)))

    try:
        await asyncio.gather(slow(), *(quick(uid) for uid in range(2, 22)))
        assert await count(db, "users") == 21
    finally:
        await sibling.close()
        await db.close()


async def test_migrations_run_once_and_reach_the_head(database: Database) -> None:
    assert await database.migrate() == head_revision()
    assert await database.migrate() == head_revision()
    async with database.read() as conn:
        versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    assert versions == [(head_revision(),)]


async def test_sqlite_is_tuned_for_a_bot_that_writes_often(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "bot.db")  # folders are created
    try:
        async with db.read() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == SQLITE_BUSY_MS
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await db.close()


def _previous_release_database(path: Path) -> None:
    """A database as the release before Alembic made it (its migrations, `user_version`),
    with a row in every table."""
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS, start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    conn.executescript(
        """
        INSERT INTO users VALUES (5000000001, 'kk', 'ru', '2026-01-01T00:00:00+00:00',
                                  '2026-02-01T00:00:00+00:00', 1);
        INSERT INTO questions VALUES (1, 5000000001, 'Асық ату деген не?', 'kk', 1, 7,
                                      '2026-01-02T00:00:00+00:00');
        INSERT INTO feedback VALUES (1, 7, 1, '2026-01-02T00:00:00+00:00');
        INSERT INTO subscriptions VALUES (5000000001, 'region', 'zhetysu', '2026-01-03');
        INSERT INTO receptions VALUES (1, 'ru-almaty', 'taldykorgan', 'zhetysu', '2026-12-15',
                                       '["passport"]', '{"ru": "Запись"}', 42, '2026-01-04');
        INSERT INTO announcements (id, created_by, created_at, status, audience, texts)
            VALUES (1, 42, '2026-01-05', 'done', '{"kind": "all"}', '{"ru": "Привет"}');
        INSERT INTO outbox VALUES (1, 5000000001, 'kk', 'sent', 1, 0, 99, NULL, '2026-01-05');
        INSERT INTO moderators VALUES (43, 42, '2026-01-06');
        INSERT INTO audit_log VALUES (1, 42, 'moderator.add', '{"user": 43}', '2026-01-06');
        """
    )
    conn.commit()
    conn.close()


async def test_a_database_of_the_previous_release_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "dostyq.db"
    _previous_release_database(path)
    before = sqlite3.connect(path)
    tables = [r[0] for r in before.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    columns = {
        name: ", ".join(c[1] for c in before.execute(f"PRAGMA table_info({name})"))
        for name in tables
    }
    rows = {
        name: before.execute(f"SELECT {columns[name]} FROM {name}").fetchall() for name in tables
    }
    before.close()
    assert len(tables) == 9
    assert all(rows.values())  # a row in every table

    db = await Database.open(path)
    try:
        async with db.read() as conn:
            for name in tables:
                query = f"SELECT {columns[name]} FROM {name}"  # later revisions add columns
                after = (await conn.execute(text(query))).all()
                assert [tuple(r) for r in after] == rows[name], name
            revision = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
            assert (await conn.execute(select(t.fsm_states))).all() == []  # added after
            user = (await conn.execute(select(t.users).where(t.users.c.blocked))).one()
        assert revision == [(head_revision(),)]
        assert user.id == 5000000001 and user.blocked is True  # read back as a boolean
        async with db.transaction() as tx:  # and it takes new rows as before
            await tx.execute(insert(t.users).values(_user(2)))
    finally:
        await db.close()
    assert await _reopened_revision(path) == head_revision()


async def _reopened_revision(path: Path) -> str:
    db = await Database.open(path)  # reopening migrates nothing twice
    try:
        return await db.migrate()
    finally:
        await db.close()


async def test_a_sibling_pool_writes_while_the_main_pool_is_exhausted(tmp_path: Path) -> None:
    """The broadcast engine's own pool: every connection of the users' pool is busy
    (reading), and the sibling still commits at once."""
    db = await Database.open(tmp_path / "bot.db")
    sibling = db.sibling()
    assert sibling is not db and sibling.engine is not db.engine
    try:
        size = db.engine.pool.size() + db.engine.pool._max_overflow  # type: ignore[attr-defined]
        held = [await db.engine.connect() for _ in range(size)]
        try:
            async with asyncio.timeout(5), sibling.transaction() as tx:
                await tx.execute(insert(t.users).values(_user(1)))
        finally:
            for conn in held:
                await conn.close()
        assert await count(db, "users") == 1
    finally:
        await sibling.close()
        await db.close()
    memory = await Database.open("sqlite+aiosqlite:///:memory:")
    assert memory.sibling() is memory  # one connection holds an in-memory database
    await memory.close()


async def test_instances_starting_together_migrate_one_after_the_other(
    postgres_base: str,
) -> None:
    """Three processes' worth of `Database.open` on one new PostgreSQL database at once:
    each waits for the others' migration instead of creating the tables twice."""
    name, url = await create_database(postgres_base)
    try:
        opened = await asyncio.gather(*(Database.open(url) for _ in range(3)))
        try:
            assert {await db.migrate() for db in opened} == {head_revision()}
        finally:
            for db in opened:
                await db.close()
    finally:
        await drop_database(postgres_base, name)
