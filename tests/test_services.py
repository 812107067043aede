"""The service layer on both backends, without the Bot API: each service call is one
unit of work with its audit record, and one that fails half-way leaves nothing."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.broadcast.models import AnnouncementStatus, Audience
from bot.broadcast.outbox import OutboxRepo
from bot.config import Settings
from bot.kb.build import build_kb
from bot.kb.ingest import parse_news
from bot.kb.search import KnowledgeBase
from bot.kb.sources import DATA_DIR, INGESTED
from bot.services import DocumentService, Services
from bot.services.announcements import Review
from bot.services.knowledge import KnowledgeSync
from bot.storage.database import Database
from bot.storage.documents import DocumentRepo
from bot.storage.offices import DetailsRepo, OfficeRepo
from bot.storage.roles import AuditRepo, ModeratorRepo
from bot.storage.subscriptions import SubscriptionRepo
from bot.storage.users import UserRepo

AUTHOR, REVIEWER = 7_000_000_001, 7_000_000_002
TEXTS = {"ru": "Приём 15 декабря", "kk": "15 желтоқсанда қабылдау", "en": "Reception on 15 Dec"}


async def _confirm(services: Services, *, require_approval: bool) -> int:
    announcement = await services.announcements.confirm(
        AUTHOR,
        audience=Audience.region("zhetysu"),
        texts=TEXTS,
        fallback=None,
        photo=None,
        link=None,
        send_at=None,
        require_approval=require_approval,
    )
    return announcement.id


async def actions(db: Database) -> list[str]:
    return [entry.action for entry in reversed(await AuditRepo(db).recent())]


async def test_a_confirmed_announcement_is_queued_with_its_audit_record(
    database: Database,
) -> None:
    services = Services.create(database)
    aid = await _confirm(services, require_approval=False)
    assert await OutboxRepo(database).status(aid) is AnnouncementStatus.SCHEDULED
    assert await actions(database) == ["announcement.confirm"]


async def test_a_service_that_fails_half_way_leaves_nothing_behind(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The announcement is written, then its audit record fails: neither is kept."""

    async def broken(self: AuditRepo, actor_id: int, action: str, **details: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(AuditRepo, "record", broken)
    with pytest.raises(RuntimeError):
        await _confirm(Services.create(database), require_approval=False)
    monkeypatch.undo()
    assert await OutboxRepo(database).recent() == []
    assert await actions(database) == []


async def test_invalid_content_stores_nothing(database: Database) -> None:
    services = Services.create(database)
    with pytest.raises(ValueError):
        await services.announcements.confirm(
            AUTHOR,
            audience=Audience.everyone(),
            texts={},
            fallback=None,
            photo=None,
            link=None,
            send_at=None,
            require_approval=False,
        )
    assert await OutboxRepo(database).recent() == []


async def test_a_second_moderator_reviews(database: Database) -> None:
    services = Services.create(database)
    announcements = services.announcements
    first = await _confirm(services, require_approval=True)
    assert await OutboxRepo(database).status(first) is AnnouncementStatus.AWAITING_APPROVAL
    assert await announcements.review(AUTHOR, first, approve=True) is Review.own
    assert await announcements.review(REVIEWER, first, approve=True) is Review.done
    assert await OutboxRepo(database).status(first) is AnnouncementStatus.SCHEDULED
    assert await announcements.review(REVIEWER, first, approve=False) is Review.not_waiting
    second = await _confirm(services, require_approval=True)
    assert await announcements.review(REVIEWER, second, approve=False) is Review.done
    assert await OutboxRepo(database).status(second) is AnnouncementStatus.CANCELLED
    assert await announcements.review(REVIEWER, 2**40, approve=True) is Review.missing
    assert await announcements.cancel(AUTHOR, first) is True
    assert await announcements.cancel(AUTHOR, first) is False  # already cancelled
    assert await actions(database) == [
        "announcement.submit",
        "announcement.approve",
        "announcement.submit",
        "announcement.reject",
        "announcement.cancel",
    ]


async def test_receptions_and_moderators_are_audited(database: Database) -> None:
    services = Services.create(database)
    reception = await services.consular.add_reception(
        AUTHOR,
        office_id="ru-almaty",
        city_id="taldykorgan",
        region_id="zhetysu",
        date="2026-12-15",
        services=["passport"],
        note={"kk": "Алдын ала жазылу"},
    )
    assert reception.id.startswith("m")
    assert await services.moderators.add(AUTHOR, REVIEWER) is True
    assert await services.moderators.add(AUTHOR, REVIEWER) is False  # no second record
    assert await ModeratorRepo(database).all() == [REVIEWER]
    assert await services.moderators.remove(AUTHOR, REVIEWER) is True
    assert await actions(database) == ["reception.add", "moderator.add", "moderator.remove"]


async def test_forgetting_takes_everything_and_audits_nothing(database: Database) -> None:
    services = Services.create(database)
    await UserRepo(database).touch(AUTHOR, "kk")
    assert await services.users.toggle_subscription(AUTHOR, "region", "zhetysu") is True
    assert await services.users.forget(AUTHOR) is True
    assert await UserRepo(database).get(AUTHOR) is None
    assert await SubscriptionRepo(database).of_user(AUTHOR) == set()
    assert await actions(database) == []


@pytest.fixture
def own_kb(tmp_path: Path, settings: Settings) -> tuple[Settings, KnowledgeBase]:
    """A data/ copy and a lexical KB of its own (no embedding: fast to rebuild)."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns(INGESTED))
    kb_path = tmp_path / "kb.db"
    build_kb(kb_path, data, "none")
    own = settings.model_copy(update={"data_dir": data, "kb_path": kb_path, "embedder": "none"})
    return own, KnowledgeBase(kb_path)


NEWS = (
    "Фестиваль «Дружба на Иртыше» открылся в Павлодаре\n\n"
    "Павлодар, 14 ноября 2026 года. Посол России в Казахстане Алексей Бородавкин открыл "
    "фестиваль культуры «Дружба на Иртыше». На фестивале выступили фольклорные ансамбли.\n"
)


async def test_a_document_is_stored_audited_and_built_or_taken_back(
    database: Database,
    own_kb: tuple[Settings, KnowledgeBase],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, kb = own_kb
    documents = DocumentService(database, KnowledgeSync(database, settings, kb))
    doc = parse_news(NEWS, source="festival.txt", gazetteer=kb.gazetteer)
    assert await documents.ingest(AUTHOR, doc) is False
    assert await DocumentRepo(database).get(doc.id) == doc  # in the database, as parsed
    assert kb.document(doc.id) is not None  # built and reloaded
    assert kb.documents_version == await DocumentRepo(database).version()
    assert await actions(database) == ["document.ingest"]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the build failed")

    monkeypatch.setattr("bot.services.knowledge.ensure_kb", broken)
    again = parse_news(
        NEWS.replace("Павлодаре", "Омске"), source="omsk.txt", gazetteer=kb.gazetteer
    )
    with pytest.raises(RuntimeError):
        await documents.ingest(AUTHOR, again)
    assert await DocumentRepo(database).get(again.id) is None  # taken back out
    assert kb.document(again.id) is None
    # a replacement that cannot be built puts the previous version back
    changed = replace(doc, title={"ru": "Другой заголовок"})
    with pytest.raises(RuntimeError):
        await documents.ingest(AUTHOR, changed)
    assert await DocumentRepo(database).get(doc.id) == doc
    assert await actions(database) == [
        "document.ingest",
        "document.ingest",
        "document.revert",
        "document.ingest",
        "document.revert",
    ]


async def test_events_take_a_free_id(
    database: Database, own_kb: tuple[Settings, KnowledgeBase]
) -> None:
    settings, kb = own_kb
    documents = DocumentService(database, KnowledgeSync(database, settings, kb))
    first = parse_news(NEWS, source="festival.txt", gazetteer=kb.gazetteer)
    second = parse_news(NEWS, source="festival.txt", gazetteer=kb.gazetteer)
    first.id = second.id = "event-20261130120000"
    assert await documents.add_event(AUTHOR, first, city="pavlodar", date="2026-11-14") == (
        "event-20261130120000"
    )
    assert await documents.add_event(AUTHOR, second, city="pavlodar", date="2026-11-14") == (
        "event-20261130120000-2"
    )
    stored = await DocumentRepo(database).snapshot()
    assert [d.id for d in stored.documents] == ["event-20261130120000", "event-20261130120000-2"]
    assert kb.document("event-20261130120000-2") is not None
    assert await actions(database) == ["event.add", "event.add"]


async def test_offices_and_their_details_are_stored_per_field_and_audited(
    database: Database,
) -> None:
    """Each detail is its own row: setting one never loses another, an empty value
    removes it, and a map point (two fields) is one audited change."""
    services = Services.create(database)
    office = await services.consular.add_office(
        AUTHOR, kind="consulate-general", country="KZ", city_id="kazan-551487",
        name={"ru": "Генеральное консульство Казахстана в Казани"},
    )  # fmt: skip
    assert office.id.startswith("o")
    assert await OfficeRepo(database).get(office.id) == office
    assert await OfficeRepo(database).get("o99999999999") is None  # forged: beyond the column
    key = f"office:{office.id}"
    await services.consular.set_details(AUTHOR, key, {"venue": {"ru": "ул. Островского, 1"}})
    await services.consular.set_details(AUTHOR, key, {"lat": 55.79, "lon": 49.12})
    await services.consular.set_details(AUTHOR, key, {"contact": "+7 843 000-00-00"})
    await services.consular.set_details(AUTHOR, key, {"contact": None})  # removed
    assert await DetailsRepo(database).of(key) == {
        "venue": {"ru": "ул. Островского, 1"},
        "lat": 55.79,
        "lon": 49.12,
    }
    assert await actions(database) == ["office.add", *["consular.edit"] * 4]
    last = (await AuditRepo(database).recent())[0]
    assert last.details == {"subject": key, "field": "contact", "removed": True}
