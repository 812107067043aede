"""Kazakh as people type it: Russian letters for Kazakh ones, Latin Kazakh, Russian in
Latin letters. All of them find what the proper spelling finds."""

from __future__ import annotations

import pytest

from bot.kb.kk_stem import kk_fold
from bot.kb.search import KnowledgeBase
from bot.kb.sources import load_sources
from bot.kb.text import detect_lang, is_stop, stem, stems, tokenize
from bot.kb.thesaurus import FACT_WORDS, THESAURUS, WEAK

# -- folding -------------------------------------------------------------------------------

TYPED = [
    # (properly spelt, typed with Russian letters)
    ("қызметтер", "кызметтер"),
    ("Талдықорғанда", "Талдыкорганда"),
    ("Талдықорғандағы", "Талдыкоргандагы"),
    ("көшесі", "кошеси"),
    ("көшесінде", "кошесинде"),
    ("асық", "асык"),
    ("Қазақстанның", "Казакстаннын"),
    ("жылдығына", "жылдыгына"),
    ("елшілігінің", "елшилигинин"),
    ("өтті", "отти"),
    ("құрылған", "курылган"),
    ("төлқұжат", "толкужат"),
    ("ерлігіне", "ерлигине"),
]


@pytest.mark.parametrize(("proper", "typed"), TYPED)
def test_typed_with_russian_letters_stems_as_proper(proper: str, typed: str) -> None:
    assert stem(typed.lower(), "kk") == stem(proper.lower(), "kk")


def test_folded_stems() -> None:
    assert kk_fold("әғқңөұүһі") == "агкноуухи"
    assert stem("қызметтер", "kk") == "кызмет"
    assert stem("талдықорғанда", "kk") == "талдыкорган"  # a protected name, folded too
    assert stem("көшесі", "kk") == "коше"
    # Russian and English stemming is untouched
    assert stem("улицы", "ru") == "улиц" and stem("streets", "en") == "street"


def test_every_kb_word_typed_with_russian_letters_meets_its_proper_form() -> None:
    words = {
        token
        for doc in load_sources().documents
        for passage in doc.passages
        for token in tokenize(passage.text.get("kk", ""))
    }
    assert len(words) > 500
    assert all(stem(kk_fold(w), "kk") == stem(w, "kk") for w in words)


def test_folding_merges_few_kazakh_stems() -> None:
    """Measured on the KB: 1104 Kazakh words, 687 stems either way; folding merges four
    pairs of proper stems (қазақ/казак, түр/тұр, қал/кал, білік/билік) and the
    Russian-letter suffix readings two more (екен/еке, оның/оны)."""
    from bot.kb.kk_stem import kk_stem

    words = {
        token
        for doc in load_sources().documents
        for passage in doc.passages
        for token in tokenize(passage.text.get("kk", ""))
        if not token.isascii()
    }
    proper = {kk_stem(w) for w in words}
    folded = {stem(w, "kk") for w in words}
    assert len(folded) >= 0.98 * len(proper)


def test_kazakh_question_and_stop_words_typed_with_russian_letters() -> None:
    assert is_stop("кандай", "kk") and is_stop("кайда", "kk") and is_stop("калай", "kk")
    assert not is_stop("кандай", "ru")
    assert stems("Талдыкорганда кандай кызметтер болды?", "kk") == stems(
        "Талдықорғанда қандай қызметтер болды?", "kk"
    )
    assert detect_lang("Талдыкорганда кандай кызметтер болды?") == "kk"
    assert detect_lang("Казак кошеси кайда?") == "kk"


def test_thesaurus_keys_are_folded_stems() -> None:
    for key, terms in THESAURUS["kk"].items():
        assert key == kk_fold(key) and all(t == kk_fold(t) for t in terms)
    assert THESAURUS["kk"][stem("қызмет", "kk")]  # services -> passports, certificates
    assert stem("қала", "kk") in WEAK["kk"]
    assert stem("сағат", "kk") == "сагат" and "сагат" in FACT_WORDS["kk"]


# -- search --------------------------------------------------------------------------------


def _top(kb: KnowledgeBase, question: str, lang: str | None = "kk") -> tuple[str, str]:
    result = kb.search(question, lang, default_lang="kk")
    assert result.answered, (question, result.hits[:1])
    assert result.best is not None
    return result.best.doc_id, result.lang


@pytest.mark.parametrize(
    ("typed", "proper"),
    [
        ("Асык ату деген не?", "Асық ату деген не?"),
        ("Казак кошеси деген не?", "Қазақ көшесі деген не?"),
        (
            "Талдыкорганда кандай кызметтер болды?",
            "Талдықорғанда қандай қызметтер болды?",
        ),
    ],
)
def test_kazakh_typed_with_russian_letters_finds_what_proper_spelling_finds(
    kb: KnowledgeBase, typed: str, proper: str
) -> None:
    assert _top(kb, typed) == _top(kb, proper)
    # the Kazakh interface: no language given, Kazakh by default
    assert _top(kb, typed, None) == _top(kb, proper)
