"""Evaluate the search on labelled questions (JSONL: id, lang, q, sources, answer_any).

Empty `sources` means the bot should abstain. Metrics: hit@1 / hit@3 (the expected
document among the top results), answer@1 (an `answer_any` string appears in the
top answer, in the question's language), and abstention on out-of-scope questions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.kb.search import KnowledgeBase, SearchResult

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


def load_questions(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def result_sources(kb: KnowledgeBase, result: SearchResult) -> list[str]:
    """Corpus file names of the top results, best first, without repeats."""
    sources: list[str] = []
    for hit in result.hits:
        doc = kb.document(hit.doc_id)
        if doc is not None and doc.source not in sources:
            sources.append(doc.source)
    return sources[:TOP]


def evaluate_one(kb: KnowledgeBase, item: dict[str, Any]) -> Outcome:
    lang = item.get("lang")
    result = kb.search(item["q"], lang, limit=TOP * 3)
    best = result.best
    answer = best.text(result.lang) if best else ""
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
    )


def metrics(outcomes: list[Outcome]) -> dict[str, float | int]:
    scoped = [o for o in outcomes if o.in_scope]
    out_of_scope = [o for o in outcomes if not o.in_scope]

    def share(values: list[bool]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    return {
        "questions": len(outcomes),
        "hit@1": share([bool(o.sources) and o.sources[0] in o.expected for o in scoped]),
        "hit@3": share([any(s in o.expected for s in o.sources[:3]) for o in scoped]),
        "answer@1": share([o.answer_ok for o in scoped]),
        "abstain_rate": share([not o.answered for o in outcomes]),
        "out_of_scope_abstained": share([not o.answered for o in out_of_scope]),
        "in_scope_abstained": share([not o.answered for o in scoped]),
    }


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'id':<6} {'lang':<4} {'ok':<4} {'top source':<26} question"]
    for o in outcomes:
        if not o.in_scope:
            ok = "✓" if not o.answered else "✗"
        else:
            ok = "✓" if o.answered and o.sources[0] in o.expected and o.answer_ok else "✗"
        top = o.sources[0] if o.sources else "(abstained)"
        lines.append(f"{o.id:<6} {o.lang:<4} {ok:<4} {top:<26} {o.question[:70]}")
    return "\n".join(lines)
