"""/gaps: what users asked that the sources could not answer, most frequent first,
so moderators know which documents to add."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.commands import command
from bot.formatting import split_text
from bot.storage.questions import QuestionRepo

LIMIT = 20
MAX_SHOWN = 300  # characters of a question shown


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1].rstrip() + "…"


def gaps_text(rows: list[tuple[str, str, int]]) -> str:
    if not rows:
        return "✅ " + escape(
            _("No unanswered questions so far: the sources covered everything users asked.")
        )
    lines = [
        "❓ <b>" + escape(_("Questions the bot could not answer")) + "</b>",
        escape(_("Most frequent first. Add documents that answer them to fill the gaps.")),
        "",
    ]
    for number, (text, lang, count) in enumerate(rows, start=1):
        times = _("asked {count} time", "asked {count} times", count).format(count=count)
        lines.append(
            f"{number}. {escape(_clip(text))}\n    <i>{escape(times)} · {escape(lang)}</i>"
        )
    return "\n".join(lines)


async def cmd_gaps(message: Message, questions: QuestionRepo) -> None:
    rows = await questions.unanswered(limit=LIMIT)
    for part in split_text(gaps_text(rows)):
        await message.answer(part)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_gaps, command("gaps"))
    return router
