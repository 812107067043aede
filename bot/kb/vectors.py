"""Dense vectors in the KB file, and their in-memory index.

**Storage.** Every passage is embedded once per language it exists in, as
``"{title}. {text}"`` (a unit). Vectors are stored in the KB file, quantised to int8
with one float scale per vector, keyed by a hash of the model's name and the text:
a rebuild reuses the vectors of the previous file (and of this process's recent
builds) and embeds only new or changed passages.

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

**Search** is brute force over the int8 matrix in chunks (exact, no index to build, and
at 100,000 passages a few tens of milliseconds: `bench/kb_search.py`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from bot.kb.embed import Embedder, Vectors

EMBED_BATCH = 32
_CHUNK = 16_384  # rows converted to float32 at a time while scoring
_MEMO_SIZE = 8_192
GAP_RANKS = (5, 30)  # vectors this process keeps from its recent builds


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


class _Memo:
    """A bounded memory of packed vectors by hash, shared by this process's builds."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = size

    def get(self, key: str) -> bytes | None:
        blob = self._items.get(key)
        if blob is not None:
            self._items.move_to_end(key)
        return blob

    def put(self, key: str, blob: bytes) -> None:
        self._items[key] = blob
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


_memo = _Memo(_MEMO_SIZE)


@dataclass(frozen=True, slots=True)
class Unit:
    passage_id: int
    lang: str
    text: str


@dataclass(frozen=True, slots=True)
class EmbedStats:
    units: int
    embedded: int  # computed now; the rest came from the previous file or this process


def _previous_vectors(previous: sqlite3.Connection | None, hashes: list[str]) -> dict[str, bytes]:
    if previous is None:
        return {}
    found: dict[str, bytes] = {}
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for key, blob in previous.execute(
            f"SELECT hash, data FROM vectors WHERE hash IN ({marks})", chunk
        ):
            found[key] = bytes(blob)
    return found


def write_vectors(
    conn: sqlite3.Connection,
    units: Sequence[Unit],
    embedder: Embedder,
    previous: sqlite3.Connection | None = None,
) -> EmbedStats:
    """Embed `units` (reusing known vectors) into the `vectors` and `units` tables."""
    hashes = [text_hash(embedder.name, u.text) for u in units]
    known = _previous_vectors(previous, sorted(set(hashes)))
    for key in hashes:
        if key not in known and (blob := _memo.get(key)) is not None:
            known[key] = blob
    todo: dict[str, str] = {}
    for key, unit in zip(hashes, units, strict=True):
        if key not in known:
            todo.setdefault(key, unit.text)
    keys = list(todo)
    for start in range(0, len(keys), EMBED_BATCH):
        batch = keys[start : start + EMBED_BATCH]
        vectors = embedder.passages([todo[k] for k in batch])
        for key, vector in zip(batch, vectors, strict=True):
            known[key] = pack(vector)
    for key in set(hashes):
        _memo.put(key, known[key])
    conn.executemany(
        "INSERT OR IGNORE INTO vectors (hash, data) VALUES (?, ?)",
        ((key, known[key]) for key in dict.fromkeys(hashes)),
    )
    conn.executemany(
        "INSERT INTO units (passage_id, lang, hash) VALUES (?, ?, ?)",
        ((u.passage_id, u.lang, key) for u, key in zip(units, hashes, strict=True)),
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
        rows = conn.execute(
            "SELECT u.passage_id, u.lang, v.data FROM units u JOIN vectors v ON v.hash = u.hash "
            "ORDER BY u.passage_id, u.lang"
        ).fetchall()
        n = len(rows)
        raw = np.empty((n, dim), dtype=np.int8)
        raw_scales = np.empty(n, dtype=np.float32)
        passage_ids = np.empty(n, dtype=np.int64)
        unit_langs: list[str] = []
        for i, (pid, lang, blob) in enumerate(rows):
            raw_scales[i], raw[i] = unpack(blob, dim)
            passage_ids[i] = pid
            unit_langs.append(lang)
        centres = _language_centres(raw, raw_scales, passage_ids, unit_langs, list(langs))
        lang_index = {lang: k for k, lang in enumerate(centres)}
        codes = np.array([lang_index[lang] for lang in unit_langs], dtype=np.int64)
        centre_matrix = np.stack(list(centres.values())) if centres else np.zeros((0, dim))
        matrix = np.empty_like(raw)
        scales = np.empty(n, dtype=np.float32)
        for start in range(0, n, _CHUNK):
            part = raw[start : start + _CHUNK].astype(np.float32)
            part *= raw_scales[start : start + _CHUNK, None]
            part -= centre_matrix[codes[start : start + _CHUNK]]
            part /= np.maximum(np.linalg.norm(part, axis=1, keepdims=True), 1e-6)
            peak = np.maximum(np.abs(part).max(axis=1), 1e-6) / 127.0
            matrix[start : start + _CHUNK] = np.rint(part / peak[:, None]).astype(np.int8)
            scales[start : start + _CHUNK] = peak
        return cls(passage_ids, matrix, scales, centres)

    def rank(self, query: Vectors) -> DenseScores:
        """Cosine of `query` with every unit (exact; chunked so memory stays flat)."""
        n = len(self.passage_ids)
        scores = np.empty(n, dtype=np.float32)
        q = query.astype(np.float32)
        for start in range(0, n, _CHUNK):
            part = self.matrix[start : start + _CHUNK].astype(np.float32)
            scores[start : start + _CHUNK] = part @ q
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
    unit_langs: list[str],
    langs: list[str],
) -> dict[str, npt.NDArray[np.float32]]:
    """Per language: the KB's mean vector plus that language's offset on parallel passages."""
    n, dim = raw.shape
    total = np.zeros(dim, dtype=np.float64)
    for start in range(0, n, _CHUNK):
        part = raw[start : start + _CHUNK].astype(np.float32) * scales[start : start + _CHUNK, None]
        total += part.sum(axis=0)
    mean = total / max(n, 1)
    present = {lang for lang in unit_langs}
    by_passage: dict[int, dict[str, int]] = {}
    for i, (pid, lang) in enumerate(zip(passage_ids.tolist(), unit_langs, strict=True)):
        by_passage.setdefault(pid, {})[lang] = i
    parallel = [rows for rows in by_passage.values() if len(rows) == len(langs)]
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


def embed_query(embedder: Embedder, text: str) -> Vectors:
    vectors: Vectors = embedder.queries([text])[0]
    return vectors
