"""Turn a plain-text or Markdown news article into a `Document` (origin "ingest").

Public API::

    decode_upload(data, max_bytes=1_000_000) -> str
    parse_news(text, *, source, gazetteer, lang=None) -> Document
    split_sentences(text) -> list[str]
    IngestError(reason)  # .reason: "empty", "too_short", "binary", "not_text",
                         #          "too_large", "encoding"

What `parse_news` does, in order:

1. **Clean**: Markdown markup (headings, emphasis, links, images, code, HTML tags)
   is stripped, site boilerplate lines are dropped ("logo", "RSS Print",
   "Tags: ...", login/vote junk), lines without letters are dropped, whitespace
   is collapsed. Lines form paragraphs; a paragraph broken in the middle of a
   sentence (the next line starts in lower case) is joined again.
2. **Meta and dateline**: a short line that is only a date ("07 may",
   "date 2025-09-11 Фото: ...") is the publication date and is not content. A
   paragraph opening "Талдыкорган. 10 сентября. KAZAKHSTAN TODAY - ..." has a
   dateline: the place, the event date and the agency (the `credit`) are taken
   and the prefix is cut from the text.
3. **Title**: a Markdown heading, or the first paragraph if it reads as a
   headline (at most 200 characters, no final full stop); otherwise the first
   sentence, cut at a clause or word boundary to at most 120 characters.
4. **Date** (see `_choose_date`): the dateline date; else, when the document has
   a publication date, the first date of the text if it is 0-7 days before it
   (the reported event), else the publication date; else the first date of the
   text. A date without a year takes the publication date's year when it falls
   0-7 days before it (a report comes out a day or a few after the event: 003 is
   dated 2025-09-11 and its dateline says 10 September, so the event date is
   2025-09-10); otherwise it stays ``--MM-DD``. `date_note` lists every date
   found (ISO) and how the date was chosen.
5. **Places**: gazetteer matches in order of appearance; `places` is the
   dateline place, else the first city mentioned (none for an online event);
   `mentioned_places` the others; `countries` from their country codes.
6. **People** (see `_people`): "First [Patronymic] Surname" with a surname
   ending, grouped by surname, in the nominative, with the title phrase next
   to the name as the role.
7. **Passages**: each paragraph split into passages of 1-3 sentences of at most
   450 characters.
8. **kind** / **event_kind** from keywords (see `_kind`, `_event_kind`).

Everything is in the source language only: `title`, `role`, passages are
``{lang: text}``; nothing is translated.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from bot.kb.dates import FoundDate, extract_dates
from bot.kb.places import Gazetteer
from bot.kb.sources import Document, Passage, Person
from bot.kb.text import detect_lang, normalize

__all__ = [
    "MAX_PASSAGE",
    "MAX_TITLE",
    "IngestError",
    "decode_upload",
    "parse_news",
    "split_sentences",
]

MAX_PASSAGE = 450
MAX_TITLE = 120
MAX_ROLE = 120
MIN_LETTERS = 100
PUBLICATION_WINDOW_DAYS = 7  # an event up to a week before the publication date


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


class IngestError(Exception):
    """A document that cannot be ingested; `reason` is a short code for the UI."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# ==========================================================================
# bytes -> text
# ==========================================================================

_CONTROL_BYTES = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_CYR_RE = re.compile("[\u0400-\u052f]")
_LETTER_RE = re.compile(r"[^\W\d_]")


def _too_many_controls(chars: Iterable[int], total: int) -> bool:
    controls = sum(1 for c in chars if c in _CONTROL_BYTES)
    return controls > max(2, total // 100)


def _plausible_cyrillic(text: str) -> bool:
    """Whether cp1251-decoded bytes read as Russian/Kazakh text, not as garbage.

    Any byte >= 0xC0 is a Cyrillic letter in cp1251, so Latin-1 text ("café")
    and random bytes decode "successfully"; real text has mostly Cyrillic
    letters, few symbols, capitals only at word starts and no words mixing
    Latin and Cyrillic letters.
    """
    letters = _LETTER_RE.findall(text)
    visible = sum(1 for ch in text if not ch.isspace())
    if len(letters) < 20 or len(letters) < 0.7 * visible:
        return False
    cyr = sum(1 for ch in letters if "\u0400" <= ch <= "\u052f")
    if cyr < 0.6 * len(letters):
        return False
    words = re.findall(r"[^\W\d_]+", text)
    inner_caps = sum(sum(1 for ch in w[1:] if ch.isupper()) for w in words if not w.isupper())
    mixed = sum(1 for w in words if _CYR_RE.search(w) and re.search("[A-Za-z]", w))
    return inner_caps <= 0.05 * len(letters) and mixed <= 0.05 * len(words)


def decode_upload(data: bytes, max_bytes: int = 1_000_000) -> str:
    """Decode an uploaded text file: UTF-8 (BOM or not), UTF-16 with a BOM, or cp1251.

    Raises `IngestError` with reason "too_large" (over `max_bytes`), "empty",
    "binary" (NUL bytes or many control characters) or "encoding" (not UTF-8 and
    not plausible cp1251 Cyrillic text). Line ends are normalised to "\\n".
    """
    if len(data) > max_bytes:
        raise IngestError("too_large", f"{len(data)} bytes > {max_bytes}")
    if not data.strip():
        raise IngestError("empty")
    text: str | None = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError("encoding", "invalid UTF-16") from exc
        if "\x00" in text or _too_many_controls(map(ord, text), len(text)):
            raise IngestError("binary")
    else:
        if b"\x00" in data or _too_many_controls(data, len(data)):
            raise IngestError("binary")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            candidate = data.decode("cp1251", errors="replace")
            if "\ufffd" in candidate or not _plausible_cyrillic(candidate):
                raise IngestError("encoding", "not UTF-8 and not Cyrillic cp1251") from None
            text = candidate
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError("empty")
    return text


# ==========================================================================
# cleaning
# ==========================================================================

_ZERO_WIDTH_RE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT_RE = re.compile(r"^\s*(?:=+|-+)\s*$")
_FENCE_RE = re.compile(r"^\s*(?:```|~~~)")
_REF_DEF_RE = re.compile(r"^\s*\[[^\]]+\]:\s+\S+")
_QUOTE_MARK_RE = re.compile(r"^\s*(?:>\s?)+")
_BULLET_RE = re.compile(r"^\s*[*+•]\s+")
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]+)\]\((?:[^()\s]+|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_LINK_RE = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK_RE = re.compile(r"<(?:https?://|mailto:)[^>\s]+>")
_URL_RE = re.compile(r"https?://\S+")
_HTML_TAG_RE = re.compile(r"</?[A-Za-z][^>\n]*>")
_BOLD_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC_STAR_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC_UNDER_RE = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE_RE = re.compile(r"~~(.+?)~~")
_CODE_RE = re.compile(r"`+([^`]*)`+")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")


def _strip_markdown(line: str) -> tuple[str, bool]:
    """One line without Markdown markup; whether it was a heading."""
    heading = False
    m = _HEADING_RE.match(line)
    if m:
        line, heading = m.group(1), True
    line = _QUOTE_MARK_RE.sub("", line)
    line = _BULLET_RE.sub("", line)
    if line.lstrip().startswith("|"):
        line = line.replace("|", " ")
    line = _IMAGE_RE.sub(" ", line)
    line = _LINK_RE.sub(r"\1", line)
    line = _REF_LINK_RE.sub(r"\1", line)
    line = _AUTOLINK_RE.sub(" ", line)
    line = _URL_RE.sub(" ", line)
    line = _HTML_TAG_RE.sub(" ", line)
    for _ in range(2):  # nested **_x_**
        line = _BOLD_RE.sub(r"\2", line)
    line = _ITALIC_STAR_RE.sub(r"\1", line)
    line = _ITALIC_UNDER_RE.sub(r"\1", line)
    line = _STRIKE_RE.sub(r"\1", line)
    line = _CODE_RE.sub(r"\1", line)
    line = line.replace("**", "").replace("__", "")
    line = _ESCAPE_RE.sub(r"\1", line)
    return line, heading


# whole lines that are site furniture (compared case-folded, punctuation removed)
_MENU_WORDS = _words("""
    logo логотип rss print печать share поделиться tweet твитнуть like нравится
    подписаться subscribe menu меню главная home search поиск войти выйти
    зарегистрироваться регистрация login logout log in sign up register comments
    комментарии комментарий back назад top наверх advertisement реклама email
    facebook twitter telegram vk вконтакте whatsapp instagram youtube ok
    одноклассники версия для the of read more читать далее также читайте
    """)
_BOILERPLATE_PREFIX_RE = re.compile(
    r"^(?:tags?|теги|тэги|метки|тегтер|keywords|ключевые слова)\s*:"
    r"|^(?:войти на этот сайт|войти под профилем|голосовать могут|выберите сервис"
    r"|чтобы оставить комментарий|для того,? чтобы оставить комментарий"
    r"|you must be logged in|to leave a comment|copyright|©|\(c\)\s|все права защищены"
    r"|all rights reserved|при использовании материалов|при копировании материалов"
    r"|подписывайтесь на|follow us|читайте также|read also|related articles"
    r"|see also|смотрите также|источник фото)",
    re.IGNORECASE,
)
# lines after which only site junk follows (when in the second half of the text)
_END_MARKER_RE = re.compile(
    r"^(?:tags?|теги|тэги|метки|тегтер)\s*:|^(?:войти на этот сайт|голосовать могут"
    r"|комментарии|comments|читайте также|read also|related articles)",
    re.IGNORECASE,
)
_PHOTO_CREDIT_RE = re.compile(r"^(?:фото|photo|сурет|фотография)\s*[:：]", re.IGNORECASE)


def _is_boilerplate(line: str) -> bool:
    if _BOILERPLATE_PREFIX_RE.match(line):
        return True
    words = re.findall(r"[^\W\d_]+", line.casefold())
    if not words:
        return False
    return len(words) <= 6 and all(w in _MENU_WORDS for w in words)


@dataclass(slots=True)
class _Para:
    text: str
    heading: bool = False


_TERMINAL = ".!?…:;"
_OPENING = "«\"“„'‘([—–-"


_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(?P<body>.*?\n)---[ \t]*\n", re.DOTALL)
_FRONT_KEY_RE = re.compile(r"^(?P<key>title|date)\s*:\s*(?P<value>.+?)\s*$", re.MULTILINE)


def _front_matter(text: str) -> str:
    """YAML front matter ("---\ntitle: ...\ndate: ...\n---") -> a heading and a date line."""
    m = _FRONT_MATTER_RE.match(text.lstrip("\ufeff"))
    if not m:
        return text
    keys = {k["key"]: k["value"].strip("'\" ") for k in _FRONT_KEY_RE.finditer(m["body"])}
    head = []
    if keys.get("date"):
        head.append(f"date {keys['date']}\n")
    if keys.get("title"):
        head.append(f"# {keys['title']}\n")
    return "\n".join(head) + "\n" + text.lstrip("\ufeff")[m.end() :]


def _paragraphs(text: str) -> list[_Para]:
    """Cleaned paragraphs: one per line or block, broken sentences joined."""
    text = html.unescape(text) if "&" in text else text
    text = _ZERO_WIDTH_RE.sub("", unicodedata.normalize("NFC", _front_matter(text)))
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[tuple[str, bool, bool]] = []  # (text, heading, blank line before)
    blank = False
    in_fence = False
    for index, raw in enumerate(raw_lines):
        if _FENCE_RE.match(raw):
            in_fence = not in_fence
            blank = True
            continue
        if in_fence or _REF_DEF_RE.match(raw) or (_SETEXT_RE.match(raw) and raw.strip()):
            blank = True
            continue
        line, heading = _strip_markdown(raw)
        line = _SPACES_RE.sub(" ", line).strip()
        if not line:
            blank = True
            continue
        if _is_boilerplate(line):
            if _END_MARKER_RE.match(line) and index > len(raw_lines) // 2:
                break  # "Tags: ..." or a login form near the end: the article is over
            blank = True
            continue
        if not _LETTER_RE.search(line) and not extract_dates(line):
            blank = True  # only punctuation, numbers, symbols
            continue
        lines.append((line, heading, blank))
        blank = False
    # with blank lines between paragraphs, a line directly below another continues it
    # (hard-wrapped Markdown); without them (one paragraph per line) it does not
    blank_separated = any(blank_before for _, _, blank_before in lines[1:])
    paras: list[_Para] = []
    last_line = ""
    for line, heading, blank_before in lines:
        if paras and not heading and not paras[-1].heading:
            prev = paras[-1].text
            open_end = prev[-1] not in _TERMINAL + '»"”)'
            joins = (
                line[0].islower()
                or (len(prev) >= 100 and line[0] in _OPENING)
                or (blank_separated and not blank_before and len(last_line) >= 50)
            )
            if open_end and joins:
                paras[-1].text = f"{prev} {line}"
                last_line = line
                continue
        paras.append(_Para(line, heading))
        last_line = line
    return paras


# ==========================================================================
# sentences
# ==========================================================================

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_SENT_END_RE = re.compile(rf"[.!?…]+[»\"”’)\]]*(?=\s+(?:[-–—]\s+)?[«\"“„(\[]?[{_UPPER}0-9])")
_ABBREVIATIONS = _words("""
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


def _passages(paragraphs: list[str]) -> list[str]:
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


# ==========================================================================
# title, meta lines, dateline
# ==========================================================================

_META_DATE_PREFIX_RE = re.compile(
    r"(?:date|дата|published|posted|updated|опубликовано|обновлено|жарияланды|күні)\s*:?",
    re.IGNORECASE,
)
_TIME_RE = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")


def _meta_date(line: str) -> FoundDate | None:
    """The date of a line that is only a date ("07 may", "date 2025-09-11 Фото: ...")."""
    if len(line) > 120:
        return None
    dates = extract_dates(line)
    if not dates:
        return None
    first = dates[0]
    prefix = line[: first.start].strip()
    if prefix and not _META_DATE_PREFIX_RE.fullmatch(prefix):
        return None
    rest = _TIME_RE.sub(" ", line[first.end :])
    rest = _PHOTO_CREDIT_TAIL_RE.sub(" ", rest)
    if len(_LETTER_RE.findall(rest)) > 12:
        return None
    return first


_PHOTO_CREDIT_TAIL_RE = re.compile(r"(?:фото|photo|сурет)\s*[:：].*$", re.IGNORECASE)


@dataclass(slots=True)
class _Dateline:
    place_text: str
    date: FoundDate | None
    agency: str
    body: str  # the paragraph without the dateline


_DATELINE_PLACE_RE = re.compile(
    rf"^(?P<place>[{_UPPER}][^\W\d_]*(?:[\s-][{_UPPER}][^\W\d_]*){{0,3}})\s*[.,]\s+"
)
_AGENCY_RE = re.compile(
    rf"^(?P<agency>[{_UPPER}0-9][\w.&'’-]*(?:\s+[{_UPPER}0-9][\w.&'’-]*){{0,4}})\s*[-–—]\s+"
)


def _dateline(para: str, gazetteer: Gazetteer) -> _Dateline | None:
    """ "Талдыкорган. 10 сентября. KAZAKHSTAN TODAY - В Талдыкоргане ..." """
    m = _DATELINE_PLACE_RE.match(para)
    if not m or not gazetteer.find(m["place"]):
        return None
    rest_start = m.end()
    dates = extract_dates(para[: rest_start + 60])
    date = next((d for d in dates if d.start == rest_start), None)
    if date is not None:
        rest_start = date.end
    rest = para[rest_start:]
    sep = re.match(r"^\s*[.,]?\s*(?:[-–—]\s+)?", rest)
    rest = rest[sep.end() if sep else 0 :]
    agency = ""
    paren = re.match(r"^\((?P<agency>[^()]{2,40})\)\s*(?:[-–—]\s+)?", rest)
    if paren:
        agency = paren["agency"].strip()
        rest = rest[paren.end() :]
    a = None if agency else _AGENCY_RE.match(rest)
    if a and len(a["agency"]) <= 40:
        # after a date any capitalised name will do ("ҚазАқпарат"); without a date
        # only an upper-case one ("KAZAKHSTAN TODAY"), not "Алматы, Казахстан - ..."
        letters = _LETTER_RE.findall(a["agency"])
        if date is not None or sum(ch.isupper() for ch in letters) >= 0.5 * len(letters):
            agency = a["agency"]
            rest = rest[a.end() :]
    if date is None and not agency:
        return None
    return _Dateline(m["place"], date, agency, rest.strip())


def _is_headline(para: _Para) -> bool:
    text = para.text
    if para.heading:
        return True
    if len(text) > 200 or len(text.split()) < 3:
        return False
    return text[-1] not in ".…;:,"


def _short_title(sentence: str) -> str:
    """The sentence as a title: at most MAX_TITLE characters, cut at a clause or a word."""
    sentence = sentence.strip().rstrip(".").strip()
    if len(sentence) <= MAX_TITLE:
        return sentence
    window = sentence[:MAX_TITLE]
    comma = window.rfind(", ")
    if comma >= 60:
        return window[:comma]
    space = window[: MAX_TITLE - 1].rfind(" ")
    cut = window[:space] if space > 0 else window[: MAX_TITLE - 1]
    return cut.rstrip(",;:- ") + "…"


# ==========================================================================
# dates
# ==========================================================================


def _days_before(event: FoundDate, published: FoundDate) -> tuple[int, int] | None:
    """(days from event to publication, the event's year) if within the window."""
    if event.day is None or published.day is None:
        return None
    pub_year = published.year if published.year is not None else 2000
    pub = dt.date(pub_year, published.month, published.day)
    for year in (pub_year, pub_year - 1):
        try:
            ev = dt.date(year, event.month, event.day)
        except ValueError:
            continue
        delta = (pub - ev).days
        if 0 <= delta <= PUBLICATION_WINDOW_DAYS:
            return delta, year
    return None


def _choose_date(
    dateline: FoundDate | None, published: FoundDate | None, body: list[FoundDate]
) -> tuple[FoundDate | None, str]:
    """The document date and how it was chosen (for `date_note`).

    1. a dateline date ("Талдыкорган. 10 сентября.");
    2. else, with a publication date, the first date of the text if it falls 0-7
       days before it (the event being reported), else the publication date;
    3. else the first date of the text.
    A date without a year gets the publication date's year when it is 0-7 days
    before it; otherwise it stays without a year.
    """
    if dateline is not None:
        event, where = dateline, "the dateline"
    elif published is not None:
        first = body[0] if body else None
        near = _days_before(first, published) if first is not None else None
        if first is None or near is None or (first.year not in (None, near[1])):
            return published, "the date is the publication date"
        event, where = first, "the text"
    elif body:
        return body[0], "the date is the first date in the text"
    else:
        return None, ""
    if event.year is not None:
        return event, f"the date is from {where}"
    near = _days_before(event, published) if published is not None else None
    if near is None or published is None or published.year is None:
        return event, f"the date is from {where}; the text gives no year"
    delta, year = near
    chosen = FoundDate(year, event.month, event.day, event.start, event.end, event.text)
    return chosen, (
        f"the event date is from {where} ({event.text.strip(' .,')}); the year {year} is "
        f"taken from the publication date {published.iso}, {delta} day(s) later"
    )


# ==========================================================================
# kind, event kind, online
# ==========================================================================

_CONSULAR_RE = re.compile(r"консул|consul|паспорт|passport")
_HERITAGE_RE = re.compile(
    r"велик\w* отечественн\w*|сталинград|stalingrad|мемориал|memorial|missing soldiers"
    r"|search movement|поисков\w* движени|great patriotic war|ұлы отан соғыс"
    r"|бессмертн\w* полк|immortal regiment"
)
_VICTORY_RE = re.compile(r"\bПобед|\bЖеңіс|\bVictory\b")
_EVENT_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("agreement", re.compile(r"\b(?:меморандум|соглашени|memorand|agreement|келісім)")),
    ("conference", re.compile(r"\b(?:конференц|conference|форум|forum)")),
    ("reception", re.compile(r"\b(?:при[её]м|reception|қабылдау)")),
    ("meeting", re.compile(r"\b(?:встреч|встрет|meeting|met with|кездес)")),
    ("visit", re.compile(r"\b(?:визит|visit|сапар)")),
)
_ONLINE_RE = re.compile(
    r"\b(?:онлайн|online|вебинар|webinar|видеоконференц|videoconferenc|video conferenc"
    r"|в режиме видеосвязи|zoom)"
)


def _kind(norm: str, original: str) -> str:
    if _CONSULAR_RE.search(norm):
        return "consular"
    if _HERITAGE_RE.search(norm) or _VICTORY_RE.search(original):
        return "heritage"
    return "event"


def _event_kind(norm_text: str, norm_title: str) -> str | None:
    """The kind with the most keyword hits (title hits count 3x); ties by priority."""
    best: tuple[int, str] | None = None
    for kind, pattern in _EVENT_KINDS:
        score = len(pattern.findall(norm_text)) + 2 * len(pattern.findall(norm_title))
        if score and (best is None or score > best[0]):
            best = (score, kind)
    return best[1] if best else None


# ==========================================================================
# people
# ==========================================================================

_LOWER = "a-zа-яёәғқңөұүһі"
_NAME_WORD_RE = re.compile(rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?(?![\w])")

# surnames: core (kept in every case) + ending (case/gender)
_RU_OV_RE = re.compile(
    r"^(?P<core>[а-яёәғқңөұүһі-]{2,}?(?:ов|ев|ёв|ин|ын))"
    r"(?P<end>|а|у|ым|ой|ом|е|ы"
    r"|ке|ка|қа|ға|ге|тың|тің|ның|нің|дың|дің|пен|мен|бен|ты|ті|ны|ні|ды|ді"
    r"|нан|нен|тан|тен|дан|ден|та|те|да|де)$"
)
_KK_CASE_ENDINGS = _words(
    "ке ка қа ға ге тың тің ның нің дың дің пен мен бен ты ті ны ні ды ді "
    "нан нен тан тен дан ден та те да де"
)
_RU_SKY_RE = re.compile(r"^(?P<core>[а-яё-]{2,}(?:ск|цк))(?P<end>ий|ого|ому|им|ом|ая|ой|ую)$")
_RU_IK_RE = re.compile(r"^(?P<core>[а-яё-]{2,}(?:ук|юк|ик|чук))(?P<end>|а|у|ом|е)$")
_RU_INV_RE = re.compile(r"^[а-яёәғқңөұүһі-]{2,}(?:енко|уллы|ұлы|улы|кызы|қызы)$")
_LAT_SURNAME_RE = re.compile(
    r"^[a-z-]{2,}(?:ov|ev|yev|iev|yov|in|yn|ova|eva|yeva|ina|yna|sky|ski|skiy|skaya"
    r"|enko|uk|yuk|ik|uly|uli|kyzy|qyzy)$"
)
_PATRONYMIC_RE = re.compile(
    r"^[а-яё]{2,}(?:ович|евич|ьич|ич)(?:а|у|ем|ом|е)?$"
    r"|^[а-яё]{2,}(?:овн|евн|ичн)(?:а|ы|е|у|ой)$"
    r"|^[a-z]{2,}(?:ovich|evich|ovna|evna)$"
)
_ADJECTIVE_END = (
    "ский", "ская", "ской", "ского", "скому", "ским", "ском", "ские", "ских", "скую",
    "цкий", "цкая", "цкой", "ный", "ная", "ной", "ного", "ному", "ным", "ном", "ные",
    "ных", "ную", "ого", "его", "ому", "ему", "ый", "ыми", "ими", "ых",
    "ции", "сии", "мии", "гии", "ики", "ости", "ства", "ству", "ством", "стве",
)  # fmt: skip
_NOT_NAMES = _words("""
    в во на по от для с со к ко из о об и а но это эти этот эта сегодня вчера также
    при после перед господин госпожа уважаемый республика республики россия россии
    казахстан казахстана федерации президент президента день победа победы памяти
    великой великая отечественной войны война февраль года однако вчера затем кроме
    помимо именно позже ранее
    the a an on in at of for by with during both members plans summing according
    negotiations establishing more this that these he she they we it his her their
    our mr mrs ms dr prof sir lord lady saint st mount lake river region oblast city
    university institute center centre council chamber movement fund agency ministry
    embassy consulate day victory republic russian kazakh soviet national state
    federal regional international great patriotic war north south east west
    central new old red white black general civic search military interstate
    yesterday today however meanwhile earlier later also then after before
    """)
_MALE_IY = _words(
    "дмитрий юрий георгий анатолий виталий василий евгений валерий геннадий аркадий "
    "григорий арсений леонтий иннокентий вассилий"
)

# title words: Russian forms (nominative lemma -> inflected forms), English, Kazakh stems
_RU_TITLE_FORMS: dict[str, str] = {}


def _add_titles(lemmas: str, endings: tuple[str, ...], cut: int = 0) -> None:
    for lemma in lemmas.split():
        stem = lemma[: len(lemma) - cut] if cut else lemma
        for ending in endings:
            _RU_TITLE_FORMS[stem + ending] = lemma


_add_titles(
    "консул генконсул министр ректор советник член аким президент директор начальник "
    "губернатор депутат мэр сенатор лидер посланник премьер-министр вице-президент "
    "вице-министр вице-консул",
    ("", "а", "у", "ом", "е", "ы", "ов"),
)
_add_titles(
    "председатель заместитель руководитель представитель секретарь госсекретарь",
    ("ь", "я", "ю", "ем", "е", "и", "ей"),
    cut=1,
)
_add_titles("заведующий", ("ий", "его", "ему", "им", "ем"), cut=2)
_add_titles("глава", ("а", "ы", "е", "у", "ой"), cut=1)
for _form in ("посол", "посла", "послу", "послом", "послы", "послов"):
    _RU_TITLE_FORMS[_form] = "посол"
_RU_TITLE_FORMS["атташе"] = "атташе"

_EN_TITLES = _words("""
    chair chairman chairwoman chairperson head member adviser advisor ambassador consul
    consul-general minister director representative editor-in-chief moderator
    president vice-president secretary deputy governor mayor rector akim coordinator
    chief envoy attaché spokesman spokesperson spokeswoman founder leader commissioner
    manager counsellor counselor
    """)
_EN_MODIFIERS = _words(
    "executive deputy vice general chief first senior acting honorary extraordinary "
    "plenipotentiary and former"
)
_KK_TITLE_STEMS = (
    "елші", "консул", "әкім", "министр", "төраға", "басшы", "орынбасар", "директор",
    "ректор", "өкіл", "хатшы", "мүше", "кеңесші", "президент", "басқарушы", "жетекші",
)  # fmt: skip
_KK_MODIFIERS = _words("бас вице төтенше өкілетті және бірінші")
_KK_PLACE_NOUNS = _words(
    "облысы облысының облыстық қаласы қаласының ауданы ауданының республикасы "
    "республикасының елінің"
)
_ROLE_VERBS = _words(
    "was were is are has have had will said noted spoke met был была было были "
    "является являлся стал стала отметил сказал"
)
_RU_PAST_RE = re.compile(r"^[а-яё]{2,}(?:лся|лась|лось|лись)$|^[а-яё]{3,}[аяеиуы](?:л|ла|ли)$")
_RU_NOT_VERBS = _words(
    """
    генерал отдел материал канал капитал персонал филиал финал трибунал арсенал сериал
    идеал портал журнал интеграл минерал адмирал ритуал фестивал стали шли
    """
)
_RU_VERBS = _words("говорит заявляет сообщает отмечает считает подчеркивает рассказывает")
_LATIN_NOT_SURNAMES = _words(
    """
    kremlin latin berlin dublin within begin again bulletin margin origin cabin admin
    penguin vitamin protein basin turin cousin robin muslin violin
    """
)


def _looks_verb(word: str) -> bool:
    """A verb in a title phrase means the phrase is a clause, not a title."""
    w = word.lower()
    if w in _ROLE_VERBS or w in _RU_VERBS:
        return True
    if _RU_PAST_RE.match(w):
        return w not in _RU_NOT_VERBS and w[:-1] not in _RU_NOT_VERBS
    return word.islower() and len(w) >= 5 and w.endswith("ed") and w.isascii()


_CLAUSE_BREAK_RE = re.compile(r"[.;:!?()«»\"“”„]|,|\s[-–—]\s")
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def _surname(word: str) -> tuple[str, str, str] | None:
    """(core, ending, family) of a word that looks like a surname, else None.

    family: "ov" (-ов/-ев/-ин + case endings), "sky" (-ский/-ская), "ik"
    (-ук/-юк/-ик), "inv" (-енко, -ұлы, -кызы: not inflected), "latin".
    """
    w = word.lower()
    if "\u0400" <= w[0] <= "\u052f":
        for family, regex in (("ov", _RU_OV_RE), ("sky", _RU_SKY_RE), ("ik", _RU_IK_RE)):
            m = regex.match(w)
            if m and len(m["core"]) >= 4:
                return word[: len(m["core"])], m["end"], family
        if _RU_INV_RE.match(w):
            return word, "", "inv"
        return None
    if (
        _LAT_SURNAME_RE.match(w)
        and len(w) >= 5
        and w not in _LATIN_NOT_SURNAMES
        and not w.endswith(("ain", "ein"))
    ):
        return word, "", "latin"
    return None


def _looks_first_name(word: str) -> bool:
    w = word.lower()
    if len(w) < 2 or w in _NOT_NAMES or w in _RU_TITLE_FORMS or w in _EN_TITLES:
        return False
    if w.endswith(_ADJECTIVE_END) and w not in _MALE_IY:
        return False
    return not word.isupper()


def _is_patronymic(word: str) -> bool:
    return bool(_PATRONYMIC_RE.match(word.lower()))


@dataclass(slots=True)
class _Occurrence:
    first: str
    patronymic: str
    surname: str
    core: str
    ending: str
    family: str
    para: int
    start: int
    end: int
    role: str = ""
    role_case: str = ""  # "nom" if the title word is in the nominative, "obl" if not
    aliases: list[str] = field(default_factory=list)


def _name_runs(text: str) -> list[list[re.Match[str]]]:
    """Runs of capitalised words separated by single spaces."""
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for m in _NAME_WORD_RE.finditer(text):
        if current and text[current[-1].end() : m.start()] == " ":
            current.append(m)
            continue
        if len(current) >= 2:
            runs.append(current)
        current = [m]
    if len(current) >= 2:
        runs.append(current)
    return runs


_PAREN_NAME_RE = re.compile(
    rf"(?P<sur>[{_UPPER}][{_LOWER}]+)\s*\((?P<alt>[{_UPPER}][{_LOWER}]+)\)\s+"
    rf"(?P<first>[{_UPPER}][{_LOWER}]+)"
)


def _find_names(text: str, para: int, gazetteer: Gazetteer) -> list[_Occurrence]:
    found: list[_Occurrence] = []

    def is_place(word: str) -> bool:
        return bool(gazetteer.find(word))

    def add(first: str, patr: str, sur: str, start: int, end: int, aliases: list[str]) -> bool:
        info = _surname(sur)
        if info is None or is_place(sur) or is_place(first):
            return False
        core, ending, family = info
        found.append(_Occurrence(first, patr, sur, core, ending, family, para, start, end))
        found[-1].aliases.extend(aliases)
        return True

    for run in _name_runs(text):
        words = [m.group() for m in run]
        free = 0  # words before this index are taken by a name
        j = 0
        while j < len(words):
            if _surname(words[j]) is None or (
                # "Konstantin Vorobyov": the surname is the rightmost candidate
                j + 1 < len(words) and _surname(words[j + 1]) and _looks_first_name(words[j])
            ):
                j += 1
                continue
            if (
                j - 2 >= free
                and _is_patronymic(words[j - 1])
                and _looks_first_name(words[j - 2])
                and add(words[j - 2], words[j - 1], words[j], run[j - 2].start(), run[j].end(), [])
            ) or (
                j - 1 >= free
                and _looks_first_name(words[j - 1])
                and add(words[j - 1], "", words[j], run[j - 1].start(), run[j].end(), [])
            ):
                free = j + 1
            elif (
                j + 2 < len(words)
                and _looks_first_name(words[j + 1])
                and _is_patronymic(words[j + 2])
                and add(words[j + 1], words[j + 2], words[j], run[j].start(), run[j + 2].end(), [])
            ):  # surname first: "Бурибаев Ермек Абильтаевич"
                free = j + 3
            j = max(j + 1, free)
    for m in _PAREN_NAME_RE.finditer(text):
        if _surname(m["sur"]) and _looks_first_name(m["first"]):
            add(m["first"], "", m["sur"], m.start(), m.end(), [m["alt"]])
    found.sort(key=lambda o: o.start)
    # drop overlaps (keep the earlier, longer one)
    result: list[_Occurrence] = []
    for occ in found:
        if result and occ.start < result[-1].end:
            continue
        result.append(occ)
    return result


def _title_word(word: str, lang: str) -> tuple[str, bool] | None:
    """(nominative lemma, was it already nominative) if `word` is a title word."""
    w = word.lower()
    lemma = _RU_TITLE_FORMS.get(w)
    if lemma is not None:
        return lemma, lemma == w
    if w in _EN_TITLES:
        return w, True
    if lang == "kk":
        for stem in _KK_TITLE_STEMS:
            if w.startswith(stem) and len(w) - len(stem) <= 6:
                return w, True
    return None


_RU_ADJ_NOM = (
    ("ского", "ский"), ("скому", "ский"), ("ским", "ский"), ("ском", "ский"),
    ("цкого", "цкий"), ("цкому", "цкий"), ("цким", "цкий"), ("цком", "цкий"),
    ("кого", "кий"), ("гого", "гий"), ("хого", "хий"), ("шего", "ший"), ("щего", "щий"),
    ("жего", "жий"), ("чего", "чий"), ("его", "ий"), ("ему", "ий"),
    ("ого", "ый"), ("ому", "ый"), ("ым", "ый"), ("им", "ий"), ("ом", "ый"),
)  # fmt: skip


def _is_modifier(word: str, lang: str) -> bool:
    w = word.lower()
    if w in _EN_MODIFIERS or (lang == "kk" and w in _KK_MODIFIERS):
        return True
    if re.fullmatch(r"[а-яё-]+", w):
        return w.endswith(("ый", "ий", "ой", "ая", "яя", "ого", "его", "ому", "ему", "ым", "им"))
    return False


def _kk_attribute(word: str, nxt: str | None) -> bool:
    """Kazakh words that belong to a title phrase before the title word."""
    w = word.lower()
    if w in _KK_MODIFIERS or w in _KK_PLACE_NOUNS:
        return True
    if w.endswith(("дың", "дің", "тың", "тің", "ның", "нің", "дағы", "дегі", "тағы", "тегі")):
        return True
    return word[0].isupper() and nxt is not None and nxt.lower() in _KK_PLACE_NOUNS


def _normalise_ru_role(words: list[str], head: int, lemma: str) -> list[str]:
    """The head title word and its adjectives in the nominative: "генерального консула" ->
    "генеральный консул"; the rest (a genitive complement) stays as written."""
    out = list(words)
    out[head] = lemma if words[head].islower() else lemma.capitalize()
    for i in range(head - 1, -1, -1):
        low = out[i].lower()
        if low in ("и", "and"):
            continue
        for old, new in _RU_ADJ_NOM:
            if low.endswith(old):
                out[i] = out[i][: len(out[i]) - len(old)] + new
                break
        else:
            break
    return out


def _role_before(clause: str, lang: str) -> tuple[str, str]:
    """The title phrase at the end of `clause` (the text right before a name)."""
    words = list(_WORD_RE.finditer(clause))
    texts = [w.group() for w in words]
    for i, w in enumerate(texts):
        hit = _title_word(w, lang)
        if hit is None:
            continue
        lemma, nominative = hit
        start = i
        while start > 0:
            prev = texts[start - 1]
            if lang == "kk":
                nxt = texts[start] if start < len(texts) else None
                if not _kk_attribute(prev, nxt):
                    break
            elif prev.lower() in ("и", "and"):
                if start >= 2 and _is_modifier(texts[start - 2], lang):
                    start -= 1
                    continue
                break
            elif not _is_modifier(prev, lang):
                break
            start -= 1
        phrase_words = texts[start:]
        if any(_looks_verb(t) for t in texts[i + 1 :]):
            continue
        role = clause[words[start].start() :].strip(" ,-–—")
        if lang == "ru" and not nominative:
            # rebuild with the head in the nominative, keeping the original spacing
            head = i - start
            fixed = _normalise_ru_role(phrase_words, head, lemma)
            for old, new in zip(phrase_words[: head + 1], fixed[: head + 1], strict=True):
                role = role.replace(old, new, 1)
        if len(role) <= MAX_ROLE:
            return role, "nom" if nominative else "obl"
    return "", ""


def _role_after(rest: str, lang: str) -> str:
    """An apposition after the name: ", Chairman of the Board at X, spoke ..."."""
    if not rest.startswith(","):
        return ""
    segments = re.split(r",\s*", rest[1:])
    taken: list[str] = []
    for segment in segments:
        seg = re.split(r"[.;:!?()«»\"“”]|\s[-–—]\s", segment)[0].strip()
        words = _WORD_RE.findall(seg)
        i = 0
        while i < len(words) and (
            words[i].lower() in ("the", "a", "an") or _is_modifier(words[i], lang)
        ):
            i += 1
        if i >= len(words) or _title_word(words[i], lang) is None:
            break
        if any(_looks_verb(w) for w in words[i + 1 :]):
            break
        if len(", ".join([*taken, seg])) > MAX_ROLE:
            break
        taken.append(seg)
        if seg != segment.strip():
            break  # the clause ended inside this segment
    role = ", ".join(taken)
    return re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.IGNORECASE)


def _find_roles(text: str, occurrences: list[_Occurrence], lang: str) -> None:
    prev_end = 0
    for occ in occurrences:
        before = text[prev_end : occ.start]
        breaks = list(_CLAUSE_BREAK_RE.finditer(before))
        clause = before[breaks[-1].end() :] if breaks else before
        role, case = _role_before(clause, lang)
        role = re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.IGNORECASE)
        after = _role_after(text[occ.end :], lang)
        if len(after) > len(role):  # "Ambassador X, Ambassador of Russia to Kazakhstan,"
            role, case = after, case or "nom"
        occ.role, occ.role_case = role, case
        prev_end = occ.end


# de-inflection of Russian first names and patronymics: (ending, replacement)
_MALE_FIRST_RULES = (
    ("ием", "ий"), ("ия", "ий"), ("ию", "ий"), ("ии", "ий"),
    ("еем", "ей"), ("ея", "ей"), ("ею", "ей"), ("ее", "ей"),
    ("аем", "ай"), ("ая", "ай"), ("аю", "ай"), ("ае", "ай"),
    ("ом", ""), ("ем", "ь"), ("а", ""), ("у", ""), ("е", ""), ("я", "ь"), ("ю", "ь"),
)  # fmt: skip
_FEMALE_FIRST_RULES = (
    ("ьи", "ья"), ("ье", "ья"), ("ью", "ья"), ("ьей", "ья"),
    ("ией", "ия"), ("ии", "ия"), ("ию", "ия"),
    ("ой", "а"), ("ей", "я"), ("у", "а"), ("ю", "я"), ("ы", "а"), ("е", "а"),
)  # fmt: skip
_VELAR_HUSHING = "гкхжшчщ"


def _apply_rules(word: str, rules: tuple[tuple[str, str], ...]) -> str:
    low = word.lower()
    for old, new in rules:
        if low.endswith(old) and len(low) - len(old) >= 2:
            return word[: len(word) - len(old)] + new
    if rules is _FEMALE_FIRST_RULES and low.endswith("и") and len(low) > 3:
        return word[:-1] + ("а" if low[-2] in _VELAR_HUSHING else "я")
    return word


def _is_cyrillic(word: str) -> bool:
    return "\u0400" <= word[0] <= "\u052f"


def _male_genitive_first(first: str) -> bool:
    """Андрея, Николая, Абая, Дмитрия: genitive of a male name (Мария is not)."""
    low = first.lower()
    return low.endswith(("ея", "ая")) or (low.endswith("ия") and low[:-2] + "ий" in _MALE_IY)


def _case_of(occ: _Occurrence) -> str:
    """ "nom", "obl" (inflected) or "amb" (female nominative or male genitive)."""
    if occ.family == "latin":
        return "nom"
    if occ.ending in _KK_CASE_ENDINGS:
        return "kk"
    first = occ.first.lower()
    if occ.family == "ov":
        if occ.ending == "":
            return "nom"
        if occ.ending == "а":
            if occ.role_case == "obl" or _male_genitive_first(first):
                return "obl"
            return "nom" if occ.role_case == "nom" else "amb"
        return "obl"
    if occ.family == "sky":
        return "nom" if occ.ending in ("ий", "ая") else "obl"
    if occ.family == "ik" and occ.ending:
        return "obl"
    # -ик with no ending, -енко, -ұлы: the first name tells
    if occ.role_case == "nom":
        return "nom"
    if first.endswith(("и", "ы", "ом", "ем", "ой", "ьей", "ией")) or occ.role_case == "obl":
        return "obl"
    return "nom"


def _female(group: list[_Occurrence]) -> bool:
    """Whether the group has a feminine form (-овой, -ская, "Натальи Белик")."""
    for occ in group:
        if occ.family == "ov" and occ.ending in ("", "ым"):
            return False  # masculine forms
        if occ.family == "sky" and occ.ending in ("ий", "ого", "ому", "им"):
            return False
    for occ in group:
        if occ.family == "ov" and occ.ending == "ой":
            return True
        if occ.family == "sky" and occ.ending in ("ая", "ой", "ую"):
            return True
        if (
            occ.family in ("ik", "inv")
            and not occ.ending
            and occ.first.lower().endswith(("и", "ы", "ой", "ьей", "ией"))
        ):
            return True
    return False


def _nominative(group: list[_Occurrence]) -> str:
    """The person's name in the nominative, from the best occurrence."""
    cases = [_case_of(o) for o in group]
    for wanted in ("nom", "amb"):
        for occ, case in zip(group, cases, strict=True):
            if case == wanted:
                return " ".join(x for x in (occ.first, occ.patronymic, occ.surname) if x)
    occ, case = group[0], cases[0]
    if case == "kk":  # Kazakh: only the last word takes the case ending
        return " ".join(x for x in (occ.first, occ.patronymic, occ.core) if x)
    female = _female(group)
    if female:
        first = _apply_rules(occ.first, _FEMALE_FIRST_RULES)
        patr = re.sub(r"(овн|евн|ичн)(ы|е|у|ой)$", r"\1а", occ.patronymic)
        surname = {"ov": occ.core + "а", "sky": occ.core + "ая"}.get(occ.family, occ.surname)
    else:
        first = _apply_rules(occ.first, _MALE_FIRST_RULES)
        patr = re.sub(r"(ич)(а|у|ем|ом|е)$", r"\1", occ.patronymic)
        surname = {"ov": occ.core, "sky": occ.core + "ий", "ik": occ.core}.get(
            occ.family, occ.surname
        )
    return " ".join(x for x in (first, patr, surname) if x)


def _group_key(occ: _Occurrence) -> str:
    core = occ.core.lower() if occ.family != "latin" else occ.surname.lower()
    if occ.family == "latin":
        core = re.sub(r"(ov|ev|in|yn)a$", r"\1", core)
        core = re.sub(r"(sk)(aya|y|i|iy)$", r"\1", core)
    return core.replace("ё", "е")


def _people(paragraphs: list[str], lang: str, gazetteer: Gazetteer) -> list[Person]:
    groups: dict[str, list[_Occurrence]] = {}
    for i, para in enumerate(paragraphs):
        occurrences = _find_names(para, i, gazetteer)
        _find_roles(para, occurrences, lang)
        for occ in occurrences:
            groups.setdefault(_group_key(occ), []).append(occ)
    people: list[Person] = []
    used_ids: set[str] = set()
    for group in groups.values():
        name = _nominative(group)
        role = next((o.role for o in group if o.role and o.role_case == "nom"), "")
        role = role or next((o.role for o in group if o.role), "")
        pid = _slug(name) or "person"
        base, n = pid, 2
        while pid in used_ids:
            pid, n = f"{base}-{n}", n + 1
        used_ids.add(pid)
        surname = name.split()[-1]
        aliases = [surname]
        for occ in group:
            aliases.extend(a for a in occ.aliases if a not in aliases)
        people.append(Person(pid, {lang: name}, {lang: role} if role else {}, aliases))
    return people


# ==========================================================================
# slugs
# ==========================================================================

_TRANSLIT = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
    "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y", "і": "i", "к": "k", "қ": "k",
    "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}  # fmt: skip


def _slug(text: str, max_len: int = 80) -> str:
    out = []
    for ch in text.lower():
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
        else:
            base = unicodedata.normalize("NFKD", ch)[0]
            out.append(base if base.isascii() and base.isalnum() else "-")
    slug = re.sub(r"-+", "-", "".join(out)).strip("-")
    return slug[:max_len].rstrip("-")


# ==========================================================================
# the parser
# ==========================================================================


def _check_text(text: str) -> None:
    if "\x00" in text or _too_many_controls(map(ord, text), len(text)):
        raise IngestError("binary")
    if not text.strip():
        raise IngestError("empty")
    visible = sum(1 for ch in text if not ch.isspace())
    letters = len(_LETTER_RE.findall(text))
    if letters < 0.5 * visible:
        raise IngestError("not_text", f"{letters} letters in {visible} characters")


def _source_name(source: str) -> str:
    return source if "://" in source else PurePath(source).name or source


_CREDIT_RE = re.compile(
    r"(?:переда[её]т|сообщает|сообщил[аи]?|reports|according to)\s+"
    r"(?P<who>[A-Za-z][\w-]*\.(?:kz|ru|com|org|net|info)\b|[A-ZА-ЯЁ]{2,}(?:\s+[A-ZА-ЯЁ]{2,})*)"
)


def parse_news(
    text: str, *, source: str, gazetteer: Gazetteer, lang: str | None = None
) -> Document:
    """Parse one news article (plain text or Markdown) into a one-language `Document`.

    Raises `IngestError` ("binary", "empty", "not_text", "too_short").
    """
    _check_text(text)
    paras = _paragraphs(text)
    cleaned = "\n".join(p.text for p in paras)
    if len(_LETTER_RE.findall(cleaned)) < MIN_LETTERS:
        raise IngestError("too_short", f"fewer than {MIN_LETTERS} letters")
    lang = lang or detect_lang(cleaned)

    # meta lines: a line that is only a date is the publication date
    published: FoundDate | None = None
    body: list[_Para] = []
    meta_dates: list[FoundDate] = []
    for para in paras:
        date = _meta_date(para.text)
        if date is not None:
            meta_dates.append(date)
            published = published or date
            continue
        if _PHOTO_CREDIT_RE.match(para.text) and len(para.text) <= 120:
            continue
        body.append(para)
    if not body:
        raise IngestError("too_short", "only dates and boilerplate")

    # a rubric line above the headline ("Новости", "Politics") is not content
    while len(body) > 1 and len(body[0].text.split()) < 3 and body[0].text[-1] not in _TERMINAL:
        body = body[1:]

    # title
    title = ""
    if _is_headline(body[0]) and not _dateline(body[0].text, gazetteer):
        title = body[0].text
        body = body[1:]
    title_key = normalize(title)
    texts = [p.text for p in body if not title or normalize(p.text) != title_key]

    # dateline in one of the first paragraphs
    dateline: _Dateline | None = None
    for i, para_text in enumerate(texts[:2]):
        dateline = _dateline(para_text, gazetteer)
        if dateline is not None:
            texts[i] = dateline.body
            break
    texts = [t for t in texts if t]
    if not title:
        first = split_sentences(texts[0]) if texts else []
        title = _short_title(first[0]) if first else ""
    if not texts:
        raise IngestError("too_short", "no text besides the title")

    # dates
    body_text = "\n".join(texts)
    body_dates = extract_dates(body_text)
    event_date, how = _choose_date(dateline.date if dateline else None, published, body_dates)
    all_dates = [*meta_dates]
    if dateline and dateline.date:
        all_dates.append(dateline.date)
    all_dates += extract_dates(title) + body_dates
    isos = list(dict.fromkeys(d.iso for d in all_dates))
    note = "dates in text: " + ", ".join(isos) if isos else "no date in text"
    if how:
        note += f"; {how}"

    # places
    full = "\n".join([title, *(([dateline.place_text]) if dateline else []), *texts])
    found_places = gazetteer.find(full)
    online = bool(_ONLINE_RE.search(normalize(body_text)))
    places: list[str] = []
    if dateline:
        places = [p.id for p in gazetteer.find(dateline.place_text)][:1]
    elif not online:
        places = [p.id for p in found_places if p.kind == "city"][:1]
    mentioned = [p.id for p in found_places if p.id not in places]
    countries = list(
        dict.fromkeys(
            p.country
            for pid in [*places, *mentioned]
            if (p := gazetteer.by_id.get(pid)) is not None and p.country
        )
    )

    # credit
    credit = ""
    if dateline and dateline.agency:
        credit = dateline.agency
    else:
        m = _CREDIT_RE.search(body_text)
        if m:
            credit = m["who"]

    norm_full = normalize(full)
    passages = [Passage(f"p{i:02d}", {lang: p}) for i, p in enumerate(_passages(texts), start=1)]
    name = _source_name(source)
    stem = PurePath(name).stem if "://" not in name else name
    return Document(
        id="ingest-" + (_slug(stem) or "document"),
        source=name,
        source_lang=lang,
        kind=_kind(norm_full, full),
        title={lang: title},
        event_kind=_event_kind(norm_full, normalize(title)),
        date=event_date.iso if event_date else None,
        date_precision=event_date.precision if event_date else None,
        date_note=note,
        online=online,
        places=places,
        mentioned_places=mentioned,
        countries=countries,
        credit={lang: credit} if credit else {},
        people=_people([title, *texts], lang, gazetteer),
        passages=passages,
        origin="ingest",
    )
