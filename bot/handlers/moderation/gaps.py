"""/gaps: what users asked that the sources could not answer, most frequent first,
so moderators know which documents to add."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.formatting import split_text
from bot.storage.questions import QuestionRepo

LIMIT = 20
#: Rows read before merging: SQLite's lower() folds only ASCII, so "Какая погода" and
#: "какая погода" come back as two rows and are merged here.
READ = 200
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


def merge(rows: list[tuple[str, str, int]], limit: int = LIMIT) -> list[tuple[str, str, int]]:
    """Merge questions that differ only in letter case or spacing; most frequent first
    (ties keep the repository's order: the most recently asked first)."""
    merged: dict[tuple[str, str], list[Any]] = {}
    for text, lang, count in rows:
        key = (" ".join(text.casefold().split()), lang)
        if key in merged:
            merged[key][2] += count
        else:
            merged[key] = [text, lang, count]
    ordered = sorted(merged.values(), key=lambda row: -row[2])
    return [(str(t), str(lang), int(n)) for t, lang, n in ordered[:limit]]


async def cmd_gaps(message: Message, questions: QuestionRepo) -> None:
    rows = merge(await questions.unanswered(limit=READ))
    for part in split_text(gaps_text(rows)):
        await message.answer(part)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_gaps, Command("gaps"))
    return router
