"""Where an article comes from: its publisher and a link, read before cleaning.

Users trust an answer they can trace ("Kazakhstan Today, 11 September 2025"),
so the publisher and the link are kept whenever the file gives them, and left
out when it does not. They are read from the raw text because cleaning drops
links and URLs. In order of trust:

1. YAML-like front matter (``---`` / ``title:`` ``publisher:`` or ``source:``,
   ``url:`` or ``link:``, ``date:`` / ``---``);
2. a "Source: ..." line ("Источник: ...", "Дереккөз: ...") or a line that is
   only a URL, among the first or last few lines;
3. the agency the text itself credits (see `publisher_from_credit`): the
   dateline agency ("KAZAKHSTAN TODAY -") or the outlet a report is relayed
   from ("передает Kazpravda.kz").

Front matter ``title`` and ``date`` become a heading and a date line, which the
later steps read like any other headline and publication date line.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Provenance", "publisher_from_credit", "read_provenance", "split_source"]

_EDGE_LINES = 5  # a source line or URL line is looked for this far from the top and the bottom
_MAX_PUBLISHER = 100

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(?P<body>.*?\n)---[ \t]*\n", re.DOTALL)
_FRONT_KEY_RE = re.compile(r"^(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.+?)\s*$", re.MULTILINE)
_FRONT_KEYS = {
    "title": "title",
    "date": "date",
    "published": "date",
    "publisher": "publisher",
    "source": "publisher",
    "url": "url",
    "link": "url",
}
_URL_RE = re.compile(r"https?://[^\s<>()\[\]«»\"']+")
_URL_TRAIL = ".,;:!?'\"»)”"
_MD_LINK_RE = re.compile(r"^\[(?P<text>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)$")
_MARKS = "*_> \t"
_SOURCE_LINE_RE = re.compile(
    rf"^[{_MARKS}]*(?P<key>source|sources|publisher|источник|источники|издатель|дереккөз"
    rf"|дерек көзі)[*_ \t]*:[*_ \t]*(?P<value>.+?)[*_ \t]*$",
    re.IGNORECASE,
)
_URL_LINE_RE = re.compile(
    rf"^[{_MARKS}]*(?:(?:url|link|ссылка|сілтеме)[*_ \t]*:[*_ \t]*)?<?(?P<url>https?://\S+?)>?"
    rf"[*_ \t]*$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Provenance:
    """The text without its metadata lines, and what they said (None: not given)."""

    text: str
    publisher: str | None = None
    url: str | None = None


def read_provenance(text: str) -> Provenance:
    """Front matter, "Source:" lines and URL lines: taken out of `text` and read."""
    text = text.lstrip("\ufeff")
    front: dict[str, str] = {}
    m = _FRONT_MATTER_RE.match(text)
    if m:
        for k in _FRONT_KEY_RE.finditer(m["body"]):
            key = _FRONT_KEYS.get(k["key"].lower())
            value = _clean_value(k["value"])
            if key and value:
                front.setdefault(key, value)
        head = []
        if front.get("date"):
            head.append(f"date {front['date']}\n")
        if front.get("title"):
            head.append(f"# {front['title']}\n")
        text = "\n".join(head) + "\n" + text[m.end() :]
    publisher, url = split_source(front.get("publisher", ""))
    url = _url(front.get("url", "")) or url

    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    edges = [*filled[:_EDGE_LINES], *filled[-_EDGE_LINES:]]
    taken: set[int] = set()
    for i in dict.fromkeys(edges):
        line = lines[i]
        if (s := _SOURCE_LINE_RE.match(line)) is not None:
            name, link = split_source(s["value"])
            if name or link:
                publisher = publisher or name
                url = url or link
                taken.add(i)
        elif (u := _URL_LINE_RE.match(line)) is not None and (link := _url(u["url"])):
            url = url or link
            taken.add(i)
    if taken:
        text = "\n".join(line for i, line in enumerate(lines) if i not in taken)
    return Provenance(text, publisher, url)


def publisher_from_credit(agency: str, relayed_from: str) -> str | None:
    """The publisher when the file names none: the dateline agency, else the outlet
    the text says it relays ("передает Kazpravda.kz"), in a readable case."""
    name = agency or relayed_from
    return readable_name(name) if name else None


def readable_name(name: str) -> str:
    """ "KAZAKHSTAN TODAY" -> "Kazakhstan Today", "КАЗИНФОРМ" -> "Казинформ"; names
    with lower-case letters ("ҚазАқпарат", "Kazpravda.kz") and short acronyms
    ("ТАСС", "BBC") stay as written."""
    words = name.split()
    letters = [ch for ch in name if ch.isalpha()]
    if not letters or any(ch.islower() for ch in letters):
        return name
    if not any(len(w) >= 5 for w in words):
        return name  # an acronym
    out = []
    for i, word in enumerate(words):
        if len(word) <= 2 and i > 0:
            out.append(word.lower())  # "OF", "И"
        elif len(word) <= 3 and len(words) > 1:
            out.append(word)  # "RIA", "KZ"
        else:
            out.append(word.capitalize())
    return " ".join(out)


def _clean_value(value: str) -> str:
    value = value.strip().strip("'\"").strip()
    value = html.unescape(value) if "&" in value else value
    return unicodedata.normalize("NFC", value)


def _url(text: str) -> str | None:
    m = _URL_RE.search(text)
    return m.group().rstrip(_URL_TRAIL) if m else None


def split_source(value: str) -> tuple[str | None, str | None]:
    """A "Source:" value (or a moderator's reply when an upload asks for its source): a
    name, a URL, "Name, https://...", or "[Name](https://...)" -> (name, url)."""
    value = _clean_value(value)
    md = _MD_LINK_RE.match(value)
    if md:
        return _name(md["text"]), _url(md["url"])
    url = _url(value)
    name = _URL_RE.sub(" ", value) if url else value
    return _name(name), url


def _name(text: str) -> str | None:
    name = re.sub(r"\s+", " ", text).strip(" \t,;:–—-()[]<>*_")
    if not name or len(name) > _MAX_PUBLISHER or not any(ch.isalpha() for ch in name):
        return None
    return name
