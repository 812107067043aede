"""From raw text or Markdown to clean paragraphs.

News pages copied from a site carry Markdown, HTML fragments, menus, share
buttons, tags and login forms; hard-wrapped text breaks sentences across
lines. Everything downstream (sentences, names, dates) assumes clean prose, so
this step strips markup, drops site furniture and rejoins broken paragraphs.
(Front matter, "Source:" lines and links are read before, in `provenance.py`.)
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from bot.kb.dates import extract_dates
from bot.kb.ingest.chars import LETTER_RE, word_set

__all__ = ["PHOTO_CREDIT_RE", "TERMINAL", "Para", "paragraphs"]


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
_MENU_WORDS = word_set("""
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
PHOTO_CREDIT_RE = re.compile(r"^(?:фото|photo|сурет|фотография)\s*[:：]", re.IGNORECASE)


def _is_boilerplate(line: str) -> bool:
    if _BOILERPLATE_PREFIX_RE.match(line):
        return True
    words = re.findall(r"[^\W\d_]+", line.casefold())
    if not words:
        return False
    return len(words) <= 6 and all(w in _MENU_WORDS for w in words)


@dataclass(slots=True)
class Para:
    """A cleaned paragraph; `heading` when it was a Markdown heading."""

    text: str
    heading: bool = False


TERMINAL = ".!?…:;"
_OPENING = "«\"“„'‘([—–-"


def paragraphs(text: str) -> list[Para]:
    """Cleaned paragraphs: one per line or block, broken sentences joined."""
    text = html.unescape(text) if "&" in text else text
    text = _ZERO_WIDTH_RE.sub("", unicodedata.normalize("NFC", text))
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
        if not LETTER_RE.search(line) and not extract_dates(line):
            blank = True  # only punctuation, numbers, symbols
            continue
        lines.append((line, heading, blank))
        blank = False
    # with blank lines between paragraphs, a line directly below another continues it
    # (hard-wrapped Markdown); without them (one paragraph per line) it does not
    blank_separated = any(blank_before for _, _, blank_before in lines[1:])
    paras: list[Para] = []
    last_line = ""
    for line, heading, blank_before in lines:
        if paras and not heading and not paras[-1].heading:
            prev = paras[-1].text
            open_end = prev[-1] not in TERMINAL + '»"”)'
            joins = (
                line[0].islower()
                or (len(prev) >= 100 and line[0] in _OPENING)
                or (blank_separated and not blank_before and len(last_line) >= 50)
            )
            if open_end and joins:
                paras[-1].text = f"{prev} {line}"
                last_line = line
                continue
        paras.append(Para(line, heading))
        last_line = line
    return paras
