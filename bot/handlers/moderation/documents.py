"""Moderators add news to the knowledge base by sending a .txt or .md file.

The file is checked (name, size) before it is downloaded, decoded, parsed into a
one-language document, stored in the database (`DocumentService`), and every instance's
KB is rebuilt. A file that cannot be used gets a reason and changes nothing. When the
file does not say who published it or where the original is, the bot asks (cards show
users the source, never the file name) in a one-step Scene: the moderator sends them,
or adds the document as it is.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from html import escape
from io import BytesIO

import aiohttp
from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.scene import ScenesManager, on
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.handlers.moderation.wizard import (
    Event,
    WizardScene,
    alert,
    not_a_command_or_file,
    send,
    wizard_router,
)
from bot.kb.ingest import IngestError, decode_upload, parse_news, split_source
from bot.kb.search import KnowledgeBase
from bot.kb.sources import (
    Document,
    document_from_dict,
    document_to_dict,
)
from bot.keyboards.builder import InlineKeyboard
from bot.keyboards.callbacks import UploadAction, UploadCB
from bot.services.documents import DocumentService
from bot.staff.documents import ingest_report, refusal, source_question
from bot.staff.drafts import UploadDraft

log = logging.getLogger(__name__)

MAX_UPLOAD = 1_000_000  # bytes: 1 MB
EXTENSIONS = (".txt", ".md")


def source_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboard()
    builder.button(text="➕ " + _("Add as it is"), callback_data=UploadCB(action=UploadAction.add))
    builder.button(text="✖️ " + _("Cancel"), callback_data=UploadCB(action=UploadAction.cancel))
    builder.adjust(1)
    return builder.as_markup()


async def on_document(message: Message, bot: Bot, kb: KnowledgeBase, documents: DocumentService,
                      i18n: I18n, state: FSMContext, scenes: ScenesManager) -> None:  # fmt: skip
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
    await scenes.close()  # a wizard in progress ends; a file sent meanwhile replaces this one
    await state.set_data({})
    if doc.publisher and doc.url:
        actor = message.from_user.id if message.from_user else 0
        await add_document(message, doc, actor, documents, kb, i18n)
        return
    await state.set_data(UploadDraft(document=document_to_dict(doc)).to_data())
    await scenes.enter(ConfirmSource)


def gone() -> str:
    return _("This upload is no longer waiting. Send the file again.")


class ConfirmSource(WizardScene, state="upload:source"):
    """The publisher and the link the file does not give, or the document as it is."""

    async def pending(self) -> Document | None:
        draft = UploadDraft.from_data(await self.wizard.get_data())
        return document_from_dict(draft.document) if draft.document else None

    async def cancelled(self, event: Event) -> None:
        await send(event, Text(_("Cancelled. Nothing was added to the knowledge base.")))

    @on.message.enter()
    async def ask(self, message: Message) -> None:
        doc = await self.pending()
        if doc is not None:
            await message.answer(source_question(doc), reply_markup=source_keyboard())

    @on.message(F.text, not_a_command_or_file)
    async def typed(self, message: Message, kb: KnowledgeBase, documents: DocumentService,
                    i18n: I18n) -> None:  # fmt: skip
        doc = await self.pending()
        if doc is None:  # the state outlived its data: start again
            await self.wizard.exit()
            await message.answer(escape(gone()))
            return
        publisher, url = split_source(message.text or "")
        if publisher is None and url is None:
            await message.answer(
                escape(
                    _(
                        "I could not find a publisher's name or a link in that. Send them as "
                        "“Kazakhstan Today https://…”, or add the document as it is."
                    )
                ),
                reply_markup=source_keyboard(),
            )
            return
        await self.wizard.exit()
        doc = replace(doc, publisher=publisher or doc.publisher, url=url or doc.url)
        actor = message.from_user.id if message.from_user else 0
        await add_document(message, doc, actor, documents, kb, i18n)

    @on.callback_query(UploadCB.filter())
    async def pressed(self, query: CallbackQuery, callback_data: UploadCB, kb: KnowledgeBase,
                      documents: DocumentService, i18n: I18n,
                      callback_answer: CallbackAnswer) -> None:  # fmt: skip
        doc = await self.pending()
        if doc is None or not isinstance(query.message, Message):
            alert(callback_answer, gone())
            return
        await self.wizard.exit()
        await query.message.edit_reply_markup(reply_markup=None)
        if callback_data.action == UploadAction.cancel:
            await self.cancelled(query)
            return
        await add_document(query.message, doc, query.from_user.id, documents, kb, i18n)

    @on.message(not_a_command_or_file)
    async def unexpected(self, message: Message) -> None:
        """A sticker or a photo where the publisher and link are expected."""
        await message.answer(
            escape(_("Send the publisher's name and a link as text, or use the buttons.")),
            reply_markup=source_keyboard(),
        )


SCENES = (ConfirmSource,)


async def add_document(
    message: Message,
    doc: Document,
    actor: int,
    documents: DocumentService,
    kb: KnowledgeBase,
    i18n: I18n,
) -> None:
    """Add `doc` to the KB (recorded in the audit log) and report what was extracted."""
    try:
        replaced = await documents.ingest(actor, doc)
    except Exception:
        log.exception("adding %r to the knowledge base failed", doc.source)
        await message.answer(
            "⚠️ " + escape(_("The knowledge base could not be rebuilt, so nothing was added."))
        )
        return
    await message.answer(ingest_report(kb, doc, i18n.current_locale, replaced=replaced))


def create_router() -> Router:
    router = wizard_router(__name__, SCENES, UploadCB.filter(), gone)
    router.message.register(on_document, F.document)
    return router
