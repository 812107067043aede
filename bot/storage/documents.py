"""Documents moderators added, and the version of the set that KB files are built from.

Every change goes with a new version in the same transaction (`put` bumps it), so a
process that sees the version it built its KB from knows its KB holds every document.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.kb.build import NO_DOCUMENTS
from bot.kb.sources import Document, document_from_dict, document_to_dict
from bot.storage.base import Repo, upsert
from bot.storage.schema import documents, kb_version
from bot.storage.users import utcnow

KINDS = ("upload", "event")


@dataclass(frozen=True, slots=True)
class StoredDocuments:
    """The documents and the version they make: what one KB build is made from."""

    version: str
    documents: list[Document]


class DocumentRepo(Repo):
    async def put(self, doc: Document, kind: str, added_by: int) -> str:
        """Add `doc` or replace the one with its id; returns the new version."""
        if kind not in KINDS:
            raise ValueError(f"unknown document kind {kind!r}")
        now = utcnow()
        record = json.dumps(document_to_dict(doc), ensure_ascii=False)
        async with self._write() as conn:
            statement = upsert(conn, documents).values(
                id=doc.id,
                kind=kind,
                record=record,
                added_by=added_by,
                added_at=now,
                updated_at=now,
            )
            statement = statement.on_conflict_do_update(
                index_elements=[documents.c.id],
                set_={
                    "kind": statement.excluded.kind,
                    "record": statement.excluded.record,
                    "updated_at": statement.excluded.updated_at,
                },
            )
            await conn.execute(statement)
            return await _bump(conn)

    async def delete(self, doc_id: str) -> str | None:
        """Remove a document; the new version, or None when there was none."""
        async with self._write() as conn:
            gone = (await conn.execute(documents.delete().where(documents.c.id == doc_id))).rowcount
            return await _bump(conn) if gone else None

    async def get(self, doc_id: str) -> Document | None:
        async with self._read() as conn:
            record = (
                await conn.execute(select(documents.c.record).where(documents.c.id == doc_id))
            ).scalar()
        return document_from_dict(json.loads(record), "ingest") if record else None

    async def exists(self, doc_id: str) -> bool:
        async with self._read() as conn:
            found = await conn.execute(select(documents.c.id).where(documents.c.id == doc_id))
            return found.first() is not None

    async def version(self) -> str:
        async with self._read() as conn:
            return await _version(conn)

    async def snapshot(self) -> StoredDocuments:
        """Every document with the version they make (at least: see below)."""
        async with self._read() as conn:
            # The version first: on PostgreSQL each statement sees what was committed when
            # it began, so a change committed between the two reads makes the documents
            # newer than the version (one rebuild too many later), never older (a KB
            # missing a document while it claims the newest version).
            version = await _version(conn)
            rows = (
                await conn.execute(select(documents.c.record).order_by(documents.c.id))
            ).scalars()
            docs = [document_from_dict(json.loads(r), "ingest") for r in rows]
        return StoredDocuments(version, docs)


async def _version(conn: AsyncConnection) -> str:
    value = (await conn.execute(select(kb_version.c.version).where(kb_version.c.id == 1))).scalar()
    return value or NO_DOCUMENTS


async def _bump(conn: AsyncConnection) -> str:
    """A new version, written in the caller's transaction (the row's lock orders writers)."""
    version = uuid.uuid4().hex
    await conn.execute(
        update(kb_version).where(kb_version.c.id == 1).values(version=version, changed_at=utcnow())
    )
    return version
