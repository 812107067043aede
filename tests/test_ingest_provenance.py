"""Where an ingested article comes from: publisher, link and publication date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.kb.ingest import parse_news
from bot.kb.ingest.provenance import read_provenance, readable_name
from bot.kb.places import Gazetteer
from bot.kb.sources import Document, document_from_dict, document_to_dict, load_places

BODY_RU = (
    "В Астане прошла встреча представителей деловых кругов двух стран, на которой "
    "обсуждались вопросы торговли, логистики и образования."
)
BODY_EN = (
    "The Consul General of Russia met students of the university in Astana and answered "
    "their questions about education in Russia."
)
BODY_KK = (
    "Астанада екі елдің іскер топтарының өкілдері кездесіп, сауда, логистика және білім "
    "беру мәселелерін талқылады. Тараптар бауырлас өңірлер арасындағы байланыстарды "
    "дамыту туралы келісті."
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(load_places())


def parse(text: str, gazetteer: Gazetteer) -> Document:
    return parse_news(text, source="news.md", gazetteer=gazetteer)


def test_front_matter(gazetteer: Gazetteer) -> None:
    text = (
        "---\ntitle: Деловая встреча в Астане\npublisher: Kazinform\n"
        'url: "https://www.inform.kz/ru/news/123"\ndate: 2025-09-11\n---\n\n' + BODY_RU
    )
    doc = parse(text, gazetteer)
    assert doc.title == {"ru": "Деловая встреча в Астане"}
    assert doc.publisher == "Kazinform"
    assert doc.url == "https://www.inform.kz/ru/news/123"
    assert doc.published == "2025-09-11"
    assert doc.passages[0].text["ru"] == BODY_RU


@pytest.mark.parametrize(
    ("front", "publisher", "url"),
    [
        ("source: Kazakhstan Today\nlink: https://kt.kz/a/1", "Kazakhstan Today", "https://kt.kz/a/1"),
        ("source: https://kt.kz/a/1", None, "https://kt.kz/a/1"),  # a URL is not a name
        ("Publisher: 'Kazpravda.kz'", "Kazpravda.kz", None),
        ("author: Someone", None, None),  # other keys are ignored
    ],
)  # fmt: skip
def test_front_matter_synonyms(front: str, publisher: str | None, url: str | None) -> None:
    meta = read_provenance(f"---\n{front}\n---\n{BODY_RU}")
    assert (meta.publisher, meta.url) == (publisher, url)
    assert meta.text.strip() == BODY_RU


@pytest.mark.parametrize(
    ("text", "publisher", "url"),
    [
        ("Source: Kazakhstan Today\n\n" + BODY_EN, "Kazakhstan Today", None),
        ("Источник: Казинформ\n\n" + BODY_RU, "Казинформ", None),
        ("Дереккөз: Egemen Qazaqstan\n\n" + BODY_KK, "Egemen Qazaqstan", None),
        (BODY_RU + "\n\n**Источник:** [Kazpravda.kz](https://kazpravda.kz/n/1/)",
         "Kazpravda.kz", "https://kazpravda.kz/n/1/"),
        (BODY_RU + "\n\nИсточник: ТАСС, https://tass.ru/x/2.", "ТАСС", "https://tass.ru/x/2"),
        ("https://kt.kz/rus/news/1\n\n" + BODY_RU, None, "https://kt.kz/rus/news/1"),
        (BODY_EN + "\n\n<https://en.kt.kz/news/7>", None, "https://en.kt.kz/news/7"),
        (BODY_EN + "\n\nLink: https://en.kt.kz/news/8", None, "https://en.kt.kz/news/8"),
    ],
)  # fmt: skip
def test_source_lines(
    gazetteer: Gazetteer, text: str, publisher: str | None, url: str | None
) -> None:
    doc = parse(text, gazetteer)
    assert (doc.publisher, doc.url) == (publisher, url)
    body = " ".join(p.text[doc.source_lang] for p in doc.passages)
    assert "Источник" not in body and "Source" not in body and "http" not in body


def test_source_line_in_the_middle_is_content() -> None:
    lines = [f"Абзац номер {i} о встрече." for i in range(12)]
    lines.insert(6, "Источник: Казинформ")
    meta = read_provenance("\n".join(lines))
    assert meta.publisher is None
    assert "Источник: Казинформ" in meta.text


def test_photo_source_is_not_the_publisher() -> None:
    meta = read_provenance("Источник фото: пресс-служба акимата\n\n" + BODY_RU)
    assert meta.publisher is None


@pytest.mark.parametrize(
    ("text", "publisher", "credit"),
    [
        ("Талдыкорган. 10 сентября. KAZAKHSTAN TODAY - " + BODY_RU, "Kazakhstan Today",
         "KAZAKHSTAN TODAY"),
        ("Алматы. 10 сентября. КАЗИНФОРМ - " + BODY_RU, "Казинформ", "КАЗИНФОРМ"),
        ("ALMATY, Sept. 10 (Kazinform) - " + BODY_EN, "Kazinform", "Kazinform"),
        (BODY_RU + " Об этом передает Kazpravda.kz.", "Kazpravda.kz", "Kazpravda.kz"),
    ],
)  # fmt: skip
def test_credited_agency_is_the_publisher(
    gazetteer: Gazetteer, text: str, publisher: str, credit: str
) -> None:
    doc = parse(text, gazetteer)
    assert doc.publisher == publisher
    assert doc.credit == {doc.source_lang: credit}


def test_a_source_line_beats_the_dateline_agency(gazetteer: Gazetteer) -> None:
    text = "Источник: Казинформ\n\nАлматы. 10 сентября. KAZAKHSTAN TODAY - " + BODY_RU
    assert parse(text, gazetteer).publisher == "Казинформ"


def test_nothing_given(gazetteer: Gazetteer) -> None:
    doc = parse(BODY_RU + " Об этом сообщили в министерстве.", gazetteer)
    assert (doc.publisher, doc.url, doc.published) == (None, None, None)
    # a source of facts is not a publisher
    doc = parse(BODY_EN + " That is according to UNESCO.", gazetteer)
    assert doc.publisher is None


def test_publication_date_is_the_meta_date_line(gazetteer: Gazetteer) -> None:
    assert parse("07 may\n\n" + BODY_EN, gazetteer).published == "--05-07"
    assert parse("Опубликовано: 11.09.2025\n\n" + BODY_RU, gazetteer).published == "2025-09-11"
    assert parse("8 сентября " + BODY_RU, gazetteer).published is None  # a date in the text


@pytest.mark.parametrize(
    ("name", "readable"),
    [
        ("KAZAKHSTAN TODAY", "Kazakhstan Today"),
        ("КАЗИНФОРМ", "Казинформ"),
        ("ТАСС", "ТАСС"),
        ("ҚазАқпарат", "ҚазАқпарат"),
        ("Kazpravda.kz", "Kazpravda.kz"),
        ("RIA NOVOSTI", "RIA Novosti"),
        ("NEWS OF KAZAKHSTAN", "News of Kazakhstan"),
    ],
)
def test_readable_name(name: str, readable: str) -> None:
    assert readable_name(name) == readable


def test_document_round_trip() -> None:
    raw = {"id": "x", "source": "x.txt", "title": {"ru": "Т"}}
    old = document_from_dict(raw)  # a record from before these fields
    assert (old.publisher, old.url, old.published) == (None, None, None)
    assert "publisher" not in document_to_dict(old)
    raw |= {"publisher": "Kazinform", "url": "https://inform.kz/1", "published": "--05-07"}
    doc = document_from_dict(raw)
    assert (doc.publisher, doc.url, doc.published) == (
        "Kazinform",
        "https://inform.kz/1",
        "--05-07",
    )
    assert document_from_dict(document_to_dict(doc)) == doc


def test_cli_overrides_publisher_and_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news.md"
    news.write_text("Источник: Казинформ\n\n" + BODY_RU, encoding="utf-8")
    monkeypatch.setenv("KB_PATH", str(tmp_path / "kb.db"))
    argv = ["kb", "ingest", "--dry-run", "--json", str(news)]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["publisher"] == "Казинформ"
    assert main([*argv, "--publisher", "Astana Times", "--url", "https://astanatimes.com/1"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["publisher"], summary["url"]) == ("Astana Times", "https://astanatimes.com/1")
    assert not (tmp_path / "kb.db").exists()  # a dry run changes nothing
