"""The answer card: the passage that answers (matched words in bold), the document's
title, date and place, and its source. HTML; every piece of KB text is escaped.
"""

from __future__ import annotations

import re
from html import escape

from aiogram.utils.i18n import gettext as _

from bot.formatting import format_kb_date
from bot.kb.build import entity_token
from bot.kb.search import Hit, KnowledgeBase
from bot.kb.sources import Document
from bot.kb.text import normalize, stem

MAX_PASSAGE = 1500
_WORD = re.compile(r"\w+(?:[-']\w+)*", re.UNICODE)


def highlight(text: str, lang: str, matched: set[str], kb: KnowledgeBase) -> str:
    """Escape `text` and bold the words that matched the question (by stem or by name)."""
    names = {t for t in matched if t.startswith("e")}
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        out.append(escape(text[last : match.start()]))
        token = normalize(word)
        hit = stem(token, lang) in matched
        if not hit and names and len(token) > 3:
            hit = any(entity_token(m.entity_id) in names for m in kb.entities.find(word))
        out.append(f"<b>{escape(word)}</b>" if hit else escape(word))
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _trim(text: str, limit: int = MAX_PASSAGE) -> str:
    if len(text) <= limit:
        return text
    return text[: text.rfind(" ", 0, limit)].rstrip(",;: ") + "…"


def place_line(doc: Document, kb: KnowledgeBase, lang: str) -> str | None:
    names = [kb.gazetteer.name(pid, lang) for pid in doc.places]
    if doc.online:
        names.append(_("online"))
    return ", ".join(names) if names else None


def source_line(doc: Document, lang: str) -> str:
    credit = doc.credit.get(lang)
    source = _("Source: {source}").format(source=doc.source)
    return f"{source} — {credit}" if credit else source


def render_answer(kb: KnowledgeBase, hit: Hit, lang: str, *, index: int, total: int) -> str:
    """The card for one search hit, in `lang` (the question's language)."""
    doc = kb.document(hit.doc_id)
    text = hit.texts.get(lang)
    lines = []
    if text is None:  # an ingested document exists only in its own language
        text = hit.text(lang)
        source_lang = next(iter(hit.texts), "")
        lines.append("<i>" + escape(_source_language_note(source_lang)) + "</i>")
    lines.insert(0, highlight(_trim(text), lang, hit.matched, kb))
    if doc is not None:
        for person in doc.people:  # "who is ...?": say who, as the source puts it
            role = person.role.get(lang)
            if entity_token(person.id) in hit.matched and role:
                name = person.name.get(lang) or next(iter(person.name.values()), "")
                lines.append(f"👤 <b>{escape(name)}</b> — {escape(role)}")
        title = doc.title.get(lang) or next(iter(doc.title.values()), doc.id)
        meta = [
            m
            for m in (format_kb_date(doc.date, doc.date_precision, lang), place_line(doc, kb, lang))
            if m
        ]
        lines.append("")
        lines.append("📄 <b>" + escape(title) + "</b>")
        if meta:
            lines.append("🗓 " + escape(" · ".join(meta)))
        lines.append("🔗 " + escape(source_line(doc, lang)))
    if total > 1:
        lines.append(escape(_("Result {index} of {total}").format(index=index + 1, total=total)))
    return "\n".join(lines)


def _source_language_note(source_lang: str) -> str:
    if source_lang == "ru":
        return _("This document is available only in Russian.")
    if source_lang == "kk":
        return _("This document is available only in Kazakh.")
    return _("This document is available only in English.")
