"""What moderators add lives in the database: every process builds its knowledge base
from `data/` plus the database's documents, notices a new version and reloads (on both
backends), and documents a release before kept in `data/ingested/` move in once."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from bot.kb.build import NO_DOCUMENTS, read_meta
from bot.kb.ingest import parse_news
from bot.kb.places import Gazetteer
from bot.kb.search import KnowledgeBase
from bot.kb.sources import DATA_DIR, INGESTED, document_to_dict, load_places
from bot.services.documents import DocumentService
from bot.services.knowledge import KnowledgeSync, import_legacy_files, prepare_kb
from bot.storage.database import Database
from bot.storage.documents import DocumentRepo
from bot.storage.roles import AuditRepo

MODERATOR = 7_100_000_001
NEWS = (
    "Фестиваль «Дружба на Иртыше» открылся в Павлодаре\n\n"
    "Павлодар, 14 ноября 2026 года. Посол России в Казахстане Алексей Бородавкин открыл "
    "фестиваль культуры «Дружба на Иртыше». На фестивале выступили фольклорные ансамбли.\n"
)
QUESTION = "Кто открыл фестиваль Дружба на Иртыше?"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns(INGESTED))
    return data


def instance(settings: Settings, data_dir: Path, kb_path: Path) -> Settings:
    """One process's settings: its own KB file (lexical: fast to rebuild), fast polling."""
    return settings.model_copy(
        update={"data_dir": data_dir, "kb_path": kb_path, "embedder": "none", "kb_sync_s": 0.05}
    )


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait (30 s at most) until `condition` holds: the other process's poll loop gives
    no signal."""
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110 (the state is set by a task we do not own)
            await asyncio.sleep(0.05)


def imported_folder(data_dir: Path) -> Path:
    """The renamed `ingested/` folder, with its two files."""
    [renamed] = data_dir.glob(f"{INGESTED}.imported-*")
    assert len(list(renamed.glob("*.json"))) == 2
    return renamed


async def opened(db: Database, settings: Settings) -> tuple[KnowledgeBase, KnowledgeSync]:
    """What a process does at start: build its KB when it does not match, open it."""
    await prepare_kb(db, settings)
    kb = KnowledgeBase(settings.kb_path)
    return kb, KnowledgeSync(db, settings, kb)


async def test_another_process_notices_the_new_version_and_reloads(
    database: Database, settings: Settings, data_dir: Path, tmp_path: Path
) -> None:
    first, first_sync = await opened(database, instance(settings, data_dir, tmp_path / "a.db"))
    second, second_sync = await opened(database, instance(settings, data_dir, tmp_path / "b.db"))
    assert first.documents_version == second.documents_version == NO_DOCUMENTS
    assert not second.search(QUESTION, "ru").answered
    second_sync.start()
    try:
        doc = parse_news(NEWS, source="festival.txt", gazetteer=first.gazetteer)
        await DocumentService(database, first_sync).ingest(MODERATOR, doc)
        assert first.document(doc.id) is not None  # the adding process at once
        version = await DocumentRepo(database).version()
        # the other one within a few polls, without a restart
        await eventually(lambda: second.documents_version == version)
    finally:
        await second_sync.stop()
    assert second.document(doc.id) is not None
    best = second.search(QUESTION, "ru").best
    assert best is not None and best.doc_id == doc.id
    assert read_meta(tmp_path / "b.db")["documents_version"] == version
    assert await second_sync.refresh() is None  # up to date: nothing to do
    first.close()
    second.close()


async def test_processes_sharing_a_kb_file_build_it_once(
    database: Database, settings: Settings, data_dir: Path, tmp_path: Path
) -> None:
    shared = instance(settings, data_dir, tmp_path / "kb.db")
    first, first_sync = await opened(database, shared)
    second, second_sync = await opened(database, shared)
    doc = parse_news(NEWS, source="festival.txt", gazetteer=first.gazetteer)
    await DocumentService(database, first_sync).ingest(MODERATOR, doc)
    assert await second_sync.refresh() is None  # the file is up to date: only reopened
    assert second.document(doc.id) is not None
    assert second.documents_version == first.documents_version
    first.close()
    second.close()


async def test_a_process_starting_later_builds_from_the_database(
    database: Database, settings: Settings, data_dir: Path, tmp_path: Path
) -> None:
    doc = parse_news(NEWS, source="festival.txt", gazetteer=Gazetteer(load_places(data_dir)))
    await DocumentRepo(database).put(doc, "upload", MODERATOR)
    late = instance(settings, data_dir, tmp_path / "late.db")
    stats = await prepare_kb(database, late)
    assert stats is not None and stats.documents == 6  # five curated and the moderator's
    kb = KnowledgeBase(late.kb_path)
    assert kb.document(doc.id) is not None
    assert await prepare_kb(database, late) is None  # up to date now
    kb.close()


async def test_documents_left_in_data_ingested_move_into_the_database_once(
    database: Database, settings: Settings, data_dir: Path, tmp_path: Path
) -> None:
    gazetteer = Gazetteer(load_places(data_dir))
    upload = parse_news(NEWS, source="festival.txt", gazetteer=gazetteer)
    event = parse_news(NEWS.replace("Павлодаре", "Омске"), source="omsk", gazetteer=gazetteer)
    event.id = "event-20261120101500"
    folder = data_dir / INGESTED
    folder.mkdir()
    for doc in (upload, event):
        (folder / f"{doc.id}.json").write_text(
            json.dumps(document_to_dict(doc), ensure_ascii=False), "utf-8"
        )
    own = instance(settings, data_dir, tmp_path / "kb.db")
    await prepare_kb(database, own)
    stored = await DocumentRepo(database).snapshot()
    assert [d.id for d in stored.documents] == sorted([upload.id, event.id])
    assert stored.documents[[d.id for d in stored.documents].index(upload.id)] == upload
    [entry] = await AuditRepo(database).recent()
    assert entry.action == "document.import"
    assert sorted(entry.details["ids"]) == sorted([upload.id, event.id])
    assert not folder.exists()  # renamed, kept for the record
    renamed = imported_folder(data_dir)
    kb = KnowledgeBase(own.kb_path)
    assert kb.document(upload.id) is not None and kb.document(event.id) is not None
    kb.close()

    # the same files again (another instance's copy): what the database holds stays
    shutil.copytree(renamed, folder)
    assert await import_legacy_files(database, own) == 0
    assert len(await AuditRepo(database).recent()) == 1
