"""What a moderator reads about a file they sent: why it was refused, what was
extracted from it, and the question for a publisher and link it does not give."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from bot.cards import source_name
from bot.formatting import format_kb_date
from bot.i18n import language_name
from bot.kb.ingest import MIN_LETTERS
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Document

MAX_PEOPLE = 15
MAX_PLACES = 10


def refusal(reason: str) -> str:
    """Why a file was not added (an `IngestError.reason`, or our own checks)."""
    reasons = {
        "extension": _("Only .txt and .md files can be added to the knowledge base."),
        "too_large": _("The file is too large: at most 1 MB."),
        "empty": _("The file is empty."),
        "too_short": _(
            "The text is too short for a news report: at least {count} letters are needed."
        ).format(count=MIN_LETTERS),
        "binary": _("This is not a text file: it contains binary data."),
        "not_text": _("The file has too few letters to be an article."),
        "encoding": _(
            "I cannot read the text: save it as UTF-8 (or Windows-1251) and send it again."
        ),
        "download": _("I could not download the file. Please send it again."),
    }
    text = reasons.get(reason, _("The file could not be read."))
    return "⚠️ " + escape(text) + "\n" + escape(_("Nothing was added to the knowledge base."))


def ingest_report(kb: KnowledgeBase, doc: Document, lang: str, *, replaced: bool) -> str:
    """What was extracted from the file, with translated labels; every value escaped."""
    src = doc.source_lang
    head = (
        _("Updated in the knowledge base (it replaces the earlier file with this name).")
        if replaced
        else _("Added to the knowledge base.")
    )
    title = doc.title.get(src) or next(iter(doc.title.values()), doc.id)
    when = format_kb_date(doc.date, doc.date_precision, lang) or _("not found")
    places = [kb.gazetteer.name(pid, lang) for pid in doc.places]
    if doc.online:
        places.append(_("online"))
    lines = [
        "✅ <b>" + escape(head) + "</b>",
        "",
        "📄 " + escape(_("Title: {title}").format(title=title)),
        "🌐 " + escape(_("Language: {language}").format(language=language_name(src))),
        "🗓 " + escape(_("Date: {date}").format(date=when)),
        "📍 " + escape(_("Place: {place}").format(place=", ".join(places) or _("not found"))),
    ]
    if doc.mentioned_places:
        mentioned = [kb.gazetteer.name(pid, lang) for pid in doc.mentioned_places[:MAX_PLACES]]
        more = len(doc.mentioned_places) - MAX_PLACES
        if more > 0:
            mentioned.append(_("and {count} more").format(count=more))
        lines.append(
            "🗺 " + escape(_("Also mentioned: {places}").format(places=", ".join(mentioned)))
        )
    if doc.people:
        lines += ["", "👤 <b>" + escape(_("People")) + "</b>"]
        for person in doc.people[:MAX_PEOPLE]:
            name = person.name.get(src) or next(iter(person.name.values()), person.id)
            role = person.role.get(src) or next(iter(person.role.values()), "")
            lines.append("• " + escape(name) + (" — " + escape(role) if role else ""))
        more = len(doc.people) - MAX_PEOPLE
        if more > 0:
            lines.append("• " + escape(_("and {count} more").format(count=more)))
    else:
        lines.append("👤 " + escape(_("People: {people}").format(people=_("not found"))))
    count = len(doc.passages)
    lines += [
        "",
        "🧩 "
        + escape(
            _(
                "{count} passage can now be found by questions.",
                "{count} passages can now be found by questions.",
                count,
            ).format(count=count)
        ),
        "🔗 "
        + escape(_("Source: {source}")).format(
            source=source_name(doc, lang) or escape(_("not found"))
        ),
        "📎 " + escape(_("File: {name}").format(name=doc.source)),
    ]
    return "\n".join(lines)


def source_question(doc: Document) -> str:
    """Ask for the publisher and the link the file does not give (HTML)."""
    found = _("not found")
    return "\n".join(
        [
            "📰 <b>" + escape(_("Who published this article?")) + "</b>",
            escape(
                _(
                    "Send the publisher's name and a link to the original, for example: "
                    "Kazakhstan Today https://www.kt.kz/… Users see them as the source of "
                    "the answers."
                )
            ),
            "",
            escape(_("Publisher: {publisher}").format(publisher=doc.publisher or found)),
            escape(_("Link: {link}").format(link=doc.url or found)),
        ]
    )
