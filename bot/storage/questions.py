"""Questions users asked (so moderators can see what the bot could not answer) and
their 👍/👎 feedback on answers. Deleted with the user (foreign keys cascade)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select

from bot.storage.base import Repo, upsert
from bot.storage.schema import feedback, questions
from bot.storage.users import utcnow

MAX_STORED = 1000  # characters of a question kept


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    id: int
    user_id: int
    text: str
    lang: str
    answered: bool
    passage_id: int | None


class QuestionRepo(Repo):
    async def add(
        self, user_id: int, text: str, lang: str, answered: bool, passage_id: int | None
    ) -> int:
        async with self._write() as conn:
            statement = (
                insert(questions)
                .values(
                    user_id=user_id,
                    text=text[:MAX_STORED],
                    lang=lang,
                    answered=answered,
                    passage_id=passage_id,
                    created_at=utcnow(),
                )
                .returning(questions.c.id)
            )
            return int((await conn.execute(statement)).scalar_one())

    async def get(self, question_id: int) -> QuestionRecord | None:
        columns = [questions.c[name] for name in ("id", "user_id", "text", "lang", "answered")]
        async with self._read() as conn:
            row = (
                await conn.execute(
                    select(*columns, questions.c.passage_id).where(questions.c.id == question_id)
                )
            ).first()
        if row is None:
            return None
        return QuestionRecord(
            row.id, row.user_id, row.text, row.lang, bool(row.answered), row.passage_id
        )

    async def vote(self, question_id: int, passage_id: int, vote: int) -> None:
        """One vote per (question, passage); voting again changes it."""
        async with self._write() as conn:
            statement = upsert(conn, feedback).values(
                question_id=question_id, passage_id=passage_id, vote=vote, created_at=utcnow()
            )
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[feedback.c.question_id, feedback.c.passage_id],
                    set_={
                        "vote": statement.excluded.vote,
                        "created_at": statement.excluded.created_at,
                    },
                )
            )

    async def unanswered(self, limit: int = 20) -> list[tuple[str, str, int]]:
        """(text, lang, times asked), most frequent first, the latest first among equals:
        what the KB is missing. Questions differing only in case or spacing count as one
        (SQLite's lower() folds ASCII only, so the folding happens here)."""
        asked = func.trim(questions.c.text).label("q")
        statement = (
            select(asked, questions.c.lang, func.count().label("n"), func.max(questions.c.id))
            .where(questions.c.answered.is_(False))
            .group_by(asked, questions.c.lang)
        )
        async with self._read() as conn:
            rows = (await conn.execute(statement)).all()
        merged: dict[tuple[str, str], tuple[str, int, int]] = {}
        for question, lang, n, last_id in rows:
            key = (" ".join(question.casefold().split()), lang)
            text, count, last = merged.get(key, (question, 0, 0))
            merged[key] = (text, count + int(n), max(last, int(last_id)))
        ordered = sorted(merged.items(), key=lambda item: (-item[1][1], -item[1][2]))
        return [(text, lang, count) for (_key, lang), (text, count, _last) in ordered[:limit]]
