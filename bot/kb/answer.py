"""Direct answers: the one sentence of the best document that answers the question.

Search ranks passages; a user wants the answer. Among the sentences of the best
document's three closest passages, the one closest to what the question asks beyond the
document's topic (see `choose_sentence`) is shown first. A "when" question leads with
the date (from that sentence, else the document's own date, never more precise than the
source); a sentence of the asked kind (a date, a new number, a new name) gets a bonus.
Every sentence's vector is computed when the KB is built (`answer_sentences`), so
answering embeds only the question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.kb.dates import extract_dates
from bot.kb.embed import Vectors
from bot.kb.sources import Document
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
#: What a sentence's passage's closeness to the question and a fitting answer type add
#: to the sentence's own score (measured on the public corpus-dev set, README "Figures").
PASSAGE_WEIGHT = 1.0
WORDS_WEIGHT = 0.15  # times the share of the question's words (stems) the sentence has
TYPE_BONUS = 0.05
MAX_PASSAGES = 3
MIN_SENTENCE = 15  # characters: shorter pieces are headings or datelines


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage that may hold the answer, in the language it is shown in."""

    passage_id: int
    lang: str
    text: str
    closeness: float  # its language-centred cosine with the question


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
    #: ``--MM-DD`` without a year, ``YYYY-MM``, ``YYYY``).
    date: str | None = None
    date_precision: str | None = None


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


def answer_sentences(text: str) -> list[str]:
    """The sentences of a passage that may be shown as an answer, in order. The KB
    stores a vector for each (`bot.kb.build`), so a search embeds none of them."""
    from bot.kb.ingest import split_sentences

    return [sentence for sentence in split_sentences(text) if len(sentence) > MIN_SENTENCE]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a candidate passage, with its stored vector."""

    candidate: Candidate
    text: str
    vector: Vectors


def choose_sentence(
    question: str,
    terms: set[str],
    sentences: Sequence[Sentence],
    query: Vectors,
    index: DenseIndex,
) -> tuple[Candidate, str, str] | None:
    """The sentence that answers, among `sentences` (those of the best document's
    closest passages, `MAX_PASSAGES`): returns (its passage, the sentence, the kind).

    The question is compared with each sentence after removing what every candidate
    sentence shares (the document's topic, which the question repeats too): what is left
    is what the question asks beyond the topic. A sentence's passage's own closeness
    counts as much, and a sentence of the asked kind (a date for "when", a new number
    for "how many", a new name otherwise) gets a small bonus."""
    kind = question_kind(question)
    if not sentences:
        return None
    centred = np.stack([s.vector - index.centre(s.candidate.lang) for s in sentences])
    centred /= np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-6)
    topic = centred.mean(axis=0)
    topic /= max(float(np.linalg.norm(topic)), 1e-6)
    asked = query - float(query @ topic) * topic
    scores = centred @ asked
    for i, sentence in enumerate(sentences):
        candidate = sentence.candidate
        scores[i] += PASSAGE_WEIGHT * candidate.closeness
        if terms:
            scores[i] += (
                WORDS_WEIGHT * len(terms & set(stems(sentence.text, candidate.lang))) / len(terms)
            )
        if _fits(kind, sentence.text, candidate.lang, question):
            scores[i] += TYPE_BONUS
    best = sentences[int(np.argmax(scores))]
    return best.candidate, best.text, kind


def document_date(doc: Document) -> tuple[str, str] | None:
    """The document's date as its source gives it: a curated document whose year was
    inferred (its `date_note` says how, see data/README.md) is dated without the year."""
    if not doc.date:
        return None
    precision = doc.date_precision or "day"
    if doc.origin == "data" and doc.date_note and precision == "day" and doc.date[:4].isdigit():
        return f"--{doc.date[5:10]}", "month-day"
    return doc.date, precision


def lead_lines(answer: DirectAnswer, lang: str) -> list[str]:
    """What an answer shows first, as plain text: the date a "when" question asks for
    (formatted by Babel for `lang`, as precise as the source), then the sentence."""
    from bot.formatting import format_kb_date

    lines = []
    if answer.kind == "when" and answer.date:
        date = format_kb_date(answer.date, answer.date_precision, lang)
        if date:
            lines.append(date)
    lines.append(answer.sentence)
    return lines
