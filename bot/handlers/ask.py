"""Free text is a question: answer it from the knowledge base, with the source.

The passage is shown in the question's language where it exists there (a question in
English about a trilingual document gets its English text); everything the bot says
itself (labels, notes, buttons, refusals) stays in the user's chosen language, whatever
the script of the message. Results are paged by re-running the stored question; the bot abstains
when the sources do not cover the question, and stores it for moderators.
"""

from __future__ import annotations

import asyncio

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.cards import render_answer
from bot.handlers.render import answer_stale, show
from bot.kb.search import Hit, KnowledgeBase, SearchResult
from bot.keyboards.answers import answer_keyboard
from bot.keyboards.callbacks import ResultCB, VoteCB
from bot.keyboards.common import main_menu
from bot.metrics import Metrics
from bot.storage.questions import QuestionRepo
from bot.storage.users import UserRecord

MAX_QUESTION = 500  # characters searched; longer messages are cut (Telegram allows 4096)
RESULTS = 5


async def run_search(kb: KnowledgeBase, text: str, default_lang: str) -> SearchResult:
    """Search off the event loop: SQLite and stemming are CPU work."""
    return await asyncio.to_thread(
        kb.search, text[:MAX_QUESTION], None, limit=RESULTS, default_lang=default_lang
    )


def abstain_text(result: SearchResult) -> str:
    if result.missing_fact:
        return _(
            "My sources do not give this (fees, phone numbers, addresses and opening hours "
            "are often missing). Please check with the consulate or the organisers directly."
        )
    return _(
        "I could not find an answer to this in my sources, so I'd rather not guess. "
        "Try asking in other words, or browse the menu."
    )


async def on_question(
    message: Message,
    user: UserRecord,
    kb: KnowledgeBase,
    questions: QuestionRepo,
    i18n: I18n,
    metrics: Metrics,
) -> None:
    text = message.text or ""
    result = await run_search(kb, text, i18n.current_locale)
    best = result.best
    metrics.question(best is not None)
    qid = await questions.add(
        user.id, text, result.lang, best is not None, best.passage_id if best else None
    )
    if best is None:
        await message.answer(abstain_text(result), reply_markup=main_menu())
        return
    total = len(result.hits)
    await message.answer(
        render_answer(kb, best, result.lang, index=0, total=total, answer=result.answer),
        reply_markup=answer_keyboard(qid, 0, total),
    )


async def _stored_result(
    query: CallbackQuery, kb: KnowledgeBase, questions: QuestionRepo, question_id: int, n: int
) -> tuple[SearchResult, Hit] | None:
    """Re-run the asker's own stored question and pick result `n`; answer the button
    politely when that is not possible (someone else's question, or no such result)."""
    record = await questions.get(question_id)
    if record is None or record.user_id != query.from_user.id or not record.answered:
        await answer_stale(query)
        return None
    result = await asyncio.to_thread(kb.search, record.text, record.lang, limit=RESULTS)
    if not 0 <= n < len(result.hits):
        await query.answer(_("There are no more results."), show_alert=True)
        return None
    return result, result.hits[n]


async def on_result_page(
    query: CallbackQuery,
    callback_data: ResultCB,
    kb: KnowledgeBase,
    questions: QuestionRepo,
) -> None:
    found = await _stored_result(query, kb, questions, callback_data.q, callback_data.n)
    if found is None:
        return
    result, hit = found
    total = len(result.hits)
    await query.answer()
    card = render_answer(
        kb, hit, result.lang, index=callback_data.n, total=total, answer=result.answer
    )
    await show(query, card, answer_keyboard(callback_data.q, callback_data.n, total))


async def on_vote(
    query: CallbackQuery,
    callback_data: VoteCB,
    kb: KnowledgeBase,
    questions: QuestionRepo,
) -> None:
    found = await _stored_result(query, kb, questions, callback_data.q, callback_data.n)
    if found is None:
        return
    result, hit = found
    total = len(result.hits)
    await questions.vote(callback_data.q, hit.passage_id, 1 if callback_data.up else -1)
    await query.answer(_("Thank you for the feedback!"))
    card = render_answer(
        kb, hit, result.lang, index=callback_data.n, total=total, answer=result.answer
    )
    keyboard = answer_keyboard(callback_data.q, callback_data.n, total, voted=callback_data.up)
    await show(query, card, keyboard)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_question, F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_result_page, ResultCB.filter())
    router.callback_query.register(on_vote, VoteCB.filter())
    return router
