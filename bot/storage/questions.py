"""Questions users asked (so moderators can see what the bot could not answer) and
their 👍/👎 feedback on answers. Deleted with the user (foreign keys cascade)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

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


class QuestionRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(
        self, user_id: int, text: str, lang: str, answered: bool, passage_id: int | None
    ) -> int:
        cur = await self.conn.execute(
            "INSERT INTO questions (user_id, text, lang, answered, passage_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, text[:MAX_STORED], lang, int(answered), passage_id, utcnow()),
        )
        await self.conn.commit()
        assert cur.lastrowid is not None
        return cur.lastrowid

    async def get(self, question_id: int) -> QuestionRecord | None:
        async with self.conn.execute(
            "SELECT id, user_id, text, lang, answered, passage_id FROM questions WHERE id = ?",
            (question_id,),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return QuestionRecord(
            row["id"],
            row["user_id"],
            row["text"],
            row["lang"],
            bool(row["answered"]),
            row["passage_id"],
        )

    async def vote(self, question_id: int, passage_id: int, vote: int) -> None:
        """One vote per (question, passage); voting again changes it."""
        await self.conn.execute(
            "INSERT INTO feedback (question_id, passage_id, vote, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(question_id, passage_id) DO UPDATE SET vote = excluded.vote, "
            "created_at = excluded.created_at",
            (question_id, passage_id, vote, utcnow()),
        )
        await self.conn.commit()

    async def unanswered(self, limit: int = 20) -> list[tuple[str, str, int]]:
        """(text, lang, times asked), most frequent first, the latest first among equals:
        what the KB is missing. Questions differing only in case or spacing count as one
        (SQLite's lower() folds ASCII only, so the folding happens here)."""
        rows = await self.conn.execute_fetchall(
            "SELECT trim(text) AS q, lang, count(*) AS n, max(id) AS last FROM questions "
            "WHERE answered = 0 GROUP BY q, lang"
        )
        merged: dict[tuple[str, str], tuple[str, int, int]] = {}
        for row in rows:
            key = (" ".join(row["q"].casefold().split()), row["lang"])
            text, count, last = merged.get(key, (row["q"], 0, 0))
            merged[key] = (text, count + int(row["n"]), max(last, int(row["last"])))
        ordered = sorted(merged.items(), key=lambda item: (-item[1][1], -item[1][2]))
        return [(text, lang, count) for (_key, lang), (text, count, _last) in ordered[:limit]]
