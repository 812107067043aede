"""Sentences and passages: the units search indexes and answers show.

A passage must read on its own and fit an answer card, so paragraphs are cut
into 1-3 whole sentences of at most MAX_PASSAGE characters; sentence ends are
found without breaking at abbreviations, initials or inside quotations.
"""

from __future__ import annotations

import re

from bot.kb.ingest.chars import UPPER, word_set

__all__ = ["MAX_PASSAGE", "passages", "split_sentences"]

MAX_PASSAGE = 450

_SENT_END_RE = re.compile(rf"[.!?…]+[»\"”’)\]]*(?=\s+(?:[-–—]\s+)?[«\"“„(\[]?[{UPPER}0-9])")
_ABBREVIATIONS = word_set("""
    г гг т тт д др пр им ул просп пл стр млн млрд тыс руб коп обл р-н с ст см
    напр проф акад ген доц канд соч рис табл гл ред изд авт прим каб кв тел
    ж жж көш
    mr mrs ms dr st jr sr vs prof gen col lt sgt inc ltd co corp no nos fig
    approx dept est
    """)
_WORD_BEFORE_RE = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)?)$")


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of balanced quotes («...», “...”, "..."), outermost first."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    pairs = {"«": "»", "“": "”", "„": "“"}
    for i, ch in enumerate(text):
        if ch == '"':
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if stack and stack[-1][0] == '"' and not before.isspace():
                spans.append((stack.pop()[1], i))
            elif (before.isspace() or before in "([«—-") and not after.isspace():
                stack.append(('"', i))
            continue
        if stack and ch == pairs.get(stack[-1][0]):
            spans.append((stack.pop()[1], i))
        elif ch in pairs:
            stack.append((ch, i))
    return spans


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph.

    A sentence ends at ``. ! ? …`` (and closing quotes) before an upper-case
    letter, a digit, an opening quote or a dialogue dash; not after
    abbreviations ("г.", "т.е.", "им.", "ул.", "Mr.") or single letters
    (initials "Е. А. Бурибаев"), and not inside a balanced quotation that fits
    in a passage.
    """
    text = text.strip()
    if not text:
        return []
    spans = [(s, e) for s, e in _quote_spans(text) if e - s <= MAX_PASSAGE]
    out: list[str] = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        punct = m.start()
        if any(s < punct < e and m.end() <= e for s, e in spans):
            continue  # inside a quotation
        if text[punct] == ".":
            w = _WORD_BEFORE_RE.search(text[start:punct])
            if w and (len(w.group(1)) == 1 or w.group(1).casefold() in _ABBREVIATIONS):
                continue
        piece = text[start : m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _split_long(sentence: str, limit: int = MAX_PASSAGE) -> list[str]:
    """Cut a sentence longer than `limit` at "; ", ", ", " - " or a space."""
    parts: list[str] = []
    rest = sentence
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for sep in ("; ", ", ", " - ", " — ", " "):
            pos = window.rfind(sep, limit // 3)
            if pos > 0:
                cut = pos + (1 if sep[0] in ";," else 0)
                break
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        parts.append(rest)
    return parts


def passages(paragraphs: list[str]) -> list[str]:
    """Passages of 1-3 sentences and at most MAX_PASSAGE characters, within paragraphs."""
    out: list[str] = []
    for para in paragraphs:
        chunk: list[str] = []
        for sentence in split_sentences(para):
            for piece in _split_long(sentence):
                candidate = " ".join([*chunk, piece])
                if chunk and (len(chunk) >= 3 or len(candidate) > MAX_PASSAGE):
                    out.append(" ".join(chunk))
                    chunk = []
                chunk.append(piece)
        if chunk:
            out.append(" ".join(chunk))
    return out
