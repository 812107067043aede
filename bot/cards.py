"""The answer card: the passage that answers (matched words in bold), the document's
title, date and place, and its source. HTML; every piece of KB text is escaped.
"""

from __future__ import annotations

import re
from html import escape

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.formatting import format_kb_date
from bot.kb.answer import DirectAnswer, lead_lines
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


def source_name(doc: Document, lang: str) -> str | None:
    """Who published a document, as people know it ("Kazakhstan Today, 11 September
    2025", a link on the name when the source gives one), as escaped HTML; never the
    internal file name. None when the source names nobody and gives no date."""
    if doc.origin == "moderator":  # its source names the moderator: show no account id
        return escape(_("added by the bot's moderators"))
    publisher = doc.publisher or texts_in(doc.credit, lang) or None
    name = escape(publisher) if publisher else None
    if doc.url and doc.url.startswith(("http://", "https://")):
        label = name or escape(_("link"))
        name = f'<a href="{escape(doc.url, quote=True)}">{label}</a>'
    if name is None:  # a bare date would read as the source's name
        return None
    published = None
    if doc.published:
        precision = "month-day" if doc.published.startswith("--") else None
        published = format_kb_date(doc.published, precision, lang)
    return f"{name}, {escape(published)}" if published else name


def source_line(doc: Document, lang: str) -> str | None:
    """ "Source: Kazakhstan Today, 11 September 2025" (HTML), or None when unknown."""
    name = source_name(doc, lang)
    return escape(_("Source: {source}")).format(source=name) if name else None


def render_answer(
    kb: KnowledgeBase,
    hit: Hit,
    lang: str,
    *,
    index: int,
    total: int,
    answer: DirectAnswer | None = None,
) -> str:
    """The card for one search hit. The passage is shown in `lang` (the question's
    language) where it exists there, else in its own; the card's own words are in the
    current locale (the user's). For the first hit the direct answer leads (`answer`:
    the date asked for, then the sentence that answers)."""
    locale = get_i18n().current_locale
    doc = kb.about(hit.doc_id)
    shown = lang if lang in hit.texts else next(iter(hit.texts), lang)
    text = hit.texts.get(shown, "")
    lines = []
    if answer is not None and answer.passage_id == hit.passage_id:
        lines += [f"<b>{escape(line)}</b>" for line in lead_lines(answer, locale)]
        if answer.sentence in text:  # the rest of the passage is the context below
            text = " ".join(part.strip() for part in text.split(answer.sentence)).strip()
        if text:
            lines.append("")
    if text:
        lines.append(highlight(_trim(text), shown, hit.matched, kb))
    if shown != locale:
        lines.append("<i>" + escape(_language_note(shown)) + "</i>")
    if doc is not None:
        for person in doc.people:  # "who is ...?": say who, as the source puts it
            role = texts_in(person.role, locale)
            if entity_token(person.id) in hit.matched and role:
                name = texts_in(person.name, locale)
                lines.append(f"👤 <b>{escape(name)}</b> — {escape(role)}")
        title = texts_in(doc.title, shown) or doc.id
        date = document_date_text(doc, locale, note_missing_year=True)
        place = place_line(doc, kb, locale)
        lines.append("")
        lines.append("📄 <b>" + escape(title) + "</b>")
        if date:
            lines.append("🗓 " + escape(date))
        if place:  # its own line and icon: a calendar never stands before a place
            lines.append("📍 " + escape(place))
        source = source_line(doc, locale)
        if source:
            lines.append("🔗 " + source)
    if total > 1:
        lines.append(escape(_("Result {index} of {total}").format(index=index + 1, total=total)))
    return "\n".join(lines)


def _language_note(shown: str) -> str:
    """Says which language a passage is in when it is not the user's."""
    if shown == "ru":
        return _("This passage is in Russian.")
    if shown == "kk":
        return _("This passage is in Kazakh.")
    return _("This passage is in English.")


# -- browsing cards --------------------------------------------------------------------------


def event_kind_label(kind: str | None) -> str:
    labels = {
        "meeting": _("Meeting"),
        "conference": _("Conference"),
        "agreement": _("Agreement"),
        "reception": _("Consular reception"),
        "visit": _("Visit"),
    }
    return labels.get(kind or "", _("Event"))


def texts_in(texts: dict[str, str], lang: str) -> str:
    """A trilingual field in `lang`; ingested records may have only their own language."""
    return texts.get(lang) or next(iter(texts.values()), "")


def shown_date(doc: Document) -> tuple[str, str] | None:
    """A document's date exactly as precise as its source: (value, precision) as the KB
    stores dates. data/ may infer a year (its `date_note` says how, data/README.md);
    that year is kept only when the source's own date line gives it (003: published
    2025-09-11, dateline "10 September"), else the date is shown without it (004: the
    source says "07 may" and nothing more)."""
    if not doc.date:
        return None
    precision = doc.date_precision or "day"
    if doc.origin == "data" and doc.date_note and precision == "day" and doc.date[:4].isdigit():
        published = doc.published or ""
        if published[:4] != doc.date[:4]:
            return f"--{doc.date[5:10]}", "month-day"
    return doc.date, precision


def document_date_text(doc: Document, lang: str, *, note_missing_year: bool = False) -> str | None:
    """The formatted date of a document; with `note_missing_year`, "7 May (year not
    given)" so that a reader does not take the current year for it."""
    given = shown_date(doc)
    text = format_kb_date(given[0], given[1], lang) if given else None
    if text and note_missing_year and given and given[1] == "month-day":
        text += " (" + _("year not given") + ")"
    return text


def topic_card(kb: KnowledgeBase, topic_id: str, lang: str) -> str:
    catalog = kb.catalog
    topic = catalog.topics[topic_id]
    lines = [
        "<b>" + escape(texts_in(topic.title, lang)) + "</b>",
        "",
        escape(texts_in(topic.text, lang)),
    ]
    sources = catalog.topic_sources(topic)
    if sources:
        lines += ["", "<b>" + escape(_("Sources")) + "</b>"]
        for doc in sources:
            when = document_date_text(doc, lang, note_missing_year=True) or _("date not given")
            name = source_name(doc, lang)
            lines.append(
                f"• {escape(texts_in(doc.title, lang))} ({escape(when)})"
                + (f" — {name}" if name else "")
            )
    return "\n".join(lines)


def event_card(kb: KnowledgeBase, doc: Document, lang: str) -> str:
    when = document_date_text(doc, lang, note_missing_year=True) or _("date not given")
    lines = [f"<b>{escape(texts_in(doc.title, lang))}</b>", "🗓 " + escape(when)]
    place = place_line(doc, kb, lang)
    if place:  # its own line and icon: a calendar never stands before a place
        lines.append("📍 " + escape(place))
    lines.append("🏷 " + escape(event_kind_label(doc.event_kind)))
    if doc.people:
        lines += ["", "<b>" + escape(_("Participants")) + "</b>"]
        for person in doc.people:
            name = texts_in(person.name, lang)
            role = texts_in(person.role, lang)
            lines.append(f"• {escape(name)}" + (f" — {escape(role)}" if role else ""))
    summary = texts_in(doc.summary, lang)
    if not summary:  # the first passage instead (the catalog keeps none: ask the KB)
        whole = doc if doc.passages else kb.document(doc.id)
        if whole is not None and whole.passages:
            summary = texts_in(whole.passages[0].text, lang)
    if summary:
        lines += ["", escape(summary)]
    source = source_line(doc, lang)
    if source:
        lines += ["", "🔗 " + source]
    return "\n".join(lines)


def own_or_other(texts: dict[str, str], lang: str) -> tuple[str, str | None]:
    """A moderator's text in `lang` (language None), else the first one given in another
    language (ru, kk, en order) with that language; ("", None) when there is none."""
    own = texts.get(lang, "").strip()
    if own:
        return own, None
    for code in ("ru", "kk", "en"):
        text = texts.get(code, "").strip()
        if text:
            return text, code
    return "", None


def note_in(texts: dict[str, str], lang: str) -> str:
    """A note in `lang`; a note written in another language only (a moderator may write
    one in Russian alone) is shown marked with its language, never passed off as the
    reader's. Empty when there is no note."""
    text, other = own_or_other(texts, lang)
    if other is None:
        return text
    labels = {"ru": _("Note in Russian:"), "kk": _("Note in Kazakh:"), "en": _("Note in English:")}
    return f"{labels[other]} {text}"
