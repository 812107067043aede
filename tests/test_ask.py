"""Questions through the bot: cited answers in ru/kk/en, paging, feedback, abstention,
inline mode. End to end: the bot polls the devserver."""

from __future__ import annotations

import pytest

from bot.runner import BotRunner
from bot.storage.questions import QuestionRepo
from bot.storage.users import UserRepo
from devserver import DevServer, StoredMessage
from tests import sql

UID = 4242


async def ask(server: DevServer, text: str, language_code: str = "en") -> StoredMessage:
    update = server.inject.message(UID, text, language_code=language_code)
    await server.wait_consumed(update, timeout=10)
    return server.messages_to(UID)[-1]


def datas(message: StoredMessage) -> list[str]:
    return [b.get("callback_data", "") for row in message.buttons for b in row]


def questions(runner: BotRunner) -> QuestionRepo:
    assert runner.db is not None
    return QuestionRepo(runner.db)


@pytest.mark.parametrize(
    ("question", "app_language", "must_contain", "source"),
    [
        (
            "Какая улица в Волгограде названа в честь казахстанцев?",
            "ru",
            ["Казахск", "📄"],
            "",  # the Volgograd reports name no publisher and give no date
        ),
        (
            "Талдықорғандағы консулдық қабылдауда қандай қызметтер көрсетілді?",
            "kk",
            ["төлқұжат", "10 қыркүйек"],
            "Дереккөз: Kazakhstan Today, 2025 ж. 11 қыркүйек",
        ),
        (
            "Which Kazakh divisions fought near Stalingrad?",
            "ru",  # the app is in Russian, the question in English: the English passage,
            ["27th Guards", "292nd", "Этот фрагмент на английском языке."],  # Russian words
            "Результат 1 из",
        ),
    ],
)
async def test_question_gets_a_cited_answer_in_its_language(
    devserver: DevServer,
    polling: BotRunner,
    question: str,
    app_language: str,
    must_contain: list[str],
    source: str,
) -> None:
    card = await ask(devserver, question, app_language)
    text = (card.text or "").replace("\u202f", " ")
    for fragment in must_contain:
        assert fragment in text
    assert source in text
    assert ".txt" not in text  # sources as people know them, never an internal file name
    assert "<b>" in (card.raw_text or "")  # matched words in bold
    assert any(d.startswith("v:") for d in datas(card))  # 👍/👎
    record = await questions(polling).get(1)
    assert record is not None and record.answered


async def test_more_results_and_back(devserver: DevServer, polling: BotRunner) -> None:
    card = await ask(devserver, "Dmitry Turaev Taldykorgan")
    assert "Result 1 of" in (card.text or "")
    more = next(d for d in datas(card) if d.startswith("r:"))
    update = devserver.inject.callback(UID, more, message_id=card.message_id)
    await devserver.wait_consumed(update, timeout=10)
    page = devserver.messages_to(UID)[-1]
    assert page.message_id == card.message_id and "Result 2 of" in (page.text or "")
    back = next(d for d in datas(page) if d.endswith(":0") and d.startswith("r:"))
    update = devserver.inject.callback(UID, back, message_id=card.message_id)
    await devserver.wait_consumed(update, timeout=10)
    assert "Result 1 of" in (devserver.messages_to(UID)[-1].text or "")


async def test_feedback_is_stored_and_forged_votes_refused(
    devserver: DevServer, polling: BotRunner
) -> None:
    card = await ask(devserver, "Who is Murat Moldagaliev?")
    assert "Chairman of the Board" in (card.text or "")  # the person's role, as sourced
    update = devserver.inject.callback(UID, "v:1:0:1", message_id=card.message_id)
    await devserver.wait_consumed(update, timeout=10)
    answer = devserver.callback_answer(update["callback_query"]["id"])
    assert answer is not None and answer["text"] == "Thank you for the feedback!"
    assert polling.db is not None
    rows = await sql.fetchall(polling.db, "SELECT question_id, vote FROM feedback")
    assert [tuple(r) for r in rows] == [(1, 1)]
    assert "✅ 👍" in [b["text"] for row in devserver.messages_to(UID)[-1].buttons for b in row]
    # Another user pressing a copy of that button (or a forged id) gets a polite refusal.
    other = devserver.inject.callback(
        999, "v:1:0:0", message_id=card.message_id, chat=UID, check_button=False
    )
    await devserver.wait_consumed(other, timeout=10)
    refusal = devserver.callback_answer(other["callback_query"]["id"])
    assert refusal is not None and refusal.get("show_alert")
    rows = await sql.fetchall(polling.db, "SELECT vote FROM feedback")
    assert [r[0] for r in rows] == [1]


@pytest.mark.parametrize(
    "text", ['"', "*", "NEAR(", "AND OR", "What is the capital of France?", "qwpeoiru zxmcnv"]
)
async def test_nonsense_and_fts_syntax_get_a_polite_abstention(
    devserver: DevServer, polling: BotRunner, text: str
) -> None:
    reply = await ask(devserver, text)
    assert "could not find an answer" in (reply.text or "")
    assert "m:home" in datas(reply) or any(d.startswith("m:") for d in datas(reply))
    record = await questions(polling).get(1)
    assert record is not None and not record.answered  # kept for moderators
    assert [c for c in devserver.calls if c.status >= 500] == []


async def test_fee_question_says_the_sources_do_not_give_it(
    devserver: DevServer, polling: BotRunner
) -> None:
    reply = await ask(devserver, "Сколько стоит загранпаспорт в консульстве?", "ru")
    assert "В моих источниках этого нет" in (reply.text or "")


async def test_unanswered_questions_are_listed_most_frequent_first(
    devserver: DevServer, polling: BotRunner
) -> None:
    for text in ["How do I cook plov?", "What is the weather?", "How do I cook plov?"]:
        await ask(devserver, text)
    gaps = await questions(polling).unanswered()
    assert gaps[0] == ("How do I cook plov?", "en", 2)


async def test_forget_deletes_questions_too(devserver: DevServer, polling: BotRunner) -> None:
    await ask(devserver, "Who is Dmitry Turaev?")
    await ask(devserver, "/forget")
    update = devserver.inject.callback(UID, button_text="🗑 Yes, delete my data")
    await devserver.wait_consumed(update, timeout=10)
    assert polling.db is not None
    assert await UserRepo(polling.db).get(UID) is None
    assert await questions(polling).get(1) is None


async def test_inline_query_offers_shareable_answers(
    devserver: DevServer, polling: BotRunner
) -> None:
    update = devserver.inject.inline_query(UID, "Kazakhskaya Street Volgograd", language_code="kk")
    await devserver.wait_consumed(update, timeout=10)
    answer = devserver.inline_answer(update["inline_query"]["id"])
    assert answer is not None
    results = answer["results"]
    assert results and all(r["type"] == "article" for r in results)
    first = results[0]["input_message_content"]["message_text"]
    assert "Kazakhskaya" in first and "Source:" in first  # English question, English card
    empty = devserver.inject.inline_query(UID, "плов рецепт")
    await devserver.wait_consumed(empty, timeout=10)
    nothing = devserver.inline_answer(empty["inline_query"]["id"])
    assert nothing is not None and nothing["results"] == [] and "button" in nothing


@pytest.mark.parametrize("text", ["asdkjh qwe", "Taldykorgan", "'; DROP TABLE users; --"])
async def test_the_bot_keeps_the_users_language_whatever_the_script(
    devserver: DevServer, polling: BotRunner, text: str
) -> None:
    """A Kazakh-interface user who types Latin gets Kazakh words and a Kazakh menu."""
    reply = await ask(devserver, text, "kk")
    words = (reply.text or "") + " ".join(b.get("text", "") for row in reply.buttons for b in row)
    assert not any(
        english in words for english in ("could not find", "Source:", "Result ", "More results")
    )
    assert any(letter in words for letter in "әғқңөұүһі")


def test_source_names_the_publisher_with_a_link_never_a_file_name(kb_file: object) -> None:
    from aiogram.utils.i18n import I18n

    from bot.cards import source_line
    from bot.kb.sources import Document

    doc = Document(
        id="d",
        source="000_3614c45f964d13dc.txt",
        source_lang="ru",
        kind="event",
        title={"ru": "Т"},
        publisher="Kazakhstan Today",
        url="https://www.kt.kz/rus/x?a=1&b=2",
        published="2025-09-11",
        origin="ingest",
    )
    i18n = I18n(path="locales", default_locale="en", domain="messages")
    with i18n.context(), i18n.use_locale("en"):
        line = source_line(doc, "en")
    assert line == (
        'Source: <a href="https://www.kt.kz/rus/x?a=1&amp;b=2">Kazakhstan Today</a>, '
        "11 September 2025"
    )
    with i18n.context(), i18n.use_locale("ru"):
        assert source_line(doc, "ru") is not None
        assert "11 сентября 2025" in str(source_line(doc, "ru"))
    bare = Document(id="b", source="x.txt", source_lang="ru", kind="event", title={})
    with i18n.context(), i18n.use_locale("en"):
        assert source_line(bare, "en") is None
