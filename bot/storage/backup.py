"""`python -m bot db backup PATH`: a consistent copy of the bot's database while it runs.

SQLite: the online backup API (pages copied under the database's own locking, so
writers carry on); PostgreSQL: `pg_dump` in its custom format (restore with
`pg_restore`), run against `DATABASE_URL`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """Why no backup was made, phrased for the operator."""


def backup(db_url: str, target: Path) -> str:
    """Write a backup of `db_url` to `target`; returns one line saying what was done."""
    url = make_url(db_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        if not source.exists():
            raise BackupError(f"no database at {source}")
        return _sqlite(source, target)
    return _postgres(db_url, target)


def _sqlite(source: Path, target: Path) -> str:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    os.replace(tmp, target)
    return f"SQLite {source} backed up to {target} ({target.stat().st_size:,} bytes)"


def _postgres(db_url: str, target: Path) -> str:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
    url = make_url(db_url).set(drivername="postgresql")
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq = url.set(password=None).render_as_string(hide_password=False)
    done = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={libpq}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return f"PostgreSQL {url.database} dumped to {target} ({target.stat().st_size:,} bytes)"
