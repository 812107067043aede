"""Direct answers: the one sentence of the best document that answers the question.

Search ranks passages; a user wants the answer. Among the sentences of the best
document's closest passages, the one nearest to the question (language-centred dense
cosine, plus the question's words and names it contains) is shown first. A "when"
question leads with the date (from that sentence, else the document's own date, never
more precise than the source), a "how many" question prefers a sentence with a number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.kb.dates import extract_dates
from bot.kb.embed import Embedder, Vectors
from bot.kb.text import normalize, stems, tokenize, translit_key
from bot.kb.vectors import DenseIndex

#: Question phrases by the kind of answer they want (normalised: lower case, ё -> е).
_WHEN = re.compile(
    r"\b(?:когда|в как(?:ом|ой) году|какого числа|в какой день|с какого|до какого"
    r"|қашан|қай жыл|қай күн|нешінші жыл|қай кезде|кашан|кай жыл|кай кун"
    r"|when|what year|which year|what date|until when|since when)\b"
)
_HOW_MANY = re.compile(
    r"\b(?:сколько|скольких|какое количество|қанша|неше|канша|how many|how much|what number of"
    r"|number of)\b"
)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
#: How much a sentence's share of the question's words and a fitting answer type add to
#: its cosine.
WORDS_WEIGHT = 0.15
TYPE_BONUS = 0.05
MAX_PASSAGES = 3
MAX_SENTENCES = 24


def question_kind(question: str) -> str:
    """``"when"``, ``"how_many"`` or ``"other"``, by the question's phrasing."""
    text = normalize(question)
    if _WHEN.search(text):
        return "when"
    if _HOW_MANY.search(text):
        return "how_many"
    return "other"


@dataclass(frozen=True, slots=True)
class DirectAnswer:
    sentence: str
    lang: str  # the language of the sentence (its passage's)
    passage_id: int
    kind: str
    #: For "when": the date the answer leads with, as the KB stores dates (``YYYY-MM-DD``,
    #: ``--MM-DD`` without a year, ``YYYY-MM``, ``YYYY``) and where it comes from.
    date: str | None = None
    date_precision: str | None = None
    date_from_document: bool = False


def sentence_date(sentence: str, lang: str) -> tuple[str, str] | None:
    """The first date the sentence gives, exactly as precise as it is."""
    dates = extract_dates(sentence, lang)
    if dates:
        d = dates[0]
        if d.day is None and d.year is not None:
            return f"{d.year:04d}-{d.month:02d}", "month"
        if d.day is not None and d.year is None:
            return f"--{d.month:02d}-{d.day:02d}", "month-day"
        if d.day is not None and d.year is not None:
            return f"{d.year:04d}-{d.month:02d}-{d.day:02d}", "day"
    year = _YEAR.search(sentence)
    if year:
        return year.group(1), "year"
    return None


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w’'-]+|[«\"“]([^»\"”]{2,60})[»\"”]")


def _new_names(sentence: str, question: str) -> bool:
    """The sentence names something (a capitalised word inside it, or a quoted name) that
    the question does not: what "who / which / where" questions ask for."""
    asked = {translit_key(w) for w in tokenize(question)}
    for match in _NAME.finditer(sentence):
        words = tokenize(match.group(0))
        if words and any(translit_key(w) not in asked for w in words):
            return True
    return False


def _fits(kind: str, sentence: str, lang: str, question: str) -> bool:
    if kind == "when":
        return sentence_date(sentence, lang) is not None
    if kind == "how_many":
        asked = set(_NUMBER.findall(question))
        return any(n not in asked for n in _NUMBER.findall(sentence))
    return _new_names(sentence, question)


def choose_sentence(
    question: str,
    question_terms: set[str],
    lang: str,
    candidates: Sequence[tuple[int, str, str]],
    query: Vectors,
    embedder: Embedder,
    index: DenseIndex,
) -> tuple[int, str, str, str] | None:
    """The best sentence among `candidates` ((passage id, language, text) in rank order):
    returns (passage id, language, sentence, kind)."""
    from bot.kb.ingest import split_sentences

    kind = question_kind(question)
    sentences: list[tuple[int, str, str]] = []
    for passage_id, text_lang, text in candidates[:MAX_PASSAGES]:
        for sentence in split_sentences(text):
            if len(sentence) > 15:
                sentences.append((passage_id, text_lang, sentence))
    sentences = sentences[:MAX_SENTENCES]
    if not sentences:
        return None
    vectors = embedder.passages([s for _p, _l, s in sentences])
    best: tuple[float, int] | None = None
    for i, ((_pid, text_lang, sentence), vector) in enumerate(zip(sentences, vectors, strict=True)):
        centred = vector - index.centre(text_lang)
        cosine = float(centred @ query) / max(float(np.linalg.norm(centred)), 1e-6)
        words = set(stems(sentence, text_lang))
        share = len(question_terms & words) / len(question_terms) if question_terms else 0.0
        score = cosine + WORDS_WEIGHT * share
        if _fits(kind, sentence, text_lang, question):
            score += TYPE_BONUS
        if best is None or score > best[0]:
            best = (score, i)
    assert best is not None
    passage_id, text_lang, sentence = sentences[best[1]]
    return passage_id, text_lang, sentence, kind
