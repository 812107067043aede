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
        """(text, lang, times asked), most frequent first: what the KB is missing."""
        async with self.conn.execute(
            "SELECT lower(trim(text)) AS q, lang, count(*) AS n FROM questions "
            "WHERE answered = 0 GROUP BY q, lang ORDER BY n DESC, max(id) DESC LIMIT ?",
            (limit,),
        ) as cur:
            rows = await cur.fetchall()
        return [(row["q"], row["lang"], int(row["n"])) for row in rows]
