"""Moderators add news to the knowledge base by sending a .txt or .md file.

The file is checked (name, size) before it is downloaded, decoded, parsed into a
one-language document, kept in `data/ingested/`, and the KB is rebuilt and reloaded.
A file that cannot be used gets a reason and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape
from io import BytesIO
from pathlib import Path

import aiohttp
from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.formatting import format_kb_date
from bot.kb.build import build_kb
from bot.kb.ingest import MIN_LETTERS, IngestError, decode_upload, parse_news
from bot.kb.search import KnowledgeBase
from bot.kb.sources import INGESTED, Document, save_ingested
from bot.storage.roles import AuditRepo

log = logging.getLogger(__name__)

MAX_UPLOAD = 1_000_000  # bytes: 1 MB
EXTENSIONS = (".txt", ".md")
MAX_PEOPLE = 15
MAX_PLACES = 10


def _save_and_build(doc: Document, data_dir: Path, kb_path: Path, embedder: str) -> bool:
    """Keep `doc` in data/ingested/ and rebuild the KB file; True when it replaced a file.

    When the build fails the previous file (or none) is put back, so data/ is as before;
    the KB file is untouched because the build only renames a complete file into place.
    """
    path = data_dir / INGESTED / f"{doc.id}.json"
    previous = path.read_bytes() if path.exists() else None
    save_ingested(doc, data_dir)
    try:
        build_kb(kb_path, data_dir, embedder)
    except BaseException:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(previous)
        raise
    return previous is not None


def _add(doc: Document, settings: Settings, kb: KnowledgeBase) -> bool:
    # One rebuild at a time: the build's temp file is named after the process.
    with kb.build_lock:
        replaced = _save_and_build(doc, settings.data_dir, settings.kb_path, settings.embedder)
        kb.reload()
    return replaced


async def add_to_kb(doc: Document, settings: Settings, kb: KnowledgeBase) -> bool:
    """Save `doc`, rebuild the KB in a thread and reload it; True when it replaced one."""
    return await asyncio.to_thread(_add, doc, settings, kb)


def language_name(code: str) -> str:
    names = {"ru": _("Russian"), "kk": _("Kazakh"), "en": _("English")}
    return names.get(code, code)


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
        "🔗 " + escape(_("Source: {source}").format(source=doc.source)),
    ]
    return "\n".join(lines)


async def on_document(
    message: Message,
    bot: Bot,
    kb: KnowledgeBase,
    settings: Settings,
    audit: AuditRepo,
    i18n: I18n,
) -> None:
    document = message.document
    assert document is not None  # the filter guarantees it
    name = document.file_name or ""
    if not name.lower().endswith(EXTENSIONS):
        await message.answer(refusal("extension"))
        return
    if document.file_size is not None and document.file_size > MAX_UPLOAD:
        await message.answer(refusal("too_large"))
        return
    buffer = BytesIO()
    try:
        await bot.download(document, destination=buffer)
    except (TelegramAPIError, aiohttp.ClientError, TimeoutError, OSError):
        log.warning("could not download %r", name, exc_info=True)
        await message.answer(refusal("download"))
        return
    try:
        text = decode_upload(buffer.getvalue(), max_bytes=MAX_UPLOAD)
        doc = await asyncio.to_thread(parse_news, text, source=name, gazetteer=kb.gazetteer)
    except IngestError as exc:
        log.info("document %r refused: %s", name, exc)
        await message.answer(refusal(exc.reason))
        return
    try:
        replaced = await add_to_kb(doc, settings, kb)
    except Exception:
        log.exception("adding %r to the knowledge base failed", name)
        await message.answer(
            "⚠️ " + escape(_("The knowledge base could not be rebuilt, so nothing was added."))
        )
        return
    actor = message.from_user.id if message.from_user else 0
    await audit.record(
        actor,
        "document.ingest",
        id=doc.id,
        source=doc.source,
        lang=doc.source_lang,
        passages=len(doc.passages),
        replaced=replaced,
    )
    await message.answer(ingest_report(kb, doc, i18n.current_locale, replaced=replaced))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_document, F.document)
    return router
