"""Evaluate the search on labelled questions (JSONL: id, lang, q, sources, answer_any).

Empty `sources` means the bot should abstain. Metrics: hit@1 / hit@3 (the expected
document among the top results), answer@1 (an `answer_any` string appears in what the
bot shows first: the direct answer and its passage), and abstention on out-of-scope
questions; hit@1 is also split by whether the question is in the language of the
document that answers it (`same`) or not (`cross`).

`corpus_kb` ingests a folder of news files into a temporary KB the way a moderator
would (`kb ingest`), so anyone can measure the bot on documents nobody restated.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.kb.answer import lead_lines
from bot.kb.build import build_kb
from bot.kb.search import KnowledgeBase, SearchResult
from bot.kb.sources import INGESTED, load_places

TOP = 5


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    lang: str
    question: str
    expected: list[str]
    answered: bool
    sources: list[str]
    answer: str
    answer_ok: bool
    #: The language of the document that answers, when it exists in one language only.
    source_lang: str | None = None

    @property
    def in_scope(self) -> bool:
        return bool(self.expected)

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "answered": self.answered,
            "sources": self.sources,
            "answer": self.answer,
        }

    @property
    def ok(self) -> bool:
        if not self.in_scope:
            return not self.answered
        return self.answered and self.sources[0] in self.expected and self.answer_ok

    @property
    def cross(self) -> bool:
        """Asked in another language than the one its document exists in."""
        return self.source_lang is not None and self.source_lang != self.lang


def load_questions(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def result_sources(kb: KnowledgeBase, result: SearchResult) -> list[str]:
    """Corpus file names of the top results, best first, without repeats."""
    sources: list[str] = []
    for hit in result.hits:
        doc = kb.about(hit.doc_id)
        if doc is not None and doc.source not in sources:
            sources.append(doc.source)
    return sources[:TOP]


def _source_lang(kb: KnowledgeBase, sources: list[str]) -> str | None:
    for doc in kb.documents_by_source(sources):
        if len(doc.passages) and all(len(p.text) == 1 for p in doc.passages):
            return doc.source_lang
    return None


def evaluate_one(kb: KnowledgeBase, item: dict[str, Any]) -> Outcome:
    lang = item.get("lang")
    result = kb.search(item["q"], lang, limit=TOP * 3)
    best = result.best
    answer = shown_answer(result) if best else ""
    wanted = [a.lower() for a in item.get("answer_any", [])]
    return Outcome(
        id=str(item["id"]),
        lang=result.lang,
        question=item["q"],
        expected=list(item.get("sources", [])),
        answered=best is not None,
        sources=result_sources(kb, result) if best else [],
        answer=answer,
        answer_ok=best is not None and any(w in answer.lower() for w in wanted),
        source_lang=_source_lang(kb, list(item.get("sources", []))),
    )


def shown_answer(result: SearchResult) -> str:
    """What the answer card shows first: the direct answer, then its passage."""
    best = result.best
    if best is None:
        return ""
    lead = lead_lines(result.answer, result.lang) if result.answer is not None else []
    return "\n".join([*lead, best.text(result.lang)])


def metrics(outcomes: list[Outcome]) -> dict[str, float | int]:
    scoped = [o for o in outcomes if o.in_scope]
    out_of_scope = [o for o in outcomes if not o.in_scope]

    def share(values: list[bool]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    def hit1(o: Outcome) -> bool:
        return bool(o.sources) and o.sources[0] in o.expected

    return {
        "questions": len(outcomes),
        "hit@1": share([hit1(o) for o in scoped]),
        "hit@1_same": share([hit1(o) for o in scoped if not o.cross]),
        "hit@1_cross": share([hit1(o) for o in scoped if o.cross]),
        "cross_questions": sum(o.cross for o in scoped),
        "hit@3": share([any(s in o.expected for s in o.sources[:3]) for o in scoped]),
        "answer@1": share([o.answer_ok for o in scoped]),
        "abstain_rate": share([not o.answered for o in outcomes]),
        "out_of_scope_abstained": share([not o.answered for o in out_of_scope]),
        "in_scope_abstained": share([not o.answered for o in scoped]),
    }


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'id':<6} {'lang':<4} {'ok':<4} {'top source':<26} question"]
    for o in outcomes:
        ok = "✓" if o.ok else "✗"
        top = o.sources[0] if o.sources else "(abstained)"
        lines.append(f"{o.id:<6} {o.lang:<4} {ok:<4} {top:<26} {o.question[:70]}")
    return "\n".join(lines)


def corpus_kb(
    corpus: Path,
    workdir: Path,
    data_dir: Path,
    *,
    curated: bool = True,
    vectors_from: Path | None = None,
    vector_cache: Path | None = None,
) -> Path:
    """Ingest every .txt/.md file of `corpus` (as `kb ingest` does) and build a KB of
    `data_dir` plus them under `workdir`; returns the KB's path. The vectors of the KB
    `vectors_from` (the bot's own) are reused, so only the corpus is embedded (and, with
    a `vector_cache`, only once).

    With `curated=False` the curated documents of `data/` are left out, so only the
    corpus answers (the gazetteer, topics and consular tables stay)."""
    from bot.kb.ingest import IngestError, decode_upload, parse_news
    from bot.kb.places import Gazetteer

    work_data = workdir / "data"
    shutil.copytree(data_dir, work_data, ignore=shutil.ignore_patterns(INGESTED))
    if not curated:
        for path in (work_data / "documents").glob("*"):
            path.unlink()
    gazetteer = Gazetteer(load_places(work_data))
    docs = []
    for path in sorted([*corpus.glob("*.txt"), *corpus.glob("*.md")]):
        if path.name.upper().startswith("README"):
            continue
        try:
            docs.append(
                parse_news(decode_upload(path.read_bytes()), source=path.name, gazetteer=gazetteer)
            )
        except IngestError:
            continue
    kb_path = workdir / "kb.db"
    build_kb(
        kb_path, work_data, documents=docs, vectors_from=vectors_from, vector_cache=vector_cache
    )
    return kb_path
