"""A real PostgreSQL for the tests: its own server, started on 127.0.0.1 in a temporary
directory and stopped after, from the Debian packages (`make test` installs them).

pytest-postgresql starts its server the same way but runs ``initdb`` as the current
user, which PostgreSQL refuses for root (our CI runs as root): here the server runs as
the ``postgres`` system user when the tests run as root. Each test gets a database of
its own, dropped after. Where no server can be started the tests that need one skip,
saying why.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg


class PostgresUnavailable(Exception):
    """Why no PostgreSQL server could be started here."""


def _binaries() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if versions:
        return Path(versions[-1]).parent
    raise PostgresUnavailable(
        "PostgreSQL is not installed (apt-get install postgresql; `make test` tries it)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yields its base URL (``postgresql+asyncpg://postgres@127.0.0.1:PORT``)."""
    bin_dir = _binaries()
    run_as: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresUnavailable("running as root and there is no postgres user") from exc
        run_as = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="dostyq-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, log = root / "data", root / "server.log"
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True, timeout=120)

    started = False
    try:
        try:
            run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--no-sync")  # fmt: skip
            options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off"
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
                "-w", "start")  # fmt: skip
            started = True
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            raise PostgresUnavailable(
                f"could not start PostgreSQL: {exc} {detail.decode(errors='replace')[:300]}"
            ) from exc
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}"
    finally:
        if started:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


async def create_database(base_url: str) -> tuple[str, str]:
    """A new empty database on the server: (its name, its URL)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_dsn(base_url, "postgres"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, f"{base_url}/{name}"


async def drop_database(base_url: str, name: str) -> None:
    conn = await asyncpg.connect(_dsn(base_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _dsn(base_url: str, database: str) -> str:
    return base_url.replace("postgresql+asyncpg://", "postgresql://") + f"/{database}"
