"""Moderator content tools end to end against the devserver: the reception and event
wizards, documents added to the knowledge base, /gaps, and that users reach none of it."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.config import Settings
from bot.keyboards.callbacks import UploadAction
from bot.runner import BotRunner
from bot.storage.documents import DocumentRepo
from bot.storage.receptions import ReceptionRepo
from bot.storage.roles import AuditRepo, ModeratorRepo
from devserver import DevServer
from tests.bots import polling, with_own_data
from tests.chat import Chat

ADMIN_ID = 5100
MODERATOR_ID = 5101
USER_ID = 5102
TODAY = date(2026, 11, 22)
TOKEN = "123456:TEST-content"


@pytest.fixture
def mod_settings(settings: Settings, tmp_path: Path) -> Settings:
    """An admin, and a data folder and KB of its own (the shared KB stays untouched)."""
    return with_own_data(settings, tmp_path, admin_ids=(ADMIN_ID,))


@pytest.fixture
async def bot(mod_settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    async with polling(mod_settings, devserver, token=TOKEN, today=lambda: TODAY) as runner:
        yield runner


def mtime(path: Path) -> int:
    return path.stat().st_mtime_ns


async def stored(bot: BotRunner) -> list[str]:
    """The ids of the documents moderators added (in the database, which every instance
    builds its knowledge base from)."""
    assert bot.db is not None
    return [doc.id for doc in (await DocumentRepo(bot.db).snapshot()).documents]


# -- receptions --------------------------------------------------------------------------------


async def test_add_reception_end_to_end(
    devserver: DevServer, bot: BotRunner, mod_settings: Settings
) -> None:
    chat = Chat(devserver, ADMIN_ID, "en")
    await chat.choose_language()
    await chat.send("/addreception")
    assert "New consular reception" in (chat.last.text or "")
    assert "Step 1 of 6" in (chat.last.text or "")
    await chat.press(label="Consulate General of Russia in Almaty")
    assert "Type the city" in (chat.last.text or "")

    await chat.send("Марсград")  # unknown: asked again
    assert "I don't know this city" in (chat.last.text or "")
    await chat.send("Шығыс Қазақстан облысы")  # a region, not a city
    assert "East Kazakhstan Region is not a city" in (chat.last.text or "")
    assert "Oskemen" in (chat.last.text or "")  # its centre is suggested
    await chat.send("Өскемен")  # the Kazakh spelling of Ust-Kamenogorsk
    assert "Oskemen, East Kazakhstan Region" in (chat.last.text or "")

    await chat.send("31.02.2027")  # no such day
    assert "I can't read this date" in (chat.last.text or "")
    await chat.send("15.12.2026")
    assert "Choose the services" in (chat.last.text or "")
    assert "in the past" not in (chat.last.text or "")

    answer = await chat.press(label="➡️ Done")  # nothing chosen yet
    assert answer is not None and "at least one service" in answer.get("text", "")
    passport = next(lbl for lbl in chat.labels() if "passport" in lbl)
    consult = next(lbl for lbl in chat.labels() if "citizenship" in lbl)
    record = next(lbl for lbl in chat.labels() if "criminal record" in lbl)
    await chat.press(label=passport)
    await chat.press(label=record)
    await chat.press(label=next(lbl for lbl in chat.labels() if "criminal record" in lbl))  # off
    await chat.press(label=consult)
    chosen = [lbl for lbl in chat.labels() if lbl.startswith("☑️")]
    assert len(chosen) == 2 and not any("criminal record" in lbl for lbl in chosen)
    await chat.press(label="➡️ Done")
    assert "note in Russian" in (chat.last.text or "")

    await chat.send("Приём для соотечественников в Усть-Каменогорске.")
    assert "note in Kazakh" in (chat.last.text or "")
    await chat.press(label="⏭ Skip")
    assert "note in English" in (chat.last.text or "")
    await chat.send("An outreach reception for compatriots in Oskemen.")
    summary = chat.last.text or ""
    assert "Check the reception and confirm." in summary
    assert "Oskemen, East Kazakhstan Region" in summary and "15 December 2026" in summary
    assert "Note (Russian): Приём для соотечественников" in summary
    assert "Note (Kazakh)" not in summary

    repo = ReceptionRepo(bot.db)  # type: ignore[union-attr]
    assert await repo.all() == []  # nothing before Confirm
    await chat.press(label="✅ Confirm")
    card = chat.last.text or ""
    assert "Reception added." in card and "Oskemen, East Kazakhstan Region" in card
    assert "foreign-travel passport applications" in card
    assert "An outreach reception for compatriots in Oskemen." in card
    [stored] = await repo.all()
    assert (stored.city, stored.region, stored.date) == (
        "oskemen",
        "east-kazakhstan-region",
        "2026-12-15",
    )
    assert stored.office == "ru-consulate-general-almaty"
    assert stored.services == ["passport", "citizenship-consultation"]
    assert set(stored.note) == {"ru", "en"}
    assert chat.labels()[-1] == "📣 Announce to subscribers of East Kazakhstan Region"
    assert chat.datas()[-1] == f"mdra:{stored.id}"
    [entry] = await AuditRepo(bot.db).recent()  # type: ignore[union-attr]
    assert (entry.actor_id, entry.action) == (ADMIN_ID, "reception.add")
    assert entry.details == {"id": stored.id, "city": "oskemen", "date": "2026-12-15"}

    # a second press of Confirm stores nothing twice
    await chat.press(f"mdc:{'confirm'}:reception", check=False)
    assert len(await repo.all()) == 1

    # users find it under Consular services -> All receptions
    user = Chat(devserver, USER_ID, "en")
    await user.choose_language()
    await user.send("/consular")
    assert "1 upcoming reception." in (user.last.text or "")
    await user.press(label="📋 All receptions")
    assert any("Reception in Oskemen, 15 December 2026" in lbl for lbl in user.labels())


async def test_past_date_is_allowed_with_a_warning(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, ADMIN_ID, "ru")
    await chat.choose_language()
    await chat.send("/addreception")
    await chat.press(chat.datas()[0])
    await chat.send("Taldyqorğan")
    assert "Талдыкорган, область Жетысу" in (chat.last.text or "")
    await chat.send("2025-09-10")
    assert "Эта дата уже прошла" in (chat.last.text or "")
    await chat.press(chat.datas()[0])
    await chat.press(label="➡️ Готово")
    for _ in range(2):
        await chat.press(label="⏭ Пропустить")
    assert "⏭ Пропустить" not in chat.labels()  # the last note cannot be skipped: none given
    answer = await chat.press("mdc:skip:note_en", check=False)  # a forged Skip
    assert answer is not None and answer.get("show_alert")
    await chat.send("Note in English only.")
    summary = chat.last.text or ""
    assert "Эта дата уже прошла." in summary
    assert "уже есть" in summary  # the KB already has a reception there that day


async def test_cancel_leaves_nothing(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, ADMIN_ID, "ru")
    await chat.choose_language()
    repo = ReceptionRepo(bot.db)  # type: ignore[union-attr]

    await chat.send("/addreception")
    await chat.press(chat.datas()[0])
    await chat.send("Қостанай")
    await chat.press(label="✖️ Отмена")
    assert "Отменено" in (chat.last.text or "")
    await chat.send("2026-12-15")  # no wizard any more: an ordinary question
    assert "Шаг" not in (chat.last.text or "")

    await chat.send("/addreception")
    await chat.press(chat.datas()[0])
    await chat.send("Костанай")
    await chat.send("2026-12-15")
    await chat.press(chat.datas()[0])
    await chat.press(label="➡️ Готово")
    await chat.send("Заметка")
    await chat.send("/cancel")
    # (the announcement wizard's /cancel, registered earlier, may answer it: both clear)
    assert (chat.last.text or "").startswith(("Отменено", "Cancelled"))
    await chat.send("Заметка на казахском")  # not taken as the next step
    assert "Шаг" not in (chat.last.text or "")

    await chat.press("mdc:confirm:reception", check=False)  # a stale Confirm
    assert await repo.all() == []
    assert await AuditRepo(bot.db).recent() == []  # type: ignore[union-attr]


# -- events ------------------------------------------------------------------------------------


async def test_add_event_appears_in_events_and_answers(
    devserver: DevServer, bot: BotRunner, mod_settings: Settings, kb_file: Path
) -> None:
    shared_kb = mtime(kb_file)
    chat = Chat(devserver, ADMIN_ID, "ru")
    await chat.choose_language()
    await chat.send("/addevent")
    assert "Новое событие" in (chat.last.text or "")
    assert "на русском" in (chat.last.text or "")
    await chat.send("Молодёжный форум Казахстана и России в Омске")
    await chat.send("Омбыдағы Қазақстан мен Ресей жастар форумы")
    await chat.press(label="⏭ Пропустить")  # no English title
    await chat.send("12 декабря")
    assert "Не удалось распознать дату" in (chat.last.text or "")
    await chat.send("2026-12-12")
    await chat.send("Омбы")  # Omsk, in Kazakh
    assert "Омск" in (chat.last.text or "")
    assert "Конференция" in chat.labels()
    await chat.press(label="Конференция")
    await chat.send(
        "Студенты из Казахстана и России обсудили на молодёжном форуме в Омске совместные "
        "волонтёрские проекты и цифровые стартапы."
    )
    await chat.press(label="⏭ Пропустить")  # kk summary
    await chat.send(
        "Students from Kazakhstan and Russia discussed joint volunteer projects and digital "
        "start-ups at the youth forum in Omsk."
    )
    summary = chat.last.text or ""
    assert "Проверьте данные события" in summary and "Тип: Конференция" in summary
    assert await stored(bot) == []
    await chat.press(label="✅ Подтвердить")
    card = chat.last.text or ""
    assert "Событие добавлено" in card
    assert "Молодёжный форум Казахстана и России в Омске" in card
    assert "12 декабря 2026" in card and "Омск" in card

    [doc_id] = await stored(bot)
    assert doc_id.startswith("event-")
    [entry] = await AuditRepo(bot.db).recent()  # type: ignore[union-attr]
    assert entry.action == "event.add" and entry.details["city"] == "omsk"
    assert mtime(kb_file) == shared_kb  # the shared KB is untouched

    await chat.send("/events")
    assert "6 событий" in (chat.last.text or "")
    assert chat.labels()[0].startswith("12 декабря 2026")  # newest first
    assert "Молодёжный форум" in chat.labels()[0]

    await chat.send("Что обсудили студенты на молодёжном форуме в Омске?")
    answer = chat.last.text or ""
    assert "волонтёрские проекты" in answer and "добавлено модераторами бота" in answer
    assert str(ADMIN_ID) not in answer  # the moderator's account id is not shown
    en = Chat(devserver, USER_ID, "en")
    await en.choose_language()
    await en.send("What did students discuss at the youth forum in Omsk?")
    assert "volunteer projects" in (en.last.text or "")


# -- documents ---------------------------------------------------------------------------------

NEWS_MD = """# Фестиваль «Дружба на Иртыше» открылся в Павлодаре

**Павлодар, 14 ноября 2026 года.** Посол России в Казахстане Алексей Бородавкин открыл \
фестиваль культуры «Дружба на Иртыше».

На фестивале выступили фольклорные ансамбли из Омска и Павлодарской области. Гости увидели \
выставку старинных ремёсел и попробовали блюда национальной кухни.

Организаторы фестиваля планируют проводить его каждый год.
"""

NEWS_CP1251 = (
    "Сегодня, 3 февраля, глава Волгоградской области Андрей Бочаров провёл рабочую встречу "
    "с Чрезвычайным и Полномочным Послом Республики Казахстан Ермеком Кошербаевым. Стороны "
    "обсудили развитие торговли и культурные связи.\n"
)


async def test_document_is_ingested_and_searchable(
    devserver: DevServer, bot: BotRunner, mod_settings: Settings
) -> None:
    chat = Chat(devserver, ADMIN_ID, "en")
    await chat.choose_language()
    # the file names no publisher and no link: the bot asks before adding it
    reply = (await chat.upload(NEWS_MD.encode(), "festival.md")).text or ""
    assert "Who published this article?" in reply
    assert "Publisher: not found" in reply and "Link: not found" in reply
    assert await stored(bot) == []
    await chat.send("!!!")  # neither a name nor a link: asked again, nothing added
    assert "could not find a publisher's name or a link" in (chat.last.text or "")
    await chat.send("Kazakhstan Today, https://www.kt.kz/eng/culture/festival-irtysh")
    reply = chat.last.text or ""
    assert "Added to the knowledge base." in reply
    assert "Title: Фестиваль «Дружба на Иртыше» открылся в Павлодаре" in reply
    assert "Language: Russian" in reply and "Date: 14 November 2026" in reply
    assert "Place: Pavlodar" in reply
    assert "Алексей Бородавкин — Посол России в Казахстане" in reply
    assert "passages can now be found" in reply and "File: festival.md" in reply
    assert "Source: Kazakhstan Today" in reply
    assert 'href="https://www.kt.kz/eng/culture/festival-irtysh"' in (chat.last.raw_text or "")
    assert await stored(bot) == ["ingest-festival"]
    [entry] = await AuditRepo(bot.db).recent()  # type: ignore[union-attr]
    assert (entry.action, entry.details["id"]) == ("document.ingest", "ingest-festival")
    assert entry.details["publisher"] == "Kazakhstan Today"
    # the question's buttons are gone; pressing a stale one changes nothing
    answer = await chat.press(f"mdu:{UploadAction.add}", check=False)
    assert answer is not None and "no longer waiting" in answer.get("text", "")

    await chat.send("Кто открыл фестиваль Дружба на Иртыше в Павлодаре?")
    answer_text = chat.last.text or ""
    assert "Бородавкин" in answer_text and "This passage is in Russian." in answer_text
    assert "Source: Kazakhstan Today" in answer_text  # as users know it, with its link
    assert "festival.md" not in answer_text  # no internal file name on a user's card

    # the same name again replaces it, added as it is; a cp1251 .txt is read
    await chat.upload(NEWS_MD.encode(), "festival.md")
    await chat.press(label="➕ Add as it is")
    assert "Updated in the knowledge base" in (chat.last.text or "")
    reply = (await chat.upload(NEWS_CP1251.encode("cp1251"), "volgograd.txt")).text or ""
    assert "Who published this article?" in reply
    await chat.press(label="✖️ Cancel")
    assert "Cancelled. Nothing was added to the knowledge base." in (chat.last.text or "")
    assert len(await stored(bot)) == 1
    await chat.upload(NEWS_CP1251.encode("cp1251"), "volgograd.txt")
    await chat.send("/cancel")
    assert "Nothing was added" in (chat.last.text or "")
    await chat.upload(NEWS_CP1251.encode("cp1251"), "volgograd.txt")
    await chat.press(label="➕ Add as it is")
    reply = chat.last.text or ""
    assert "Added to the knowledge base." in reply and "Андрей Бочаров" in reply
    assert "Source: not found" in reply
    assert len(await stored(bot)) == 2


@pytest.mark.parametrize("lang", ["ru", "kk"])
async def test_upload_asks_for_its_source_in_the_moderators_language(
    devserver: DevServer, bot: BotRunner, mod_settings: Settings, lang: str
) -> None:
    chat = Chat(devserver, ADMIN_ID, lang)
    await chat.choose_language()
    reply = (await chat.upload(NEWS_MD.encode(), "festival.md")).text or ""
    question, publisher, add = {
        "ru": ("Кто опубликовал эту статью?", "Издание: не найдено", "➕ Добавить как есть"),
        "kk": ("Бұл мақаланы кім жариялады?", "Басылым: табылмады", "➕ Сол күйінде қосу"),
    }[lang]
    assert question in reply and publisher in reply, reply
    assert add in chat.labels()


async def test_a_file_that_names_its_source_is_added_at_once(
    devserver: DevServer, bot: BotRunner, mod_settings: Settings
) -> None:
    chat = Chat(devserver, ADMIN_ID, "en")
    await chat.choose_language()
    front = "---\npublisher: Kazinform\nurl: https://www.inform.kz/en/festival\n---\n"
    await chat.send("/addevent")  # a wizard in progress ends when a file arrives
    reply = (await chat.upload((front + NEWS_MD).encode(), "festival.md")).text or ""
    assert "Added to the knowledge base." in reply and "Source: Kazinform" in reply
    assert "Who published" not in reply
    assert len(await stored(bot)) == 1
    await chat.send("Молодёжный форум")  # not taken as the event's title any more
    assert "Step" not in (chat.last.text or "")
    # Starting one wizard ends another: the typed city goes to the reception wizard.
    await chat.send("/addevent")
    await chat.send("/addreception")
    await chat.press(chat.datas()[0])
    await chat.send("Талдыкорган")
    assert "Step 3 of 6" in (chat.last.text or "") and "New consular reception" in (
        chat.last.text or ""
    )


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
async def test_bad_files_are_refused_and_change_nothing(
    devserver: DevServer, bot: BotRunner, mod_settings: Settings, lang: str
) -> None:
    chat = Chat(devserver, ADMIN_ID, lang)
    await chat.choose_language()
    kb_before = mtime(mod_settings.kb_path)
    rnd = random.Random(7)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rnd.randrange(256) for _ in range(2000))
    latin1 = "Café, résumé, naïve: à la carte. Ça va très bien, merci! Où est la gare? " * 5
    expected = {
        "ru": ["двоичные", "слишком большой", "Файл пуст", ".txt и .md", "слишком короткий",
               "Не удаётся прочитать", "двоичные"],
        "kk": ["екілік", "тым үлкен", "Файл бос", ".txt және .md", "тым қысқа", "оқу мүмкін емес",
               "екілік"],
        "en": ["binary data", "too large", "The file is empty", "Only .txt and .md",
               "too short", "cannot read the text", "binary data"],
    }[lang]  # fmt: skip
    nothing = {
        "ru": "ничего не добавлено",
        "kk": "ештеңе қосылған жоқ",
        "en": "Nothing was added",
    }[lang]
    cases = [
        (png, "photo.txt"),
        (b"a" * 2_000_000, "big.txt"),
        (b"", "empty.md"),
        (NEWS_MD.encode(), "news.pdf"),
        ("Короткий текст о встрече.".encode(), "short.txt"),
        (latin1.encode("latin-1"), "french.txt"),
        (bytes(rnd.randrange(256) for _ in range(3000)), "random.md"),
    ]
    for (content, name), fragment in zip(cases, expected, strict=True):
        mark = devserver.marker()
        reply = (await chat.upload(content, name)).text or ""
        assert fragment in reply and nothing in reply, (name, reply)
        if name in ("big.txt", "news.pdf"):  # refused before downloading
            assert devserver.get_calls("getFile", since=mark) == []
    assert await stored(bot) == []
    assert mtime(mod_settings.kb_path) == kb_before
    assert await AuditRepo(bot.db).recent() == []  # type: ignore[union-attr]


# -- gaps --------------------------------------------------------------------------------------


async def test_gaps_lists_unanswered_most_frequent_first(
    devserver: DevServer, bot: BotRunner
) -> None:
    admin = Chat(devserver, ADMIN_ID, "en")
    await admin.choose_language()
    await admin.send("/gaps")
    assert "No unanswered questions so far" in (admin.last.text or "")

    for uid, question in [
        (USER_ID, "Какая погода на Марсе завтра?"),
        (USER_ID + 1, "какая погода на марсе завтра?"),
        (USER_ID + 2, "Какая погода на Марсе завтра?"),
        (USER_ID, "Where can I buy <b>cheap</b> tickets & snacks for the circus?"),
        (USER_ID + 1, "Когда откроется зоопарк в Караганде для посетителей?"),
        (USER_ID + 1, "Когда откроется зоопарк в Караганде для посетителей?"),
    ]:
        user = Chat(devserver, uid, "ru")
        await user.send(question)
    await admin.send("/gaps")
    text = admin.last.text or ""
    lines = text.splitlines()
    assert "Questions the bot could not answer" in lines[0]
    mars = next(i for i, line in enumerate(lines) if "погода на марсе" in line.casefold())
    zoo = next(i for i, line in enumerate(lines) if "зоопарк" in line)
    circus = next(i for i, line in enumerate(lines) if "circus" in line)
    assert mars < zoo < circus
    assert "asked 3 times · ru" in lines[mars + 1]
    assert "asked 2 times · ru" in lines[zoo + 1]
    assert "asked 1 time · en" in lines[circus + 1]
    assert "<b>cheap</b> tickets & snacks" in lines[circus]  # escaped, shown as typed

    # a moderator (not an admin) may see it too, in their language
    await ModeratorRepo(bot.db).add(MODERATOR_ID, ADMIN_ID)  # type: ignore[union-attr]
    moderator = Chat(devserver, MODERATOR_ID, "kk")
    await moderator.choose_language()
    await moderator.send("/gaps")
    assert "Бот жауап бере алмаған сұрақтар" in (moderator.last.text or "")
    assert "3 рет сұралды" in (moderator.last.text or "")


# -- users -------------------------------------------------------------------------------------


async def test_users_cannot_reach_content_tools(
    devserver: DevServer, bot: BotRunner, mod_settings: Settings
) -> None:
    user = Chat(devserver, USER_ID, "en")
    await user.choose_language()
    for command in ("/addreception", "/addevent", "/gaps"):
        await user.send(command)
        text = user.last.text or ""
        assert "New consular reception" not in text and "New event" not in text
        assert "Questions the bot could not answer" not in text
        assert not any(d.startswith("mdc:") for d in user.datas())
    await user.send("Өскемен")  # would be the city step of a wizard
    await user.send("2026-12-15")
    for data in ("mdc:confirm:reception", "mdc:confirm:event", "mdc:cancel:"):
        await user.press(data, check=False)
    reply = (await user.upload(NEWS_MD.encode(), "festival.md")).text or ""
    assert "Added to the knowledge base" not in reply
    assert await ReceptionRepo(bot.db).all() == []  # type: ignore[union-attr]
    assert await AuditRepo(bot.db).recent() == []  # type: ignore[union-attr]
    assert await stored(bot) == []
    assert all("Step " not in text for text in user.texts())
