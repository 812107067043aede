"""Answer a question from the knowledge base: FTS5 recall, then coverage re-ranking.

1. The question's language is detected (or given); its words are stemmed in that
   language and the names in it (places, people, organisations, in any script or
   spelling) are recognised as entities.
2. FTS5 (`bm25`, with extra weight for names and titles) recalls candidate
   passages in that language. Every token is quoted, so no input is FTS syntax.
3. Each candidate gets a *coverage* score: the IDF-weighted share of the
   question's concepts it contains (a concept is a word, or a name together with
   the words that spell it). The final score mixes coverage and bm25.
4. Below a coverage threshold the bot abstains instead of guessing.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.kb.build import entity_token
from bot.kb.catalog import Catalog
from bot.kb.entities import EntityIndex
from bot.kb.places import Gazetteer
from bot.kb.schema import LANGS
from bot.kb.sources import Document, Place, document_from_dict
from bot.kb.text import detect_lang, is_stop, stem, stems, tokenize
from bot.kb.thesaurus import FACT_WORDS, WEAK, WEAK_FACTOR, expand

#: bm25 column weights: body, title, names.
BM25_WEIGHTS = (1.0, 0.4, 1.5)
RECALL = 30
MAX_TERMS = 24
#: Below this share of the question's (IDF-weighted) concepts, abstain.
MIN_COVERAGE = 0.5
RELEVANCE_WEIGHT = 0.15
#: Credit for a concept found only in the document's title, or only as a related
#: word form (same beginning: обсуждали ~ обсудили).
TITLE_CREDIT = 0.5
PREFIX_CREDIT = 0.6
MIN_PREFIX = 4


@dataclass(frozen=True, slots=True)
class Concept:
    """One thing the question asks about, satisfied by any of its alternative terms."""

    terms: frozenset[str]
    weight: float
    fact: bool = False  # asks for a kind of fact the sources rarely give (a fee, a phone)

    def credit(self, body: set[str], title: set[str], heads: dict[str, list[str]]) -> float:
        """How well a passage covers this concept: its terms, word families (`heads`:
        body terms by their first letters), or only its document's title."""
        if self.terms & body:
            return 1.0
        for term in self.terms:
            if any(_related(term, word) for word in heads.get(term[:MIN_PREFIX], ())):
                return PREFIX_CREDIT
        if self.terms & title:
            return TITLE_CREDIT
        return 0.0


def _related(a: str, b: str) -> bool:
    """Two stems of one word family: a long common beginning ("обсужда", "обсуд")."""
    if a[0] != b[0] or a.isdigit() or b.isdigit():
        return False
    shortest = min(len(a), len(b))
    if shortest < MIN_PREFIX + 1:
        return False
    need = max(MIN_PREFIX, shortest - 1)
    return a[:need] == b[:need]


@dataclass(slots=True)
class Hit:
    passage_id: int
    doc_id: str
    pid: str
    score: float
    coverage: float
    bm25: float
    texts: dict[str, str]
    matched: set[str] = field(default_factory=set)

    def text(self, lang: str) -> str:
        """The passage in `lang`, else in whatever language it exists (ingested docs)."""
        return self.texts.get(lang) or next(iter(self.texts.values()), "")


@dataclass(slots=True)
class SearchResult:
    question: str
    lang: str
    hits: list[Hit]
    answered: bool
    stems: list[str]
    #: The question asks for a kind of fact (fee, phone, address...) no passage gives.
    missing_fact: bool = False

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.answered and self.hits else None


class KnowledgeBase:
    """Read-only access to a built KB file. Thread-safe (one lock around the connection)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        #: Held by whoever rebuilds this KB's file (moderators adding documents).
        self.build_lock = threading.Lock()
        self._open()

    def _open(self) -> None:
        self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._documents: dict[str, Document] = {}
        self._sizes = {
            lang: int(
                self._conn.execute(
                    f"SELECT count(*) FROM passages WHERE text_{lang} IS NOT NULL"
                ).fetchone()[0]
            )
            for lang in LANGS
        }
        self.entities = self._load_entities()
        self._titles: dict[tuple[str, str], set[str]] = {}

    def close(self) -> None:
        self._conn.close()

    def reload(self) -> None:
        """Reopen the file after a rebuild (the build renames a new file into place, so
        the open connection still reads the old one)."""
        with self._lock:
            old = self._conn
            self._open()
            self.__dict__.pop("catalog", None)
        old.close()

    @cached_property
    def catalog(self) -> Catalog:
        """Topics, events, offices and receptions for the browsing sections."""
        return Catalog.load(self.path)

    def _load_entities(self) -> EntityIndex:
        index = EntityIndex()
        places = [
            Place(**json.loads(row["record"]))
            for row in self._conn.execute("SELECT record FROM places")
        ]
        self.gazetteer = Gazetteer(places)
        for place in places:
            index.add(place.id, "place", [*place.name.values(), *place.variants])
        for row in self._conn.execute("SELECT id, kind, record FROM entities"):
            record = json.loads(row["record"])
            index.add(row["id"], row["kind"], [*record["name"].values(), *record["aliases"]])
        return index

    # -- documents -----------------------------------------------------------------------

    def document(self, doc_id: str) -> Document | None:
        if doc_id not in self._documents:
            with self._lock:
                row = self._conn.execute(
                    "SELECT record FROM documents WHERE id = ?", (doc_id,)
                ).fetchone()
            if row is None:
                return None
            self._documents[doc_id] = document_from_dict(json.loads(row["record"]))
        return self._documents[doc_id]

    def title_terms(self, doc_id: str, lang: str) -> set[str]:
        key = (doc_id, lang)
        if key not in self._titles:
            doc = self.document(doc_id)
            self._titles[key] = set(stems(doc.title.get(lang, ""), lang)) if doc else set()
        return self._titles[key]

    # -- search --------------------------------------------------------------------------

    def concepts(self, question: str, lang: str) -> list[Concept]:
        """The question's concepts: names (with the words spelling them) and other words."""
        tokens = tokenize(question)
        mentions = self.entities.find(question)
        in_name: dict[int, str] = {}
        for mention in mentions:
            for i in range(mention.start, mention.end):
                in_name[i] = entity_token(mention.entity_id)
        groups: dict[str, set[str]] = {}
        for i, token in enumerate(tokens):
            if is_stop(token, lang):
                continue
            term = stem(token, lang)
            if not term:
                continue
            key = in_name.get(i, term)
            groups.setdefault(key, {key}).update((term, *expand(term, lang)))
        items = list(groups.items())[:MAX_TERMS]
        idf = self._idf(lang, {t for _key, terms in items for t in terms})
        weak = WEAK.get(lang, frozenset())
        facts = FACT_WORDS.get(lang, frozenset())
        concepts = []
        for key, terms in items:
            weight = max(idf[t] for t in terms) * (WEAK_FACTOR if key in weak else 1.0)
            concepts.append(Concept(frozenset(terms), weight, fact=key in facts))
        return concepts

    def _idf(self, lang: str, terms: set[str]) -> dict[str, float]:
        n = max(self._sizes.get(lang, 0), 1)
        marks = ",".join("?" * len(terms))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT term, doc FROM fts_{lang}_vocab WHERE term IN ({marks})", tuple(terms)
            ).fetchall()
        df = {row["term"]: int(row["doc"]) for row in rows}
        return {t: math.log(1 + (n - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5)) for t in terms}

    def search(
        self, question: str, lang: str | None = None, *, limit: int = 5, default_lang: str = "ru"
    ) -> SearchResult:
        lang = lang if lang in LANGS else detect_lang(question, default=default_lang)
        concepts = self.concepts(question, lang)
        all_terms = sorted({t for c in concepts for t in c.terms})
        if not concepts:
            return SearchResult(question, lang, [], False, all_terms)
        match = " OR ".join(f'"{t}"' for t in all_terms)
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        with self._lock:
            # Rank inside FTS5 first, join only the winners: joining before the sort
            # would read every matching passage row.
            rows = self._conn.execute(
                f"SELECT p.id, p.doc_id, p.pid, p.text_ru, p.text_kk, p.text_en, "
                f"p.terms_{lang} AS terms, top.score FROM ("
                f"SELECT rowid, bm25(fts_{lang}, {weights}) AS score FROM fts_{lang} "
                f"WHERE fts_{lang} MATCH ? ORDER BY score LIMIT {RECALL}"
                f") AS top JOIN passages p ON p.id = top.rowid ORDER BY top.score",
                (match,),
            ).fetchall()
        if not rows:
            return SearchResult(question, lang, [], False, all_terms)
        total = sum(c.weight for c in concepts)
        best_bm25 = max(-row["score"] for row in rows) or 1.0
        hits = []
        for row in rows:
            terms = set((row["terms"] or "").split())
            title = self.title_terms(row["doc_id"], lang)
            heads: dict[str, list[str]] = {}
            for word in terms:
                if len(word) > MIN_PREFIX:
                    heads.setdefault(word[:MIN_PREFIX], []).append(word)
            credits = [(c, c.credit(terms, title, heads)) for c in concepts]
            covered = [c for c, credit in credits if credit == 1.0]
            coverage = sum(c.weight * credit for c, credit in credits) / total
            relevance = -row["score"] / best_bm25
            hits.append(
                Hit(
                    passage_id=row["id"],
                    doc_id=row["doc_id"],
                    pid=row["pid"],
                    score=coverage + RELEVANCE_WEIGHT * relevance,
                    coverage=coverage,
                    bm25=row["score"],
                    texts={k: row[f"text_{k}"] for k in LANGS if row[f"text_{k}"]},
                    matched={t for c in covered for t in c.terms & terms},
                )
            )
        hits.sort(key=lambda h: h.score, reverse=True)
        best_terms = set(hits[0].matched)
        missing_fact = any(c.fact and not c.terms & best_terms for c in concepts)
        answered = hits[0].coverage >= MIN_COVERAGE and not missing_fact
        return SearchResult(question, lang, hits[:limit], answered, all_terms, missing_fact)
