"""Benchmark: knowledge-base build and question latency on a synthetic 100k-passage KB.

The synthetic corpus recombines the real vocabulary of `data/` (Zipf-distributed
words per language, plus the real names), so term statistics resemble the real
KB. Questions are the labelled ones plus fragments of random passages. The floor
is raw FTS5 `MATCH` + `bm25()` on the same index with the same query terms.

Run: .venv/bin/python bench/kb_search.py [--quick]
Last line: {"passages", "build_s", "db_mb", "p50_ms", "p95_ms", "raw_fts_p50_ms", "raw_fts_p95_ms"}
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bot.kb.build import write_kb
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Document, Passage, load_sources
from bot.kb.text import tokenize

LANG_MIX = (("ru", 0.4), ("en", 0.3), ("kk", 0.3))
ROOT = Path(__file__).resolve().parent.parent


def vocabulary(lang: str) -> list[str]:
    words: dict[str, int] = {}
    for doc in load_sources().documents:
        for passage in doc.passages:
            for word in passage.text.get(lang, "").split():
                words[word] = words.get(word, 0) + 1
    return sorted(words, key=lambda w: -words[w])


def synthetic_documents(n_passages: int, rng: random.Random) -> list[Document]:
    vocab = {lang: vocabulary(lang) for lang, _ in LANG_MIX}
    weights = {lang: [1 / (rank + 1) for rank in range(len(v))] for lang, v in vocab.items()}
    langs = [lang for lang, _ in LANG_MIX]
    shares = [share for _, share in LANG_MIX]
    docs = []
    per_doc = 10
    for d in range(n_passages // per_doc):
        lang = rng.choices(langs, shares)[0]
        passages = []
        for p in range(per_doc):
            words = rng.choices(vocab[lang], weights[lang], k=rng.randint(18, 45))
            passages.append(Passage(f"p{p:02d}", {lang: " ".join(words)}))
        title = " ".join(rng.choices(vocab[lang], weights[lang], k=8))
        docs.append(
            Document(
                id=f"synthetic-{d}",
                source=f"synthetic_{d:06d}.txt",
                source_lang=lang,
                kind="event",
                title={lang: title},
                passages=passages,
                origin="ingest",
            )
        )
    return docs


def questions(rng: random.Random, docs: list[Document], n: int) -> list[tuple[str, str]]:
    labelled = []
    for path in (
        ROOT / "tests" / "data" / "qa-extra.jsonl",
        ROOT.parent / "shared" / "eval" / "qa-dev.jsonl",
    ):
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                item = json.loads(line)
                labelled.append((item["q"], item["lang"]))
    out = list(labelled)
    while len(out) < n:
        doc = rng.choice(docs)
        passage = rng.choice(doc.passages)
        lang, text = next(iter(passage.text.items()))
        words = text.split()
        start = rng.randrange(max(1, len(words) - 6))
        out.append((" ".join(words[start : start + rng.randint(3, 6)]), lang))
    rng.shuffle(out)
    return out[:n]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10k passages, fewer questions")
    parser.add_argument("--passages", type=int)
    args = parser.parse_args()
    n_passages = args.passages or (10_000 if args.quick else 100_000)
    n_questions = 100 if args.quick else 400
    rng = random.Random(7)

    real = load_sources()
    docs = synthetic_documents(n_passages, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kb.db"
        started = time.perf_counter()
        stats = write_kb(path, real, docs)
        build_s = time.perf_counter() - started
        kb = KnowledgeBase(path)
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        asked = questions(rng, docs, n_questions)
        for q, lang in asked[:20]:  # warm caches on both paths
            kb.search(q, lang)
        ours: list[float] = []
        floor: list[float] = []
        answered = 0
        for q, lang in asked:
            t0 = time.perf_counter()
            result = kb.search(q, lang)
            ours.append((time.perf_counter() - t0) * 1000)
            answered += result.answered
            terms = [t for t in result.stems if t] or tokenize(q)[:1] or ["x"]
            match = " OR ".join(f'"{t}"' for t in terms)
            t0 = time.perf_counter()
            raw.execute(
                f"SELECT rowid, bm25(fts_{lang}) AS s FROM fts_{lang} WHERE fts_{lang} MATCH ? "
                "ORDER BY s LIMIT 5",
                (match,),
            ).fetchall()
            floor.append((time.perf_counter() - t0) * 1000)
        figures = {
            "passages": stats.passages,
            "build_s": round(build_s, 2),
            "db_mb": round(path.stat().st_size / 1_000_000, 1),
            "p50_ms": round(statistics.median(ours), 2),
            "p95_ms": round(percentile(ours, 0.95), 2),
            "raw_fts_p50_ms": round(statistics.median(floor), 2),
            "raw_fts_p95_ms": round(percentile(floor, 0.95), 2),
        }
        print(
            f"{stats.passages} passages built in {build_s:.1f} s ({figures['db_mb']} MB); "
            f"{len(asked)} questions, {answered} answered; "
            f"search p50 {figures['p50_ms']} ms / p95 {figures['p95_ms']} ms; "
            f"raw FTS5 p50 {figures['raw_fts_p50_ms']} ms / p95 {figures['raw_fts_p95_ms']} ms; "
            f"p95 ratio {figures['p95_ms'] / max(figures['raw_fts_p95_ms'], 1e-9):.2f}x"
        )
        print(json.dumps(figures))
        kb.close()
        raw.close()


if __name__ == "__main__":
    main()
