"""Formatting (``parse_mode``) parsing: plain text plus ``MessageEntity`` dicts.

The fake validates markup like Telegram so a bot that sends broken HTML (an
unclosed ``<b>``, an unsupported ``<br>``, an unescaped ``.`` in MarkdownV2) gets
the same ``400 can't parse entities`` in development instead of in production.
Offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request

Entity = dict[str, Any]

_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR = re.compile(r"""\s*([A-Za-z_:-][A-Za-z0-9_:.-]*)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (how Telegram counts entity offsets)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def parse(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Apply ``parse_mode`` to ``text``; returns plain text and entities."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise bad_request(f'unsupported parse_mode "{parse_mode}"')


@dataclass(slots=True)
class _Open:
    tag: str
    start: int
    src_index: int
    entity: Entity | None
    attrs: dict[str, str] = field(default_factory=dict)


def _decode_entities(text: str) -> str:
    if "&" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "&":
            decoded, i = _html_entity(text, i)
            out.append(decoded)
        else:
            j = text.find("&", i)
            j = len(text) if j < 0 else j
            out.append(text[i:j])
            i = j
    return "".join(out)


def _html_entity(src: str, i: int) -> tuple[str, int]:
    """Decode ``&...;`` at ``src[i]``; unknown forms stay literal like in Telegram."""
    semi = src.find(";", i + 1, i + 12)
    if semi < 0:
        return "&", i + 1
    name = src[i + 1 : semi]
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], semi + 1
    if name.startswith("#"):
        try:
            code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
            return chr(code), semi + 1
        except (ValueError, OverflowError):
            return "&", i + 1
    return "&", i + 1


def _parse_attrs(body: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    pos = 0
    while pos < len(body):
        match = _ATTR.match(body, pos)
        if not match or match.end() == pos:
            break
        value = match.group(2) or ""
        if value[:1] in ('"', "'"):
            value = value[1:-1]
        attrs[match.group(1).lower()] = _decode_entities(value)
        pos = match.end()
    return attrs


def parse_html(src: str) -> tuple[str, list[Entity]]:
    """Telegram's HTML subset: supported tags only, properly nested, closed."""
    out: list[str] = []
    pos16 = 0
    stack: list[_Open] = []
    entities: list[Entity] = []
    i = 0
    n = len(src)
    while i < n:
        ch = src[i]
        if ch == "<":
            end = src.find(">", i)
            if end < 0:
                raise _error(f"Unclosed start tag at byte offset {_byte_offset(src, i)}")
            inner = src[i + 1 : end]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise _error(f"Unexpected end tag at byte offset {_byte_offset(src, i)}")
                top = stack.pop()
                if top.tag != name:
                    raise _error(
                        f"Unmatched end tag at byte offset {_byte_offset(src, i)}, "
                        f'expected "</{top.tag}>", found "</{name}>"'
                    )
                if top.entity is not None and pos16 > top.start:
                    top.entity["offset"] = top.start
                    top.entity["length"] = pos16 - top.start
                    entities.append(top.entity)
            else:
                stack.append(_open_tag(src, i, inner, pos16, stack))
            i = end + 1
        elif ch == "&":
            decoded, i = _html_entity(src, i)
            out.append(decoded)
            pos16 += utf16_len(decoded)
        else:
            j = i
            while j < n and src[j] not in "<&":
                j += 1
            chunk = src[i:j]
            out.append(chunk)
            pos16 += utf16_len(chunk)
            i = j
    if stack:
        raise _error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _open_tag(src: str, i: int, inner: str, pos16: int, stack: list[_Open]) -> _Open:
    match = _TAG_NAME.match(inner)
    name = match.group(0).lower() if match else ""
    kind = _HTML_ENTITY_TYPES.get(name)
    if kind is None:
        raise _error(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, i)}')
    attrs = _parse_attrs(inner[len(name) :].rstrip("/"))
    entity: Entity | None = {"type": kind}
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _error('Tag "span" must have class "tg-spoiler"')
    if name == "a":
        href = attrs.get("href")
        entity = {"type": "text_link", "url": href} if href else None
    elif name == "tg-emoji":
        emoji_id = attrs.get("emoji-id")
        if not emoji_id:
            raise _error('Tag "tg-emoji" must have attribute "emoji-id"')
        entity = {"type": "custom_emoji", "custom_emoji_id": emoji_id}
    elif name == "blockquote" and "expandable" in attrs:
        entity = {"type": "expandable_blockquote"}
    elif name == "code" and stack and stack[-1].tag == "pre" and stack[-1].entity is not None:
        language = attrs.get("class", "")
        if language.startswith("language-") and len(language) > len("language-"):
            stack[-1].entity["language"] = language[len("language-") :]
        entity = None
    return _Open(tag=name, start=pos16, src_index=i, entity=entity, attrs=attrs)


_MDV2_KINDS = {
    "*": ("bold", "Bold"),
    "_": ("italic", "Italic"),
    "__": ("underline", "Underline"),
    "~": ("strikethrough", "Strikethrough"),
    "||": ("spoiler", "Spoiler"),
}


class _MarkdownBuilder:
    """Output text and entities while scanning markdown."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.out: list[str] = []
        self.pos16 = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        self.out.append(text)
        self.pos16 += utf16_len(text)

    def entity(self, start: int, entity: Entity) -> None:
        if self.pos16 > start:
            entity["offset"] = start
            entity["length"] = self.pos16 - start
            self.entities.append(entity)

    def result(self) -> tuple[str, list[Entity]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities


def _find_unescaped(src: str, needle: str, start: int) -> int:
    i = start
    while i < len(src):
        if src[i] == "\\":
            i += 2
            continue
        if src.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def parse_markdown_v2(src: str) -> tuple[str, list[Entity]]:
    """MarkdownV2: every reserved character outside markup must be escaped."""
    b = _MarkdownBuilder(src)
    stack: list[tuple[str, int, int]] = []  # (token, start16, src index)
    i = 0
    n = len(src)
    while i < n:
        ch = src[i]
        if ch == "\\":
            if i + 1 < n and 0 < ord(src[i + 1]) < 127:
                b.add(src[i + 1])
                i += 2
            else:
                b.add("\\")
                i += 1
            continue
        if ch == "`":
            i = _md_code(src, i, b, v2=True)
            continue
        token = "__" if src.startswith("__", i) else "||" if src.startswith("||", i) else ch
        if token == "__" and stack and stack[-1][0] == "_":
            token = "_"
        if token in _MDV2_KINDS:
            open_index = next(
                (k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == token), -1
            )
            if open_index >= 0:
                _, start, _ = stack.pop(open_index)
                b.entity(start, {"type": _MDV2_KINDS[token][0]})
            else:
                stack.append((token, b.pos16, i))
            i += len(token)
            continue
        if ch == "[" or (ch == "!" and src.startswith("[", i + 1)):
            # "![👍](tg://emoji?id=...)" is a custom emoji; treated like a link here.
            stack.append(("[", b.pos16, i))
            i += 1 if ch == "[" else 2
            continue
        if ch == "]" and stack and stack[-1][0] == "[" and src.startswith("(", i + 1):
            close = _find_unescaped(src, ")", i + 2)
            if close < 0:
                raise _error(f"Can't find end of a URL at byte offset {_byte_offset(src, i)}")
            _, start, _ = stack.pop()
            url = _unescape(src[i + 2 : close])
            if url.startswith("tg://emoji?id="):
                entity: Entity = {"type": "custom_emoji", "custom_emoji_id": url[14:]}
            else:
                entity = {"type": "text_link", "url": url}
            b.entity(start, entity)
            i = close + 1
            continue
        if ch == ">" and (i == 0 or src[i - 1] == "\n"):
            i += 1  # blockquote line marker: accepted, not turned into an entity
            continue
        if ch in _MDV2_RESERVED:
            raise _error(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        b.add(ch)
        i += 1
    if stack:
        token, _, index = stack[-1]
        name = "TextUrl" if token == "[" else _MDV2_KINDS[token][1]
        raise _error(f"Can't find end of {name} entity at byte offset {_byte_offset(src, index)}")
    return b.result()


def _md_code(src: str, i: int, b: _MarkdownBuilder, *, v2: bool) -> int:
    """Inline code or a pre block starting at ``src[i] == '`'``; returns next index."""
    if src.startswith("```", i):
        close = _find_unescaped(src, "```", i + 3) if v2 else src.find("```", i + 3)
        if close < 0:
            detail = "Pre entity" if v2 else "the entity starting"
            raise _error(f"Can't find end of {detail} at byte offset {_byte_offset(src, i)}")
        body = src[i + 3 : close]
        entity: Entity = {"type": "pre"}
        first, sep, rest = body.partition("\n")
        if sep and first and " " not in first:
            entity["language"] = first
            body = rest
        start = b.pos16
        b.add(_unescape(body) if v2 else body)
        b.entity(start, entity)
        return close + 3
    close = _find_unescaped(src, "`", i + 1) if v2 else src.find("`", i + 1)
    if close < 0:
        detail = "Code entity" if v2 else "the entity starting"
        raise _error(f"Can't find end of {detail} at byte offset {_byte_offset(src, i)}")
    start = b.pos16
    body = src[i + 1 : close]
    b.add(_unescape(body) if v2 else body)
    b.entity(start, {"type": "code"})
    return close + 1


def parse_markdown(src: str) -> tuple[str, list[Entity]]:
    """Legacy Markdown: ``*bold*``, ``_italic_``, code, pre and ``[text](url)``."""
    b = _MarkdownBuilder(src)
    i = 0
    n = len(src)
    while i < n:
        ch = src[i]
        if ch == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            b.add(src[i + 1])
            i += 2
        elif ch == "`":
            i = _md_code(src, i, b, v2=False)
        elif ch in "*_":
            close = src.find(ch, i + 1)
            if close < 0:
                raise _error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                )
            start = b.pos16
            b.add(src[i + 1 : close])
            b.entity(start, {"type": "bold" if ch == "*" else "italic"})
            i = close + 1
        elif ch == "[":
            match = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(src, i)
            if not match:
                raise _error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                )
            start = b.pos16
            b.add(match.group(1))
            b.entity(start, {"type": "text_link", "url": match.group(2)})
            i = match.end()
        else:
            b.add(ch)
            i += 1
    return b.result()
