"""History: the topic tree from data/topics.toml, topic cards, "ask about this"."""

from __future__ import annotations

import asyncio

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.cards import render_answer, texts_in, topic_card
from bot.commands import command
from bot.handlers.ask import RESULTS
from bot.handlers.render import answer_stale, show
from bot.kb.search import KnowledgeBase
from bot.keyboards.answers import answer_keyboard
from bot.keyboards.browse import topic_keyboard, topic_list
from bot.keyboards.callbacks import AskTopicCB, MenuCB, Section, TopicCB
from bot.storage.questions import QuestionRepo
from bot.storage.users import UserRecord

ROOT = "root"


def roots_screen(kb: KnowledgeBase, lang: str, page: int = 0) -> tuple[str, InlineKeyboardMarkup]:
    roots = kb.catalog.children(None)
    items = [(t.id, texts_in(t.title, lang)) for t in roots]
    text = (
        "📜 <b>"
        + _("History")
        + "</b>\n\n"
        + _("The shared history of Russia and Kazakhstan, as told by the sources. Choose a topic.")
    )
    return text, topic_list(items, page, "")


async def cmd_history(message: Message, kb: KnowledgeBase, i18n: I18n) -> None:
    text, markup = roots_screen(kb, i18n.current_locale)
    await message.answer(text, reply_markup=markup)


async def on_history_menu(query: CallbackQuery, kb: KnowledgeBase, i18n: I18n) -> None:
    await query.answer()
    text, markup = roots_screen(kb, i18n.current_locale)
    await show(query, text, markup)


async def on_topic(
    query: CallbackQuery, callback_data: TopicCB, kb: KnowledgeBase, i18n: I18n
) -> None:
    lang = i18n.current_locale
    catalog = kb.catalog
    if callback_data.id == ROOT:
        await query.answer()
        text, markup = roots_screen(kb, lang, max(0, callback_data.page))
        await show(query, text, markup)
        return
    topic = catalog.topics.get(callback_data.id)
    if topic is None:
        await answer_stale(query)
        return
    await query.answer()
    children = [(t.id, texts_in(t.title, lang)) for t in catalog.children(topic.id)]
    events = [
        (catalog.doc_key(d.id), texts_in(d.title, lang)) for d in catalog.related_events(topic)
    ]
    await show(
        query,
        topic_card(kb, topic.id, lang),
        topic_keyboard(topic.id, children, events, topic.parent, max(0, callback_data.page)),
    )


async def on_ask_topic(
    query: CallbackQuery,
    callback_data: AskTopicCB,
    kb: KnowledgeBase,
    questions: QuestionRepo,
    user: UserRecord,
    i18n: I18n,
) -> None:
    """Answer the topic's title as a question: the passages that tell most about it."""
    lang = i18n.current_locale
    topic = kb.catalog.topics.get(callback_data.id)
    if topic is None or query.message is None:
        await answer_stale(query)
        return
    await query.answer()
    question = texts_in(topic.title, lang)
    result = await asyncio.to_thread(kb.search, question, lang, limit=RESULTS)
    best = result.best or (result.hits[0] if result.hits else None)
    qid = await questions.add(
        user.id, question, lang, best is not None, best.passage_id if best else None
    )
    if best is None or query.bot is None:
        await query.answer(_("There are no more results."), show_alert=True)
        return
    total = len(result.hits)
    await query.bot.send_message(
        query.from_user.id,
        render_answer(kb, best, lang, index=0, total=total),
        reply_markup=answer_keyboard(qid, 0, total),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_history, command("history"))
    router.callback_query.register(on_history_menu, MenuCB.filter(F.section == Section.history))
    router.callback_query.register(on_topic, TopicCB.filter())
    router.callback_query.register(on_ask_topic, AskTopicCB.filter())
    return router
