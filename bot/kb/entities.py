"""Recognise names of places, people and organisations across scripts and spellings.

A name form ("Ермек Кошербаев", "Taldyqorğan", "Атамның аманаты") becomes a sequence
of word keys: a script-independent spelling (`translit_key` with vowel classes), so
"Кошербаев", "Көшербаев" and "Kosherbayev" share a key. Russian and Kazakh add
case endings to names ("Кошербаевым", "Талдықорғандағы", "Жетысуская"), so a word
matches a name's key when it starts with it and adds at most a few letters. Names
are not stemmed: stemmers cut into names ("Тураев" -> "тура" ~ "туралы").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.kb.text import tokenize, translit_key

_MAX_WORDS = 5
_MIN_KEY = 4  # shorter keys ("sem" for Семей) would match ordinary words
_MAX_ENDING = 4  # letters an inflected name may add: -ым, -пен, -дағы, -ская
_SHORT_NAME = 5  # ...but short names take at most two ("Орал" ≠ "аралады")
_VOWELS = frozenset("aeiou")  # the vowel classes of `translit_key(keep_vowels=True)`


def word_key(token: str) -> str:
    """The key of one normalised token."""
    return translit_key(token, keep_vowels=True)


def _stem_vowel(key: str) -> str | None:
    """A name's key without its final vowel: Russian and Kazakh replace it when they
    decline the name (Караганда -> в Караганде, Астана -> Астане)."""
    if len(key) > _SHORT_NAME and key[-1] in _VOWELS and key[-2] not in _VOWELS:
        return key[:-1]
    return None


def _compatible(word: str, name: str) -> bool:
    if word == name:
        return True
    if len(name) < _MIN_KEY:
        return False
    if not word.startswith(name):
        stem = _stem_vowel(name)
        return (
            stem is not None
            and word.startswith(stem)
            and len(stem) < len(word) <= len(stem) + 3
            and word[len(stem)] in _VOWELS  # another vowel ending, not "останки" ~ Астана
        )
    return len(word) - len(name) <= (2 if len(name) <= _SHORT_NAME else _MAX_ENDING)


@dataclass(frozen=True, slots=True)
class Mention:
    entity_id: str
    start: int  # token index
    end: int


class EntityIndex:
    """Name forms -> entity ids, matched as key sequences over tokenised text."""

    def __init__(self) -> None:
        # first word's key -> [(all keys of the form, entity ids)]
        self._forms: dict[str, list[tuple[tuple[str, ...], set[str]]]] = {}
        self.kinds: dict[str, str] = {}

    def add(self, entity_id: str, kind: str, forms: Iterable[str]) -> None:
        self.kinds[entity_id] = kind
        for form in forms:
            keys = tuple(k for k in (word_key(t) for t in tokenize(form)) if k)
            if not keys or len(keys) > _MAX_WORDS:
                continue
            if len(keys) == 1 and len(keys[0]) < _MIN_KEY:
                continue
            for first in {keys[0], _stem_vowel(keys[0]) or keys[0]}:
                bucket = self._forms.setdefault(first, [])
                for existing, ids in bucket:
                    if existing == keys:
                        ids.add(entity_id)
                        break
                else:
                    bucket.append((keys, {entity_id}))

    def __len__(self) -> int:
        return len(self.kinds)

    def find(self, text: str, *, kinds: Iterable[str] | None = None) -> list[Mention]:
        """Mentions in `text`, the longest name at each position, left to right."""
        keys = [word_key(t) for t in tokenize(text)]
        wanted = set(kinds) if kinds is not None else None
        found: list[Mention] = []
        i = 0
        while i < len(keys):
            hit = self._match_at(keys, i)
            if hit is None:
                i += 1
                continue
            ids, length = hit
            for entity_id in sorted(ids):
                if wanted is None or self.kinds.get(entity_id) in wanted:
                    found.append(Mention(entity_id, i, i + length))
            i += length
        return found

    def ids(self, text: str, *, kinds: Iterable[str] | None = None) -> set[str]:
        return {m.entity_id for m in self.find(text, kinds=kinds)}

    def _match_at(self, keys: list[str], i: int) -> tuple[set[str], int] | None:
        word = keys[i]
        best: tuple[set[str], int] | None = None
        for cut in range(len(word), max(1, len(word) - _MAX_ENDING) - 1, -1):
            for form, ids in self._forms.get(word[:cut], ()):
                length = len(form)
                if best is not None and length <= best[1]:
                    continue
                if i + length > len(keys):
                    continue
                if all(_compatible(keys[i + j], form[j]) for j in range(length)):
                    best = (ids, length)
        return best
