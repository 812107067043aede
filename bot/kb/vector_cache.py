"""A file of passage vectors kept between KB builds (``VECTOR_CACHE``, by default
``var/vectors.db``).

A build already reuses the vectors of the KB file it replaces and of this process's
recent builds (`bot.kb.vectors`); what it cannot reuse is what no KB at hand holds any
more: a KB built into a new place (an evaluation's KB of a news corpus, a test run's),
a KB file deleted, documents deleted and added again. Embedding
is the whole cost of a build (a minute of CPU for `data/`, another for the public
corpus), so those vectors are kept here, keyed as in the KB (a hash of the model's
name and the text: another model or an edited text is another key, never a stale hit).
The file records the KB schema it was written under and starts empty under another, as
the KB files themselves are rebuilt then.

The file is a convenience, never a source of truth: a cache that cannot be read or
written (locked too long, corrupt, on a read-only disk) is logged and left out, and the
build embeds as if it were empty. It holds at most `MAX_ROWS` vectors (about 390 bytes
each), dropping the ones least recently used by a build first.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.kb.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

MAX_ROWS = 100_000  # some 40 MB: data/ and a few corpora many times over
_CHUNK = 500  # hashes looked up per statement (below SQLite's variable limit)
_TIMEOUT_S = 10.0  # how long to wait for another process's write


def read_vectors(conn: sqlite3.Connection, hashes: Iterable[str]) -> dict[str, bytes]:
    """The packed vectors of `hashes` found in the `vectors` table of `conn` (a KB file
    or this cache: both key them alike)."""
    wanted = sorted(set(hashes))
    found: dict[str, bytes] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT hash, data FROM vectors WHERE hash IN ({marks})", chunk)
        found.update((key, bytes(blob)) for key, blob in rows)
    return found


class VectorCache:
    """Packed vectors by text hash in one SQLite file, shared by processes and builds."""

    def __init__(self, path: Path, max_rows: int = MAX_ROWS) -> None:
        self.path = path
        self.max_rows = max_rows

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=_TIMEOUT_S)
        try:
            conn.execute("PRAGMA journal_mode=WAL")  # builds read while another writes
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (hash TEXT PRIMARY KEY, data BLOB NOT NULL)"
            )
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                with conn:  # vectors packed for another KB schema: start afresh
                    conn.execute("DELETE FROM vectors")
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        except BaseException:
            conn.close()
            raise
        return conn

    def get_many(self, hashes: Iterable[str]) -> dict[str, bytes]:
        """The cached vectors of those of `hashes` the file has ({} when it cannot be read)."""
        wanted = set(hashes)
        if not wanted or not self.path.exists():
            return {}
        try:
            conn = self._connect()
            try:
                return read_vectors(conn, wanted)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            log.warning("vector cache %s not read (%s): embedding without it", self.path, exc)
            return {}

    def put_many(self, vectors: Mapping[str, bytes]) -> None:
        """Keep `vectors` as the most recently used, then drop the oldest beyond `max_rows`.
        Nothing is raised: a cache that cannot be written only costs a later build time."""
        if not vectors:
            return
        try:
            conn = self._connect()
            try:
                with conn:
                    # REPLACE gives each row a new, highest rowid: rowid order is use order
                    conn.executemany(
                        "INSERT OR REPLACE INTO vectors (hash, data) VALUES (?, ?)",
                        vectors.items(),
                    )
                    conn.execute(
                        "DELETE FROM vectors WHERE rowid <= (SELECT MAX(rowid) FROM vectors) - ?",
                        (self.max_rows,),
                    )
            finally:
                conn.close()
        except sqlite3.Error as exc:
            log.warning("vector cache %s not written (%s)", self.path, exc)
