"""Build the knowledge-base file from `data/`: write a temp file, then rename it.

Readers never see a half-built KB: they keep the old file open until they reopen.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.kb.answer import answer_sentences
from bot.kb.embed import DEFAULT_EMBEDDER, Embedder, load_embedder
from bot.kb.entities import EntityIndex
from bot.kb.schema import LANGS, SCHEMA_VERSION, TABLES, fts_ddl
from bot.kb.sources import (
    DATA_DIR,
    Document,
    Sources,
    data_mtime,
    document_to_dict,
    load_sources,
)
from bot.kb.text import stems
from bot.kb.vector_cache import VectorCache
from bot.kb.vectors import SentenceUnit, Unit, unit_text, write_vectors


def entity_token(entity_id: str) -> str:
    """An entity id as one FTS token ("zhetysu-region" -> "ezhetysuregion")."""
    return "e" + re.sub(r"[^a-z0-9]", "", entity_id.lower())


def entity_index(sources: Sources) -> EntityIndex:
    """Every named thing in the sources: places, people, organisations."""
    index = EntityIndex()
    for place in sources.places:
        index.add(place.id, "place", [*place.name.values(), *place.variants])
    for doc in sources.documents:
        for person in doc.people:
            index.add(person.id, "person", [*person.name.values(), *person.aliases])
        for org in doc.organisations:
            index.add(org.id, "organisation", [*org.name.values(), *org.aliases])
    return index


@dataclass(frozen=True, slots=True)
class BuildStats:
    documents: int
    passages: int
    places: int
    topics: int
    receptions: int
    entities: int
    seconds: float
    bytes: int
    vectors: int = 0  # passage-language units with a vector
    embedded: int = 0  # of them, computed in this build (the rest were reused)

    def line(self) -> str:
        dense = (
            f", {self.vectors} vectors ({self.embedded} new)" if self.vectors else ", no vectors"
        )
        return (
            f"{self.documents} documents, {self.passages} passages, {self.places} places, "
            f"{self.topics} topics, {self.receptions} receptions, {self.entities} names"
            f"{dense}; {self.bytes / 1_000_000:.2f} MB in {self.seconds:.2f} s"
        )


class KBWriter:
    """Writes documents into an open (new) KB connection."""

    def __init__(self, conn: sqlite3.Connection, index: EntityIndex) -> None:
        self.conn = conn
        self.index = index
        self.passages = 0
        self.units: list[Unit] = []  # texts to embed, one per passage and language
        self.sentences: list[SentenceUnit] = []  # and each of their sentences

    def add_document(self, doc: Document) -> int:
        self.conn.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                doc.id,
                doc.source,
                doc.source_lang,
                doc.kind,
                doc.event_kind,
                doc.date,
                doc.date_precision,
                doc.origin,
                json.dumps(document_to_dict(doc), ensure_ascii=False),
            ),
        )
        title_terms = {lang: stems(doc.title.get(lang, ""), lang) for lang in LANGS}
        for order, passage in enumerate(doc.passages):
            names = sorted(
                {
                    entity_token(m.entity_id)
                    for t in passage.text.values()
                    for m in self.index.find(t)
                }
            )
            row: dict[str, Any] = {"doc_id": doc.id, "pid": passage.pid, "ord": order}
            fts_rows: dict[str, tuple[str, str, str]] = {}
            for lang in LANGS:
                text = passage.text.get(lang)
                row[f"text_{lang}"] = text
                if not text:
                    row[f"terms_{lang}"] = None
                    continue
                body = stems(text, lang)
                terms = set(body) | set(names)
                row[f"terms_{lang}"] = " ".join(sorted(terms))
                fts_rows[lang] = (" ".join(body), " ".join(title_terms[lang]), " ".join(names))
            cur = self.conn.execute(
                "INSERT INTO passages (doc_id, pid, ord, text_ru, text_kk, text_en, "
                "terms_ru, terms_kk, terms_en) VALUES (:doc_id, :pid, :ord, :text_ru, :text_kk, "
                ":text_en, :terms_ru, :terms_kk, :terms_en)",
                row,
            )
            rowid = cur.lastrowid
            assert rowid is not None
            for lang, text in passage.text.items():
                title = doc.title.get(lang) or doc.title.get(doc.source_lang, "")
                self.units.append(Unit(rowid, lang, unit_text(title, text)))
                self.sentences += [
                    SentenceUnit(rowid, lang, n, sentence)
                    for n, sentence in enumerate(answer_sentences(text))
                ]
            for lang, (body_text, title_text, names_text) in fts_rows.items():
                self.conn.execute(
                    f"INSERT INTO fts_{lang} (rowid, body, title, names) VALUES (?, ?, ?, ?)",
                    (rowid, body_text, title_text, names_text),
                )
            self.passages += 1
        return len(doc.passages)


def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(TABLES + "".join(fts_ddl(lang) for lang in LANGS))
    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


def read_meta(path: Path) -> dict[str, str]:
    """The `meta` table of a KB file ({} when it is missing or not a KB)."""
    if not path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def _open_previous(out: Path, embedder: Embedder) -> sqlite3.Connection | None:
    """The KB file being replaced, when its vectors come from the same model."""
    if read_meta(out).get("embedder") != embedder.name:
        return None
    try:
        return sqlite3.connect(f"file:{out}?mode=ro", uri=True)
    except sqlite3.Error:
        return None


def _json(obj: Any) -> str:
    return json.dumps(asdict(obj), ensure_ascii=False)


def write_tables(conn: sqlite3.Connection, sources: Sources, index: EntityIndex) -> None:
    conn.executemany("INSERT INTO places VALUES (?, ?)", [(p.id, _json(p)) for p in sources.places])
    conn.executemany(
        "INSERT INTO topics VALUES (?, ?, ?, ?)",
        [(t.id, t.parent, t.order, _json(t)) for t in sources.topics],
    )
    conn.executemany(
        "INSERT INTO offices VALUES (?, ?)", [(o.id, _json(o)) for o in sources.offices]
    )
    conn.executemany(
        "INSERT INTO receptions VALUES (?, ?, ?)",
        [(r.id, r.date, _json(r)) for r in sources.receptions],
    )
    labels = [
        ("service", k, json.dumps(v, ensure_ascii=False)) for k, v in sources.services.items()
    ]
    labels += [
        ("audience", k, json.dumps(v, ensure_ascii=False)) for k, v in sources.audiences.items()
    ]
    conn.executemany("INSERT INTO labels VALUES (?, ?, ?)", labels)
    entities: dict[str, tuple[str, str]] = {}
    for doc in sources.documents:
        for person in doc.people:
            entities[person.id] = ("person", _json(person))
        for org in doc.organisations:
            entities.setdefault(org.id, ("organisation", _json(org)))
    conn.executemany(
        "INSERT INTO entities VALUES (?, ?, ?)", [(k, v[0], v[1]) for k, v in entities.items()]
    )


def write_kb(
    out: Path,
    sources: Sources,
    extra_documents: Iterable[Document] = (),
    embedder_spec: str = DEFAULT_EMBEDDER,
    version: str | None = None,
    vectors_from: Path | None = None,
    vector_cache: Path | None = None,
) -> BuildStats:
    """Write a complete KB to `out` atomically (temp file in the same folder, then rename).

    Passages are embedded with `embedder_spec` (see `bot.kb.embed`), reusing the vectors
    of the file being replaced (or of the KB `vectors_from`, when given) and of the
    `vector_cache` file (`bot.kb.vector_cache`), so a rebuild embeds only new or changed
    passages.
    `version` is the version of the database's documents the sources hold (recorded in
    `meta` as `documents_version`; without it, the KB is of `data/` alone)."""
    started = time.perf_counter()
    embedder = load_embedder(embedder_spec)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    index = entity_index(sources)
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        create_schema(conn)
        writer = KBWriter(conn, index)
        documents = 0
        for doc in [*sources.documents, *extra_documents]:
            writer.add_document(doc)
            documents += 1
        write_tables(conn, sources, index)
        embedded = 0
        conn.execute("INSERT INTO meta VALUES ('embedder_spec', ?)", (embedder_spec,))
        conn.execute("INSERT INTO meta VALUES (?, ?)", (DOCUMENTS_VERSION, version or NO_DOCUMENTS))
        if embedder is not None:
            previous = _open_previous(vectors_from or out, embedder)
            try:
                cache = VectorCache(vector_cache) if vector_cache is not None else None
                embedded = write_vectors(
                    conn, writer.units, embedder, previous, writer.sentences, cache
                ).embedded
            finally:
                if previous is not None:
                    previous.close()
            conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [("embedder", embedder.name), ("dim", str(embedder.dim))],
            )
        for lang in LANGS:
            conn.execute(f"INSERT INTO fts_{lang}(fts_{lang}) VALUES ('optimize')")
        conn.commit()
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    os.replace(tmp, out)
    return BuildStats(
        documents=documents,
        passages=writer.passages,
        places=len(sources.places),
        topics=len(sources.topics),
        receptions=len(sources.receptions),
        entities=len(index),
        seconds=time.perf_counter() - started,
        bytes=out.stat().st_size,
        vectors=len(writer.units) if embedder is not None else 0,
        embedded=embedded,
    )


DOCUMENTS_VERSION = "documents_version"  # the `meta` key
#: The version of no documents: a KB built from `data/` alone, and a new database.
NO_DOCUMENTS = "0"


def build_kb(
    out: Path,
    data_dir: Path = DATA_DIR,
    embedder_spec: str = DEFAULT_EMBEDDER,
    documents: Sequence[Document] = (),
    version: str | None = None,
    vectors_from: Path | None = None,
    vector_cache: Path | None = None,
) -> BuildStats:
    """The KB of `data/` plus `documents` (the database's, at `version`)."""
    return write_kb(
        out,
        load_sources(data_dir, documents),
        embedder_spec=embedder_spec,
        version=version,
        vectors_from=vectors_from,
        vector_cache=vector_cache,
    )


def kb_is_stale(
    kb_path: Path,
    data_dir: Path = DATA_DIR,
    embedder_spec: str = DEFAULT_EMBEDDER,
    version: str | None = None,
) -> bool:
    """Missing, older than the newest file in `data/`, of another schema, built with
    another embedder, or (given the database's `version`) from other documents."""
    if not kb_path.exists():
        return True
    meta = read_meta(kb_path)
    if meta.get("schema_version") != str(SCHEMA_VERSION):
        return True
    if meta.get("embedder_spec") != embedder_spec:
        return True
    if version is not None and meta.get(DOCUMENTS_VERSION, NO_DOCUMENTS) != version:
        return True
    return kb_path.stat().st_mtime < data_mtime(data_dir)


def ensure_kb(
    kb_path: Path,
    data_dir: Path = DATA_DIR,
    embedder_spec: str = DEFAULT_EMBEDDER,
    documents: Sequence[Document] = (),
    version: str | None = None,
    vector_cache: Path | None = None,
) -> BuildStats | None:
    """Build the KB when it is missing or stale; returns the stats when it built."""
    if kb_is_stale(kb_path, data_dir, embedder_spec, version):
        return build_kb(
            kb_path, data_dir, embedder_spec, documents, version, vector_cache=vector_cache
        )
    return None
