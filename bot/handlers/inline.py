"""Inline mode: `@bot question` offers answer cards to share in any chat."""

from __future__ import annotations

import hashlib

from aiogram import Router
from aiogram.types import (
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InlineQueryResultUnion,
    InputTextMessageContent,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.cards import render_answer
from bot.handlers.ask import run_search
from bot.kb.search import KnowledgeBase

SNIPPET = 120


async def on_inline_query(query: InlineQuery, kb: KnowledgeBase, i18n: I18n) -> None:
    text = query.query.strip()
    if len(text) < 3:
        await query.answer(
            [],
            cache_time=300,
            button=InlineQueryResultsButton(
                text=_("Type a question about Russia and Kazakhstan"), start_parameter="inline"
            ),
        )
        return
    result = await run_search(kb, text, i18n.current_locale)
    if not result.answered:
        await query.answer(
            [],
            cache_time=60,
            button=InlineQueryResultsButton(
                text=_("Nothing found in the sources. Open the bot"), start_parameter="inline"
            ),
        )
        return
    articles: list[InlineQueryResultUnion] = []
    with i18n.use_locale(result.lang):
        for index, hit in enumerate(result.hits):
            if hit.coverage < result.hits[0].coverage * 0.6:
                break
            doc = kb.about(hit.doc_id)
            title = (doc.title.get(result.lang) if doc else None) or hit.doc_id
            snippet = hit.text(result.lang)
            digest = hashlib.blake2s(f"{hit.passage_id}:{result.lang}".encode(), digest_size=8)
            articles.append(
                InlineQueryResultArticle(
                    id=digest.hexdigest(),
                    title=title[:100],
                    description=snippet[:SNIPPET],
                    input_message_content=InputTextMessageContent(
                        message_text=render_answer(
                            kb,
                            hit,
                            result.lang,
                            index=index,
                            total=1,
                            answer=result.answer if index == 0 else None,
                        ),
                        parse_mode="HTML",
                    ),
                )
            )
    await query.answer(articles, cache_time=60)


def create_router() -> Router:
    router = Router(name=__name__)
    router.inline_query.register(on_inline_query)
    return router
