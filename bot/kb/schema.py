"""The knowledge base's SQLite schema (a read-mostly file, rebuilt from `data/`).

Passages are stored once with their text in each language; each language has its
own FTS5 index over *stemmed* text (`body`), the document title (`title`) and the
entities the passage names (`names`, as `e<id>` tokens), so a question is
matched in its own language and the answer can be shown in any language.
Each passage also has a dense vector per language it exists in (`units`, `vectors`),
so a question in one language finds a passage that exists only in another, and each
of its sentences has one too (`sentences`), from which the direct answer is chosen.
"""

from __future__ import annotations

#: Bumped whenever indexed terms or tables change (3: Kazakh stems folded; 4: sentences).
SCHEMA_VERSION = 4
LANGS = ("ru", "kk", "en")

TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_kind TEXT,
    date TEXT,
    date_precision TEXT,
    origin TEXT NOT NULL,
    record TEXT NOT NULL          -- the whole Document as JSON (titles, people, places...)
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id),
    pid TEXT NOT NULL,
    ord INTEGER NOT NULL,
    text_ru TEXT, text_kk TEXT, text_en TEXT,
    terms_ru TEXT, terms_kk TEXT, terms_en TEXT,  -- indexed terms, for coverage scoring
    UNIQUE (doc_id, pid)
);
CREATE INDEX passages_doc ON passages(doc_id, ord);
CREATE TABLE entities (id TEXT PRIMARY KEY, kind TEXT NOT NULL, record TEXT NOT NULL);
CREATE TABLE places (id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE topics (id TEXT PRIMARY KEY, parent TEXT, ord INTEGER, record TEXT NOT NULL);
CREATE TABLE offices (id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE receptions (id TEXT PRIMARY KEY, date TEXT NOT NULL, record TEXT NOT NULL);
CREATE TABLE labels (kind TEXT NOT NULL, key TEXT NOT NULL, record TEXT NOT NULL,
                     PRIMARY KEY (kind, key));
-- dense retrieval (bot.kb.vectors): one unit per passage and language it exists in
CREATE TABLE vectors (hash TEXT PRIMARY KEY, data BLOB NOT NULL);  -- float32 scale + int8[dim]
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    passage_id INTEGER NOT NULL REFERENCES passages(id),
    lang TEXT NOT NULL,
    hash TEXT NOT NULL REFERENCES vectors(hash)
);
-- direct answers (bot.kb.answer): the sentences of each passage-language unit
CREATE TABLE sentences (
    passage_id INTEGER NOT NULL REFERENCES passages(id),
    lang TEXT NOT NULL,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    hash TEXT NOT NULL REFERENCES vectors(hash),
    PRIMARY KEY (passage_id, lang, ord)
) WITHOUT ROWID;
"""


def fts_ddl(lang: str) -> str:
    return (
        f"CREATE VIRTUAL TABLE fts_{lang} USING fts5("
        "body, title, names, content='', columnsize=1, "
        "tokenize='unicode61 remove_diacritics 0');"
        f"CREATE VIRTUAL TABLE fts_{lang}_vocab USING fts5vocab(fts_{lang}, 'row');"
    )
