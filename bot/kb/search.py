"""Answer a question from the knowledge base: hybrid recall, fusion, abstention, and
the sentence that answers.

1. The question's language is detected (or given; Latin-typed Kazakh and Russian are
   respelt first); its words are stemmed in that language and the names in it
   (places, people, organisations, in any script or spelling) recognised as entities.
2. Recall: FTS5 (`bm25`, names and titles weighted) in the question's language, every
   token quoted so no input is FTS syntax; and the passages nearest to the question's
   dense vector in any language (`bot.kb.vectors`).
3. Each candidate gets a *coverage* score (the IDF-weighted share of the question's
   concepts it contains; names and numbers count in any of its languages) and a dense
   cosine; `fuse` mixes them.
4. The bot abstains unless the best passage's words (in the question's language) or its
   meaning (in any language) clearly answer, and never answers a question about a named
   thing with a passage about something else, or a fee/phone/address question with a
   passage that gives no fact of that form.
5. The direct answer (`bot.kb.answer`) picks the sentence that answers and the date a
   "when" question asks for.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Set
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from bot.kb.answer import (
    MAX_PASSAGES,
    Candidate,
    DirectAnswer,
    Sentence,
    choose_sentence,
    document_date,
    sentence_date,
)
from bot.kb.build import DOCUMENTS_VERSION, NO_DOCUMENTS, entity_token
from bot.kb.catalog import WITHOUT_PASSAGES, Catalog
from bot.kb.embed import Embedder, EmbedderError, Vectors, load_embedder
from bot.kb.entities import EntityIndex
from bot.kb.facts import asked_facts, gives_fact
from bot.kb.places import Gazetteer
from bot.kb.schema import LANGS
from bot.kb.sources import Document, Place, document_from_dict
from bot.kb.spelling import respell
from bot.kb.text import detect_lang, is_stop, repair, stem, stems, tokenize
from bot.kb.thesaurus import SERVICE_WORDS, WEAK, WEAK_FACTOR, expand
from bot.kb.vectors import DenseIndex, DenseScores, unpack

log = logging.getLogger(__name__)

#: bm25 column weights: body, title, names.
BM25_WEIGHTS = (1.0, 0.4, 1.5)
RECALL = 30
#: Documents without their passages kept in memory (`about`: what answers and cards
#: show; about 2 KB each with the 100k KB), and whole documents, passages included
#: (`document`, for the few screens that show a passage of a document not found by a
#: search). Whole ones were all that was kept, 2,048 of them: a long-running process
#: kept every passage of the 2,048 documents answered last (tens of MB with long news).
ABOUT_KEPT = 1024
DOCUMENTS_KEPT = 64
#: Searches whose results are kept: turning a result's pages, voting on it and a topic's
#: button ask the same question again (each search embeds it: 15-40 ms of CPU). A KB is
#: read-only and a search depends on nothing else, so a kept result stays right until
#: `reload` (a new file) drops them all.
RESULTS_KEPT = 256
#: Documents' title stems (per language) kept for scoring: each search looks at the titles
#: of its 30 candidates; kept without a bound, they grew with every document ever scored.
TITLES_KEPT = 8192
MAX_TERMS = 24
#: Below this share of the question's (IDF-weighted) concepts, abstain.
MIN_COVERAGE = 0.5
RELEVANCE_WEIGHT = 0.15
DENSE_WEIGHT = 1.0
LEX_WEIGHT = 0.25
NAME_WEIGHT = 0.3
#: A passage whose (language-centred) cosine with the question exceeds the mean of the
#: next 25 passages by this much answers it even when few words are shared (another
#: language): questions the KB does not cover find nothing that stands out.
MIN_GAP = 0.06
MIN_COVERAGE_WITH_MEANING = 0.3
#: Meaning that stands out this far answers whatever the words (Latin-typed Kazakh).
STRONG_GAP = 0.10
#: A direct answer's passage is shown with the next one when both fit in this many
#: characters.
MAX_CONTEXT = 900
#: Across languages, with a rare name shared (in at most 3 documents, or 2% of them).
MIN_GAP_NAMED = 0.03
RARE_NAME_DOCS = 3
RARE_NAME_SHARE = 0.02
#: Credit for a concept found only in the document's title, or only as a related
#: word form (same beginning: обсуждали ~ обсудили).
TITLE_CREDIT = 0.5
PREFIX_CREDIT = 0.6
#: The share of its language's centre (`DenseIndex.centre`) subtracted from a question's
#: vector before ranking: questions carry the pull of their language as passages do,
#: though less (a short text, a different prefix). Measured on corpus-dev: 0 -> 0.3 took
#: cross-language hit@1 from 0.72 to 0.83 with out-of-scope abstention 1.00 -> 0.90; 0.5
#: and more lowered both (README "Figures").
QUERY_CENTRING = 0.3
MIN_PREFIX = 4


def _one_word(concepts: list[Concept]) -> bool:
    """The question says what it is about in one word and names nothing specific."""
    substantive = [c for c in concepts if not c.framing]
    return len(substantive) < 2 and not any(c.entity for c in concepts)


def _lead_with(hits: list[Hit], lead: Hit) -> list[Hit]:
    """`hits` with `lead` first (the passage holding the answer)."""
    return [lead, *(h for h in hits if h.passage_id != lead.passage_id)]


def fuse(
    coverage: float,
    relevance: float,
    cosine: float | None,
    names: float,
    *,
    top: float,
) -> float:
    """One score from the lexical coverage (question's language), bm25, the dense cosine
    and the share of the question's names and numbers the passage contains."""
    if cosine is None:
        return coverage + RELEVANCE_WEIGHT * relevance
    dense = cosine / top if top > 0 else 0.0
    return (
        DENSE_WEIGHT * dense
        + LEX_WEIGHT * (coverage + RELEVANCE_WEIGHT * relevance)
        + NAME_WEIGHT * names
    )


@dataclass(frozen=True, slots=True)
class Concept:
    """One thing the question asks about, satisfied by any of its alternative terms."""

    terms: frozenset[str]
    weight: float
    #: A name or a number: the same token in every language, so it counts in passages
    #: that exist only in another language.
    universal: bool = False
    #: The entity a specific name stands for (a person, an organisation, a city...; not a
    #: country): an answer must be about it.
    entity: str | None = None
    #: Frames the question rather than saying what it is about ("name", "year") or is as
    #: broad as a country: it cannot carry a match on its own.
    framing: bool = False

    def credit(
        self, body: set[str], anywhere: set[str], title: Set[str], heads: dict[str, list[str]]
    ) -> float:
        """How well a passage covers this concept: its terms in the question's language
        (`body`), a name or number in any of the passage's languages (`anywhere`), word
        families (`heads`: body terms by their first letters), or only its title."""
        if self.terms & body:
            return 1.0
        if self.universal and self.terms & anywhere:
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
    #: Every term the passage is indexed under, in all its languages (names included).
    terms: frozenset[str] = frozenset()
    dense: float = 0.0  # language-centred cosine with the question (0 without vectors)

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts.values())

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
    #: The sentence that answers (and the date a "when" question leads with).
    answer: DirectAnswer | None = None

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.answered and self.hits else None


class KnowledgeBase:
    """Read-only access to a built KB file. Thread-safe (one lock around the connection)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        #: Guards the kept results only: a kept answer never waits for another search's SQL.
        self._results_lock = threading.Lock()
        #: Held by whoever rebuilds this KB's file (moderators adding documents).
        self.build_lock = threading.Lock()
        self._open()

    def _open(self) -> None:
        self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._documents: OrderedDict[str, Document] = OrderedDict()
        self._about: OrderedDict[str, Document] = OrderedDict()
        self._results: OrderedDict[tuple[str, str | None, int, str], SearchResult] = OrderedDict()
        self._vocab: dict[str, frozenset[str]] = {}  # lang -> its index's terms (`knows`)
        self._services: dict[str, frozenset[str]] = {}  # lang -> `service_terms`
        self._sizes = {
            lang: int(
                self._conn.execute(
                    f"SELECT count(*) FROM passages WHERE text_{lang} IS NOT NULL"
                ).fetchone()[0]
            )
            for lang in LANGS
        }
        self.entities = self._load_entities()
        self._title_terms = lru_cache(maxsize=TITLES_KEPT)(self._read_title_terms)
        self._embedder, self._dense_index = self._load_dense()
        #: The version of the database's documents this file was built from.
        self.documents_version = self._meta().get(DOCUMENTS_VERSION, NO_DOCUMENTS)
        self._entity_docs = self._load_entity_docs()

    def _load_entity_docs(self) -> dict[str, set[str]]:
        """Entity id -> the documents naming it."""
        docs: dict[str, set[str]] = {}
        self._document_count = 0
        for row in self._conn.execute("SELECT id, record FROM documents"):
            record = json.loads(row["record"])
            self._document_count += 1
            ids = [*record.get("places", []), *record.get("mentioned_places", [])]
            ids += [p["id"] for p in record.get("people", [])]
            ids += [o["id"] for o in record.get("organisations", [])]
            for entity_id in ids:
                docs.setdefault(entity_id, set()).add(row["id"])
        return docs

    def _load_dense(self) -> tuple[Embedder | None, DenseIndex | None]:
        """The model the KB was built with and its vectors; lexical search only when the
        KB has none or the model cannot be loaded here."""
        meta = self._meta()
        name, spec = meta.get("embedder"), meta.get("embedder_spec")
        if not name or not spec:
            return None, None
        try:
            embedder = load_embedder(spec)
        except EmbedderError as exc:
            log.warning("dense retrieval off: %s", exc)
            return None, None
        if embedder is None or embedder.name != name:
            log.warning("dense retrieval off: the KB's vectors come from %s", name)
            return None, None
        return embedder, DenseIndex.load(self._conn, int(meta["dim"]), LANGS)

    def _meta(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def close(self) -> None:
        self._conn.close()

    def ping(self) -> None:
        """Raise unless the open file answers (readiness checks)."""
        with self._lock:
            self._conn.execute("SELECT count(*) FROM meta").fetchone()

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

    def _specific(self, entity_id: str) -> bool:
        """A name that pins a question down: anything but a country."""
        if self.entities.kinds.get(entity_id) != "place":
            return True
        place = self.gazetteer.by_id.get(entity_id)
        return place is not None and place.kind != "country"

    # -- documents -----------------------------------------------------------------------

    def document(self, doc_id: str) -> Document | None:
        """The whole document, passages included (the `DOCUMENTS_KEPT` asked last are
        kept in memory). Where its passages are not needed, `about` is lighter."""
        return self._kept(doc_id, self._documents, DOCUMENTS_KEPT, "record")

    def about(self, doc_id: str) -> Document | None:
        """The document without its passages: title, dates, places, people, source
        (the `ABOUT_KEPT` asked last are kept in memory)."""
        return self._kept(doc_id, self._about, ABOUT_KEPT, WITHOUT_PASSAGES)

    def _kept(
        self, doc_id: str, kept: OrderedDict[str, Document], size: int, column: str
    ) -> Document | None:
        with self._lock:  # searches run in several threads
            doc = kept.get(doc_id)
            if doc is not None:
                kept.move_to_end(doc_id)
                return doc
            row = self._conn.execute(
                f"SELECT {column} FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
            if row is None:
                return None
            doc = kept[doc_id] = document_from_dict(json.loads(row[0]))
            while len(kept) > size:
                kept.popitem(last=False)
            return doc

    def documents_by_source(self, sources: list[str]) -> list[Document]:
        """The documents restating the given source files."""
        if not sources:
            return []
        marks = ",".join("?" * len(sources))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT id FROM documents WHERE source IN ({marks})", sources
            ).fetchall()
        return [d for d in (self.document(row["id"]) for row in rows) if d is not None]

    def title_terms(self, doc_id: str, lang: str) -> frozenset[str]:
        """The stems of a document's title in `lang` (the `TITLES_KEPT` used last are
        kept; `lru_cache` is thread-safe, and a reload starts a new one)."""
        return self._title_terms(doc_id, lang)

    def _read_title_terms(self, doc_id: str, lang: str) -> frozenset[str]:
        doc = self.about(doc_id)
        return frozenset(stems(doc.title.get(lang, ""), lang)) if doc else frozenset()

    # -- search --------------------------------------------------------------------------

    def concepts(self, question: str, lang: str) -> list[Concept]:
        """The question's concepts: names (with the words spelling them) and other words."""
        tokens = tokenize(question)
        mentions = self.entities.find(question)
        in_name: dict[int, str] = {}
        specific: dict[str, str] = {}
        for mention in mentions:
            token = entity_token(mention.entity_id)
            for i in range(mention.start, mention.end):
                in_name[i] = token
            if self._specific(mention.entity_id):
                specific[token] = mention.entity_id
        groups: dict[str, set[str]] = {}
        for i, token in enumerate(tokens):
            if is_stop(token, lang):
                continue
            term = stem(token, lang)
            if not term:
                continue
            key = in_name.get(i, term)
            groups.setdefault(key, {key}).update((term, *expand(term, lang)))
            if term in SERVICE_WORDS[lang]:
                groups[key].update(self.service_terms(lang))
        items = list(groups.items())[:MAX_TERMS]
        names = set(in_name.values())
        idf = self._idf(lang, {t for _key, terms in items for t in terms})
        weak = WEAK.get(lang, frozenset())
        concepts = []
        for key, terms in items:
            weight = max(idf[t] for t in terms) * (WEAK_FACTOR if key in weak else 1.0)
            universal = key in names or key.isdigit()
            concepts.append(
                Concept(
                    frozenset(terms),
                    weight,
                    universal=universal,
                    entity=specific.get(key),
                    framing=key in weak or (key in names and key not in specific),
                )
            )
        return concepts

    def service_terms(self, lang: str) -> frozenset[str]:
        """The words naming the consular services of the KB's labels (passport,
        certificate, consultation…), two of the rarest stems of each label: what a
        question about "services" or "documents" is satisfied by."""
        if lang not in self._services:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT record FROM labels WHERE kind = 'service'"
                ).fetchall()
            terms: set[str] = set()
            for row in rows:
                label = json.loads(row["record"]).get(lang, "")
                words = sorted({t for t in stems(label, lang) if len(t) >= MIN_PREFIX})
                df = self._df(lang, set(words))
                terms.update(sorted(words, key=lambda t: (df.get(t, 0), t))[:2])
            self._services[lang] = frozenset(terms)
        return self._services[lang]

    def knows(self, term: str, lang: str) -> bool:
        """Whether `term` (a stem) occurs in the KB's `lang` index."""
        if lang not in self._vocab:
            with self._lock:
                rows = self._conn.execute(f"SELECT term FROM fts_{lang}_vocab").fetchall()
            self._vocab[lang] = frozenset(row["term"] for row in rows)
        return term in self._vocab[lang]

    def _df(self, lang: str, terms: set[str]) -> dict[str, int]:
        """How many passages of `lang` contain each term."""
        if not terms:
            return {}
        marks = ",".join("?" * len(terms))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT term, doc FROM fts_{lang}_vocab WHERE term IN ({marks})", tuple(terms)
            ).fetchall()
        return {row["term"]: int(row["doc"]) for row in rows}

    def _idf(self, lang: str, terms: set[str]) -> dict[str, float]:
        n = max(self._sizes.get(lang, 0), 1)
        df = self._df(lang, terms)
        return {t: math.log(1 + (n - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5)) for t in terms}

    def _lexical(self, concepts: list[Concept], lang: str) -> dict[int, float]:
        """FTS5 recall in the question's language: passage id -> bm25 (lower is better)."""
        terms = sorted({t for c in concepts for t in c.terms})
        if not terms:
            return {}
        match = " OR ".join(f'"{t}"' for t in terms)
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT rowid, bm25(fts_{lang}, {weights}) AS score FROM fts_{lang} "
                f"WHERE fts_{lang} MATCH ? ORDER BY score LIMIT {RECALL}",
                (match,),
            ).fetchall()
        return {int(row["rowid"]): float(row["score"]) for row in rows}

    def _query_vector(self, question: str) -> Vectors | None:
        if self._embedder is None or self._dense_index is None or not len(self._dense_index):
            return None
        vector: Vectors = self._embedder.queries([question])[0]
        return vector

    def _ranking_vector(self, index: DenseIndex, query: Vectors, lang: str) -> Vectors:
        """The question's vector as ranking compares it (`QUERY_CENTRING`); the direct
        answer compares sentences with the question's own vector."""
        vector = query - np.float32(QUERY_CENTRING) * index.centre(lang)
        vector /= max(float(np.linalg.norm(vector)), 1e-6)
        return vector

    def _passages(self, ids: list[int]) -> list[sqlite3.Row]:
        marks = ",".join("?" * len(ids))
        with self._lock:
            return self._conn.execute(
                "SELECT id, doc_id, pid, text_ru, text_kk, text_en, terms_ru, terms_kk, terms_en "
                f"FROM passages WHERE id IN ({marks})",
                ids,
            ).fetchall()

    def search(
        self, question: str, lang: str | None = None, *, limit: int = 5, default_lang: str = "ru"
    ) -> SearchResult:
        """The passages answering `question` (the `RESULTS_KEPT` last are kept; callers
        must not change what it returns)."""
        key = (question, lang, limit, default_lang)
        with self._results_lock:
            results = self._results  # a reload meanwhile replaces it: this one is then dropped
            kept = results.get(key)
            if kept is not None:
                results.move_to_end(key)
                return kept
        result = self._search(question, lang, limit=limit, default_lang=default_lang)
        # every term each hit is indexed under served the ranking only: a kept result
        # without them is a quarter the size (256 kept: 3.7 MB instead of 15.8)
        result.hits = [replace(hit, terms=frozenset()) for hit in result.hits]
        with self._results_lock:
            results[key] = result
            while len(results) > RESULTS_KEPT:
                results.popitem(last=False)
        return result

    def _search(
        self, question: str, lang: str | None, *, limit: int, default_lang: str
    ) -> SearchResult:
        question = repair(question)  # a lone surrogate cannot be embedded or stored
        if lang != "en" and detect_lang(question) == "en":  # Latin Kazakh, Russian in Latin?
            question, lang = respell(question, self.knows, lang or default_lang) or (question, lang)
        lang = lang if lang in LANGS else detect_lang(question, default=default_lang)
        concepts = self.concepts(question, lang)
        all_terms = sorted({t for c in concepts for t in c.terms})
        if not concepts:
            return SearchResult(question, lang, [], False, all_terms)
        lexical = self._lexical(concepts, lang)
        query = self._query_vector(question)
        index = self._dense_index
        dense = (
            index.rank(self._ranking_vector(index, query, lang))
            if query is not None and index is not None
            else None
        )
        nearest = dense.top(RECALL) if dense is not None else {}
        candidates = dict.fromkeys([*lexical, *nearest])
        if not candidates:
            return SearchResult(question, lang, [], False, all_terms)
        total = sum(c.weight for c in concepts)
        names_total = sum(c.weight for c in concepts if c.universal)
        top_dense = max(nearest.values(), default=0.0)
        best_bm25 = max((-v for v in lexical.values()), default=0.0) or 1.0
        hits = []
        for row in self._passages(list(candidates)):
            own = set((row[f"terms_{lang}"] or "").split())
            anywhere = set(" ".join(row[f"terms_{k}"] or "" for k in LANGS).split())
            title = self.title_terms(row["doc_id"], lang)
            heads: dict[str, list[str]] = {}
            for word in own:
                if len(word) > MIN_PREFIX:
                    heads.setdefault(word[:MIN_PREFIX], []).append(word)
            credits = [(c, c.credit(own, anywhere, title, heads)) for c in concepts]
            covered = [c for c, credit in credits if credit == 1.0]
            coverage = sum(c.weight * credit for c, credit in credits) / total
            universal = sum(c.weight * credit for c, credit in credits if c.universal)
            names = universal / names_total if names_total else 0.0
            bm25 = lexical.get(row["id"], 0.0)
            relevance = -bm25 / best_bm25
            cosine = dense.get(row["id"]) if dense is not None else None
            score = fuse(coverage, relevance, cosine, names, top=top_dense)
            hits.append(
                Hit(
                    passage_id=row["id"],
                    doc_id=row["doc_id"],
                    pid=row["pid"],
                    score=score,
                    coverage=coverage,
                    bm25=bm25,
                    texts={k: row[f"text_{k}"] for k in LANGS if row[f"text_{k}"]},
                    matched={t for c in covered for t in c.terms & anywhere},
                    terms=frozenset(anywhere),
                    dense=cosine or 0.0,
                )
            )
        hits.sort(key=lambda h: h.score, reverse=True)
        facts = asked_facts(question)
        if facts:
            giving = [h for h in hits[:limit] if all(gives_fact(k, h.all_text) for k in facts)]
            if giving:
                hits = _lead_with(hits, giving[0])
        missing_fact = bool(facts) and not all(gives_fact(k, hits[0].all_text) for k in facts)
        answered = (
            self._confident(hits[0], lang, dense, concepts)
            and not missing_fact
            and not self._unknown_name(hits[0], concepts)
        )
        answer = None
        if answered and query is not None and not facts:
            found = self._direct_answer(question, lang, concepts, hits, dense, query)
            if found is not None:
                answer, lead = found
                hits = _lead_with(hits, lead)
        return SearchResult(
            question, lang, hits[:limit], answered, all_terms, missing_fact, answer=answer
        )

    def _direct_answer(
        self,
        question: str,
        lang: str,
        concepts: list[Concept],
        hits: list[Hit],
        dense: DenseScores | None,
        query: Vectors,
    ) -> tuple[DirectAnswer, Hit] | None:
        """The sentence that answers, from the best document's closest passages, and the
        hit to show with it: its passage followed by the next one (the context a
        one-sentence passage often needs), in the question's language where it exists."""
        if self._embedder is None or self._dense_index is None or dense is None:
            return None
        best = hits[0]
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, pid, text_ru, text_kk, text_en FROM passages WHERE doc_id = ? "
                "ORDER BY ord",
                (best.doc_id,),
            ).fetchall()
        candidates = []
        for row in rows:
            shown = lang if row[f"text_{lang}"] else next(k for k in LANGS if row[f"text_{k}"])
            closeness = dense.get(row["id"]) or 0.0
            candidates.append(Candidate(int(row["id"]), shown, row[f"text_{shown}"], closeness))
        candidates.sort(key=lambda c: (c.passage_id != best.passage_id, -c.closeness))
        terms = {t for c in concepts for t in c.terms}
        sentences = self._sentences(candidates[:MAX_PASSAGES])
        chosen = choose_sentence(question, terms, sentences, query, self._dense_index)
        if chosen is None:
            return None
        candidate, sentence, kind = chosen
        answer = DirectAnswer(sentence, candidate.lang, candidate.passage_id, kind)
        if kind == "when":
            found = sentence_date(sentence, candidate.lang)
            doc = self.about(best.doc_id)
            if found is not None:
                answer = replace(answer, date=found[0], date_precision=found[1])
            elif doc is not None and (given := document_date(doc)) is not None:
                answer = replace(answer, date=given[0], date_precision=given[1])
        at = next(i for i, row in enumerate(rows) if row["id"] == candidate.passage_id)
        texts = {k: rows[at][f"text_{k}"] for k in LANGS if rows[at][f"text_{k}"]}
        if at + 1 < len(rows):
            following = rows[at + 1]
            for k in list(texts):
                more = following[f"text_{k}"]
                if more and len(texts[k]) + len(more) <= MAX_CONTEXT:
                    texts[k] = f"{texts[k]}\n{more}"
        lead = next((h for h in hits if h.passage_id == candidate.passage_id), best)
        lead = replace(lead, passage_id=candidate.passage_id, pid=rows[at]["pid"], texts=texts)
        return answer, lead

    def _sentences(self, candidates: list[Candidate]) -> list[Sentence]:
        """The stored sentences (and vectors) of `candidates`, in the language each is
        shown in, passage by passage in the candidates' order."""
        if not candidates or self._dense_index is None:
            return []
        dim = self._dense_index.matrix.shape[1]
        where = " OR ".join("(s.passage_id = ? AND s.lang = ?)" for _ in candidates)
        params = [v for c in candidates for v in (c.passage_id, c.lang)]
        with self._lock:
            rows = self._conn.execute(
                "SELECT s.passage_id, s.text, v.data FROM sentences s "
                f"JOIN vectors v ON v.hash = s.hash WHERE {where} ORDER BY s.ord",
                params,
            ).fetchall()
        by_passage: dict[int, list[Sentence]] = {}
        for row in rows:
            candidate = next(c for c in candidates if c.passage_id == row["passage_id"])
            scale, values = unpack(row["data"], dim)
            vector = values.astype(np.float32) * scale
            by_passage.setdefault(candidate.passage_id, []).append(
                Sentence(candidate, row["text"], vector)
            )
        return [s for c in candidates for s in by_passage.get(c.passage_id, [])]

    def _confident(
        self, hit: Hit, lang: str, dense: DenseScores | None, concepts: list[Concept]
    ) -> bool:
        """Where the passage exists in the question's language, its words judge: enough of
                the question's concepts, or fewer when its meaning also stands out from the rest
                of the KB. Where it exists only in another language words cannot match, so its
                meaning alone judges: it must stand out from the passages ranked 6-30. A question of
        one word beyond its framing and no name ("Кто президент Казахстана?") is matched by any
        passage using that word, so only meaning that stands out strongly answers it."""
        gap = hit.dense - dense.baseline if dense is not None else 0.0
        if gap >= STRONG_GAP:
            return True
        if _one_word(concepts):
            return False
        if hit.coverage >= MIN_COVERAGE and (gap >= MIN_GAP or self._specific_match(hit, concepts)):
            return True
        if lang in hit.texts:
            return gap >= MIN_GAP and hit.coverage >= MIN_COVERAGE_WITH_MEANING
        if gap >= MIN_GAP:
            return True
        # another language: a rare name the question and the passage share is strong
        # evidence even when the meaning stands out less
        return gap >= MIN_GAP_NAMED and self._shares_rare_name(hit, concepts)

    @staticmethod
    def _specific_match(hit: Hit, concepts: list[Concept]) -> bool:
        """The words the passage shares with the question pin it down: a name (not a
        country), or at least two of the question's substantive concepts. One shared
        word is chance ("Кто президент Казахстана?" and "...Администрации Президента
        Республики Казахстан")."""
        covered = [c for c in concepts if c.terms & hit.matched and not c.framing]
        return any(c.entity is not None for c in covered) or len(covered) >= 2

    def _shares_rare_name(self, hit: Hit, concepts: list[Concept]) -> bool:
        names = [c for c in concepts if c.entity is not None]
        if not names:
            return False
        limit = max(RARE_NAME_DOCS, RARE_NAME_SHARE * self._document_count)
        return all(
            c.terms & hit.terms and len(self._entity_docs.get(c.entity or "", ())) <= limit
            for c in names
        )

    def _unknown_name(self, hit: Hit, concepts: list[Concept]) -> bool:
        """The question names a person, organisation or place that neither the passage
        nor its document mentions: the passage is about something else ("a reception in
        Karaganda" answered with one in Taldykorgan)."""
        names = [c for c in concepts if c.entity is not None]
        if not names:
            return False
        doc = self.about(hit.doc_id)
        known = set(hit.terms)
        if doc is not None:
            ids = [*doc.places, *doc.mentioned_places, *(p.id for p in doc.people)]
            ids += [o.id for o in doc.organisations]
            known.update(entity_token(i) for i in ids)
        return any(not c.terms & known for c in names)
