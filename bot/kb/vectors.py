"""Dense vectors in the KB file, and their in-memory index.

**Storage.** Every passage is embedded once per language it exists in, as
``"{title}. {text}"`` (a unit). Vectors are stored in the KB file, quantised to int8
with one float scale per vector, keyed by a hash of the model's name and the text:
a rebuild reuses the vectors of the previous file (and of this process's recent
builds, and of the file `bot.kb.vector_cache` keeps between builds) and embeds only new
or changed passages. Each sentence of a unit is stored and
embedded the same way (table `sentences`) for the direct answer (`bot.kb.answer`).

**Language centring.** A multilingual model places texts of one language near each
other whatever they say: a Russian question sits closer to Russian passages about
anything than to the English passage that answers it. Subtracting each language's
mean vector from its passages removes most of that pull (Libovický et al. 2020, "On
the language neutrality of pre-trained multilingual representations"). The mean of a
language is estimated without being skewed by what the corpus happens to say in it:
the mean of the whole KB plus the language's offset measured on *parallel* passages
(the curated documents in `data/` say the same thing in ru, kk and en, so their
per-language means differ only by language). On the public corpus-dev set this took
dense cross-language hit@1 from 0.44 to 0.92 (README, "Figures").

**Search** is brute force over the int8 matrix in blocks of 1,024 rows (exact, no index to
build; at 100,000 passages 6.5 ms on 2 idle cores and 8 ms on busy ones, against 8.7 and
39 ms with blocks of 16,384 rows, whose product BLAS spreads over threads that stall when
the cores are shared; `DenseIndex.load` peaks at about 2.5x the index instead of 5.5x:
`bench/kb_search.py`). Loading gives the same index as before up to float rounding.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from bot.kb.embed import Embedder, Vectors
from bot.kb.vector_cache import VectorCache, read_vectors

EMBED_BATCH = 32
_LOAD_CHUNK = 4_096  # rows converted to float32 at a time while loading (6 MB at 384)
_RANK_CHUNK = 1_024  # rows scored at a time (1.5 MB of float32 at 384 dimensions)
K = TypeVar("K")
V = TypeVar("V")
_MEMO_SIZE = 8_192  # vectors this process keeps from its recent builds
GAP_RANKS = (5, 30)  # the ranks whose mean is a question's baseline (`DenseScores`)


def unit_text(title: str, text: str) -> str:
    """What is embedded for one passage: the title gives a short passage its context."""
    title = title.strip()
    return f"{title}. {text}" if title and not text.startswith(title) else text


def text_hash(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()[:24]


def pack(vector: Vectors) -> bytes:
    """One float vector as a float32 scale followed by int8 components."""
    peak = float(np.abs(vector).max()) or 1.0
    scale = np.float32(peak / 127.0)
    q = np.clip(np.rint(vector / scale), -127, 127).astype(np.int8)
    return np.concatenate([np.atleast_1d(scale).view(np.int8), q]).tobytes()


def unpack(blob: bytes, dim: int) -> tuple[float, npt.NDArray[np.int8]]:
    scale = float(np.frombuffer(blob, dtype=np.float32, count=1)[0])
    return scale, np.frombuffer(blob, dtype=np.int8, count=dim, offset=4)


class Memo(Generic[K, V]):
    """A bounded, thread-safe memory of the most recently used items: this process's
    packed vectors between builds (a build in a thread while searches go on)."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: K, item: V) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_memo: Memo[str, bytes] = Memo(_MEMO_SIZE)


@dataclass(frozen=True, slots=True)
class Unit:
    passage_id: int
    lang: str
    text: str


@dataclass(frozen=True, slots=True)
class SentenceUnit:
    """One sentence of a passage-language unit (`bot.kb.answer.answer_sentences`)."""

    passage_id: int
    lang: str
    ord: int
    text: str


@dataclass(frozen=True, slots=True)
class EmbedStats:
    units: int  # passage-language units (their sentences are stored too)
    embedded: int  # texts computed now; the rest came from the previous file, this process
    # or the vector cache


def write_vectors(
    conn: sqlite3.Connection,
    units: Sequence[Unit],
    embedder: Embedder,
    previous: sqlite3.Connection | None = None,
    sentences: Sequence[SentenceUnit] = (),
    cache: VectorCache | None = None,
) -> EmbedStats:
    """Embed `units` and `sentences` into the `vectors`, `units` and `sentences` tables,
    reusing the vectors of `previous` (the KB being replaced), of this process's recent
    builds and of `cache`, in that order; `cache` then keeps what it gave and what was
    embedded."""
    texts = [*(u.text for u in units), *(s.text for s in sentences)]
    hashes = [text_hash(embedder.name, text) for text in texts]
    known = read_vectors(previous, hashes) if previous is not None else {}
    for key in hashes:
        if key not in known and (blob := _memo.get(key)) is not None:
            known[key] = blob
    cached = cache.get_many(k for k in hashes if k not in known) if cache is not None else {}
    known |= cached
    todo: dict[str, str] = {}
    for key, text in zip(hashes, texts, strict=True):
        if key not in known:
            todo.setdefault(key, text)
    keys = list(todo)
    for start in range(0, len(keys), EMBED_BATCH):
        batch = keys[start : start + EMBED_BATCH]
        vectors = embedder.passages([todo[k] for k in batch])
        for key, vector in zip(batch, vectors, strict=True):
            known[key] = pack(vector)
    for key in set(hashes):
        _memo.put(key, known[key])
    if cache is not None:
        cache.put_many({key: known[key] for key in [*cached, *keys]})
    conn.executemany(
        "INSERT OR IGNORE INTO vectors (hash, data) VALUES (?, ?)",
        ((key, known[key]) for key in dict.fromkeys(hashes)),
    )
    conn.executemany(
        "INSERT INTO units (passage_id, lang, hash) VALUES (?, ?, ?)",
        ((u.passage_id, u.lang, key) for u, key in zip(units, hashes[: len(units)], strict=True)),
    )
    conn.executemany(
        "INSERT INTO sentences (passage_id, lang, ord, text, hash) VALUES (?, ?, ?, ?, ?)",
        (
            (s.passage_id, s.lang, s.ord, s.text, key)
            for s, key in zip(sentences, hashes[len(units) :], strict=True)
        ),
    )
    return EmbedStats(units=len(units), embedded=len(keys))


class DenseIndex:
    """Language-centred, int8-quantised passage vectors held in memory."""

    def __init__(
        self,
        passage_ids: npt.NDArray[np.int64],
        matrix: npt.NDArray[np.int8],
        scales: npt.NDArray[np.float32],
        centres: dict[str, npt.NDArray[np.float32]] | None = None,
    ) -> None:
        self.passage_ids = passage_ids
        self.matrix = matrix
        self.scales = scales
        self.centres = centres or {}

    def centre(self, lang: str) -> npt.NDArray[np.float32]:
        """What is subtracted from a vector of `lang` (see the module's docstring)."""
        centre = self.centres.get(lang)
        if centre is None:
            return np.zeros(self.matrix.shape[1], dtype=np.float32)
        return centre

    def __len__(self) -> int:
        return len(self.passage_ids)

    @classmethod
    def load(cls, conn: sqlite3.Connection, dim: int, langs: Iterable[str]) -> DenseIndex:
        """The KB's vectors, centred and requantised. Rows are streamed into one buffer
        (no list of 100,000 row tuples) and converted `_LOAD_CHUNK` rows at a time into
        that same buffer, so the peak stays near the int8 matrix (`bench/kb_search.py`)."""
        query = "FROM units u JOIN vectors v ON v.hash = u.hash"
        n = int(conn.execute(f"SELECT count(*) {query}").fetchone()[0])
        width = 4 + dim  # float32 scale + int8 components, as `pack` writes them
        packed = np.empty((n, width), dtype=np.int8)
        flat = packed.data.cast("B")
        passage_ids = np.empty(n, dtype=np.int64)
        lang_codes: dict[str, int] = {}
        codes_seen = np.empty(n, dtype=np.int8)
        i = 0
        cursor = conn.execute(
            f"SELECT u.passage_id, u.lang, v.data {query} ORDER BY u.passage_id, u.lang"
        )
        for pid, lang, blob in cursor:
            if i == n:  # the tables changed between the count and the scan
                break
            flat[i * width : (i + 1) * width] = memoryview(blob)[:width]
            passage_ids[i] = pid
            codes_seen[i] = lang_codes.setdefault(lang, len(lang_codes))
            i += 1
        packed, passage_ids, codes_seen = packed[:i], passage_ids[:i], codes_seen[:i]
        raw = packed[:, 4:]
        raw_scales = np.ascontiguousarray(packed[:, :4]).view(np.float32).ravel()
        names = list(lang_codes)
        centres = _language_centres(raw, raw_scales, passage_ids, codes_seen, names, list(langs))
        lang_index = {lang: k for k, lang in enumerate(centres)}
        remap = np.array([lang_index[lang] for lang in names] or [0], dtype=np.int64)
        codes = remap[codes_seen]
        centre_matrix = np.stack(list(centres.values())) if centres else np.zeros((0, dim))
        # The requantised rows are written over the packed ones, in place: row k's
        # `dim` bytes land at k * dim, never past the `width` bytes of rows not yet read
        # (each chunk is copied out first). A second matrix doubled the load's peak.
        rows = len(raw)
        matrix = np.ndarray((rows, dim), dtype=np.int8, buffer=packed.data.cast("B"))
        scales = np.empty(rows, dtype=np.float32)
        for start in range(0, rows, _LOAD_CHUNK):
            end = start + _LOAD_CHUNK
            part = raw[start:end].astype(np.float32)
            part *= raw_scales[start:end, None]
            part -= centre_matrix[codes[start:end]]
            part /= np.maximum(np.linalg.norm(part, axis=1, keepdims=True), 1e-6)
            peak = np.maximum(np.abs(part).max(axis=1), 1e-6) / 127.0
            part /= peak[:, None]
            matrix[start:end] = np.rint(part, out=part)
            scales[start:end] = peak
        return cls(passage_ids, matrix, scales, centres)

    def rank(self, query: Vectors) -> DenseScores:
        """Cosine of `query` with every unit (exact). Scored `_RANK_CHUNK` rows at a time:
        a small float32 block stays in cache and its product runs on one BLAS thread,
        which on 2 shared cores is several times faster than large blocks (benchmark)."""
        n = len(self.passage_ids)
        scores = np.empty(n, dtype=np.float32)
        q = query.astype(np.float32)
        chunk = _RANK_CHUNK
        block = np.empty((min(chunk, n), self.matrix.shape[1]), dtype=np.float32)
        for start in range(0, n, chunk):
            part = self.matrix[start : start + chunk]
            rows = block[: len(part)]
            np.copyto(rows, part, casting="unsafe")
            np.matmul(rows, q, out=scores[start : start + len(part)])
        scores *= self.scales
        return DenseScores(self.passage_ids, scores)


@dataclass(frozen=True)
class DenseScores:
    """One query's scores over the units (sorted by passage id), best language wins."""

    passage_ids: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]

    @cached_property
    def baseline(self) -> float:
        """What a passage unrelated to the question scores: the mean of ranks 6-30. How
        far a passage stands out from it says more than its cosine, whose scale varies
        with the pair of languages."""
        n = len(self.scores)
        if n < 2:
            return float(self.scores.max()) if n else 0.0
        k = min(n, GAP_RANKS[1])
        top = -np.sort(-np.partition(self.scores, n - k)[n - k :])
        rest = top[GAP_RANKS[0] : k] if k > GAP_RANKS[0] else top[1:]
        return float(rest.mean())

    def top(self, limit: int) -> dict[int, float]:
        """The `limit` best passages, best first (passage id -> cosine)."""
        n = len(self.scores)
        if n == 0 or limit <= 0:
            return {}
        take = min(n, limit * 4)  # several units (languages) per passage
        top = np.argpartition(-self.scores, take - 1)[:take]
        best: dict[int, float] = {}
        for i in top[np.argsort(-self.scores[top])]:
            pid = int(self.passage_ids[i])
            if pid not in best:
                best[pid] = float(self.scores[i])
                if len(best) == limit:
                    break
        return best

    def get(self, passage_id: int) -> float | None:
        lo = int(np.searchsorted(self.passage_ids, passage_id, side="left"))
        hi = int(np.searchsorted(self.passage_ids, passage_id, side="right"))
        return float(self.scores[lo:hi].max()) if hi > lo else None


def _language_centres(
    raw: npt.NDArray[np.int8],
    scales: npt.NDArray[np.float32],
    passage_ids: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int8],
    names: list[str],
    langs: list[str],
) -> dict[str, npt.NDArray[np.float32]]:
    """Per language: the KB's mean vector plus that language's offset on parallel passages.

    Units are sorted by passage; `codes` index `names` (each unit's language)."""
    n, dim = raw.shape
    total = np.zeros(dim, dtype=np.float64)
    for start in range(0, n, _LOAD_CHUNK):
        end = start + _LOAD_CHUNK
        part = raw[start:end].astype(np.float32) * scales[start:end, None]
        total += part.sum(axis=0)
    mean = total / max(n, 1)
    present = {names[c] for c in np.unique(codes).tolist()}
    # A passage is parallel when it has a unit in each of `langs`: only runs of units of
    # one passage at least that long can be, so Python looks at those alone.
    boundary = np.r_[True, passage_ids[1:] != passage_ids[:-1]] if n else np.zeros(0, bool)
    starts = np.flatnonzero(boundary)
    ends = np.r_[starts[1:], n]
    parallel = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if end - start < len(langs):
            continue
        rows = {names[int(codes[i])]: i for i in range(start, end)}
        if len(rows) == len(langs):
            parallel.append(rows)
    centres: dict[str, npt.NDArray[np.float32]] = {}
    if parallel:
        lang_means = {}
        for lang in langs:
            idx = np.array([rows[lang] for rows in parallel])
            lang_means[lang] = (raw[idx].astype(np.float32) * scales[idx, None]).mean(axis=0)
        overall = np.mean(list(lang_means.values()), axis=0)
        for lang in langs:
            centres[lang] = (mean + lang_means[lang] - overall).astype(np.float32)
    for lang in sorted(present):
        centres.setdefault(lang, mean.astype(np.float32))
    return centres
