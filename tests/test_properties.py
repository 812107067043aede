"""Property-based tests (hypothesis) of the text pipeline: whatever text users and files
bring, normalising, tokenising, stemming, name keys, date extraction, the search and the
ingest parser never raise and keep their invariants.

Bounded: a few hundred examples each, the whole module in a few seconds."""

from __future__ import annotations

import os
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.kb.dates import extract_dates
from bot.kb.ingest import IngestError, parse_news
from bot.kb.places import Gazetteer
from bot.kb.search import KnowledgeBase
from bot.kb.sources import load_sources
from bot.kb.text import MAX_TOKEN_LEN, normalize, stem, tokenize, translit_key
from tests.test_text import assert_safe

#: Letters and marks the bot meets: Russian, Kazakh, Latin with diacritics, digits, the
#: punctuation of FTS5 and HTML, emoji, invisible and bidi characters, lone surrogates.
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАБВӘҒҚЖЗ"
LATIN = "abcdefghijklmnopqrstuvwxyzABCXYZéüğış"
ALPHABET = st.sampled_from(
    list(CYRILLIC)
    + list(LATIN + "0123456789")
    + list(" \t\n.,;:!?-–—«»\"'*^()[]{}<>&|~+=/\\@#$%№")
    + ["\u200b", "\u200f", "\u202e", "\ufeff", "\u0301", "\x00", "\x7f", "😀", "\u200d", "\ud800"]
)
TEXT = st.one_of(st.text(ALPHABET, max_size=300), st.text(max_size=100))
#: Reproducible in `make test` (the same examples every run, so a run is green or red for
#: the code, not for luck); `HYPOTHESIS_FUZZ=1` explores new examples ten times as many.
FUZZ = bool(os.environ.get("HYPOTHESIS_FUZZ"))
FAST = settings(max_examples=3000 if FUZZ else 300, deadline=None, derandomize=not FUZZ)
SLOW = settings(
    max_examples=600 if FUZZ else 60,
    deadline=None,
    derandomize=not FUZZ,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FAST
@given(TEXT)
def test_normalize_is_idempotent_and_tidy(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip() and "  " not in once
    assert not any(unicodedata.category(c) == "Cc" for c in once)  # no control characters


@FAST
@given(TEXT)
def test_tokens_are_safe_for_fts5_whatever_the_text(text: str) -> None:
    tokens = tokenize(text)
    assert_safe(tokens)
    assert tokenize(" ".join(tokens)) == tokens  # tokens are their own tokens


@FAST
@given(TEXT, st.sampled_from(["ru", "kk", "en"]))
def test_stems_are_nonempty_and_no_longer_than_their_token(text: str, lang: str) -> None:
    for token in tokenize(text):
        stemmed = stem(token, lang)
        assert 0 < len(stemmed) <= MAX_TOKEN_LEN
        assert stem(token, lang) == stemmed  # the same every time (cached or not)


@FAST
@given(
    st.one_of(st.text(CYRILLIC, min_size=1, max_size=40), st.text(LATIN, min_size=1, max_size=40))
)
def test_name_keys_ignore_case(word: str) -> None:
    """In one script: a mixed word's look-alike letters depend on case (Latin H looks
    like Cyrillic Н, h does not), as they should."""
    assert translit_key(word) == translit_key(word.upper()) == translit_key(word.lower())


@FAST
@given(TEXT, st.sampled_from([None, "ru", "kk", "en"]))
def test_dates_found_are_real_dates_at_their_place(text: str, lang: str | None) -> None:
    for found in extract_dates(text, lang):
        assert 0 <= found.start < found.end <= len(text)
        assert text[found.start : found.end] == found.text
        assert 1 <= found.month <= 12
        if found.day is not None:
            date(found.year or 2024, found.month, found.day)  # raises if there is no such day


@SLOW
@given(TEXT)
def test_any_question_is_searched_without_error(kb: KnowledgeBase, text: str) -> None:
    result = kb.search(text)
    assert result.lang in ("ru", "kk", "en")
    assert all(hit.passage_id for hit in result.hits)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(load_sources().places)


@SLOW
@given(
    st.lists(st.text(ALPHABET, min_size=0, max_size=200), min_size=1, max_size=6),
    st.sampled_from([None, "ru", "kk", "en"]),
)
def test_any_file_is_parsed_or_refused_with_a_reason(
    gazetteer: Gazetteer, paragraphs: list[str], lang: str | None
) -> None:
    text = "\n\n".join(paragraphs)
    try:
        doc = parse_news(text, source="prop.txt", gazetteer=gazetteer, lang=lang)
    except IngestError as exc:
        assert exc.reason in {"binary", "empty", "not_text", "too_short"}
        return
    assert doc.source_lang in ("ru", "kk", "en")
    assert doc.passages and all(p.text.get(doc.source_lang, "").strip() for p in doc.passages)
