"""Tests for bot.kb.dates and bot.kb.ingest: dates, cleaning, news parsing, uploads."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.kb.dates import FoundDate, extract_dates
from bot.kb.ingest import (
    MAX_PASSAGE,
    MAX_TITLE,
    IngestError,
    decode_upload,
    parse_news,
    split_sentences,
)
from bot.kb.places import Gazetteer
from bot.kb.sources import Document, load_places

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
FILES = {
    "000": "000_3614c45f964d13dc.txt",
    "001": "001_d38a17a99da42fc1.txt",
    "002": "002_9acb93040cb71bc1.txt",
    "003": "003_7be4b28e50ddc520.txt",
    "004": "004_63aa8f0057e0e55c.txt",
}
BOILERPLATE = ("RSS Print", "Войти", "войти", "Голосовать", "Tags:", "logo", "**", "](")


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(load_places())


@pytest.fixture(scope="module")
def corpus(gazetteer: Gazetteer) -> dict[str, Document]:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus is not available: {CORPUS} does not exist")
    docs = {}
    for key, name in FILES.items():
        path = CORPUS / name
        if not path.is_file():
            pytest.skip(f"../shared/corpus is not available: {path} is missing")
        docs[key] = parse_news(path.read_text("utf-8"), source=name, gazetteer=gazetteer)
    return docs


def names(doc: Document) -> list[str]:
    return [p.name[doc.source_lang] for p in doc.people]


def role(doc: Document, name: str) -> str:
    for person in doc.people:
        if person.name[doc.source_lang] == name:
            return person.role.get(doc.source_lang, "")
    raise AssertionError(f"{name} not among {names(doc)}")


def passages(doc: Document) -> list[str]:
    return [p.text[doc.source_lang] for p in doc.passages]


# --------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso", "precision", "matched"),
    [
        # Russian
        ("Сегодня, 3 февраля, глава области", "--02-03", "month-day", "3 февраля"),
        ("встреча 10 сентября 2025 года прошла", "2025-09-10", "day", "10 сентября 2025 года"),
        ("приказ от 3 февраля 2025 г. вступил", "2025-02-03", "day", "3 февраля 2025 г."),
        ("в мае 2020 года", "2020-05", "month", "мае 2020 года"),
        ("праздник 1-го мая", "--05-01", "month-day", "1-го мая"),
        ("10 сент. 2025 г.", "2025-09-10", "day", "10 сент. 2025 г."),
        ("Талдыкорган. 10 сентября. KAZAKHSTAN TODAY", "--09-10", "month-day", "10 сентября"),
        # English
        ("May 7", "--05-07", "month-day", "May 7"),
        ("On May 7, a memorandum was signed", "--05-07", "month-day", "May 7"),
        ("7 May 2020", "2020-05-07", "day", "7 May 2020"),
        ("07 may", "--05-07", "month-day", "07 may"),
        ("on September 10, 2025 in Almaty", "2025-09-10", "day", "September 10, 2025"),
        ("the 7th of May", "--05-07", "month-day", "7th of May"),
        ("May 7th, 2020", "2020-05-07", "day", "May 7th, 2020"),
        ("in May 2020", "2020-05", "month", "May 2020"),
        # numeric
        ("date 2025-09-11 Фото", "2025-09-11", "day", "2025-09-11"),
        ("опубликовано 11.09.2025", "2025-09-11", "day", "11.09.2025"),
        # Kazakh
        ("10 қыркүйекте", "--09-10", "month-day", "10 қыркүйекте"),
        ("2025 жылғы 10 қыркүйекте өтті", "2025-09-10", "day", "2025 жылғы 10 қыркүйекте"),
        ("7 мамырда", "--05-07", "month-day", "7 мамырда"),
        ("10-қыркүйек", "--09-10", "month-day", "10-қыркүйек"),
        ("2025 жылғы 5 қыркүйегінде", "2025-09-05", "day", "2025 жылғы 5 қыркүйегінде"),
        ("3 ақпанның", "--02-03", "month-day", "3 ақпанның"),
        ("25 желтоқсанға дейін", "--12-25", "month-day", "25 желтоқсанға"),
        ("2020 жылғы мамырда", "2020-05", "month", "2020 жылғы мамырда"),
        ("29 февраля", "--02-29", "month-day", "29 февраля"),  # no year: may be a leap year
    ],
)
def test_extract_dates(text: str, iso: str, precision: str, matched: str) -> None:
    dates = extract_dates(text)
    assert [d.iso for d in dates] == [iso]
    found = dates[0]
    assert found.precision == precision
    assert found.text == matched
    assert text[found.start : found.end] == matched


@pytest.mark.parametrize(
    "text",
    [
        "1941-1945",
        "в 2019 году",
        "fall of 2019",
        "80-летие Победы",
        "27-я гвардейская и 292-стрелковые",
        "4-е место среди 114 партнеров",
        "the 75th anniversary",
        "31 февраля",
        "29 февраля 2023 года",  # not a leap year, and not "февраля 2023 года" either
        "30.02.2025",
        "2025-13-01",
        "31 April",
        "we may 7 times",
        "в мае",  # a month without a day or a year
        "more than 271 thousand soldiers",
        "0 января",
    ],
)
def test_not_dates(text: str) -> None:
    assert extract_dates(text) == []


def test_dates_in_order_and_ranges() -> None:
    text = "С 10-12 сентября 2025 года, затем 3 октября; 11.09.2025 и May 7."
    assert [d.iso for d in extract_dates(text)] == [
        "2025-09-10",
        "2025-09-12",
        "--10-03",
        "2025-09-11",
        "--05-07",
    ]


def test_lang_limits_month_names() -> None:
    text = "3 февраля, May 7, 10 қыркүйекте, 2025-09-11"
    assert [d.iso for d in extract_dates(text, "ru")] == ["--02-03", "2025-09-11"]
    assert [d.iso for d in extract_dates(text, "en")] == ["--05-07", "2025-09-11"]
    assert [d.iso for d in extract_dates(text, "kk")] == ["--09-10", "2025-09-11"]


def test_found_date_iso() -> None:
    assert FoundDate(2025, 9, 10, 0, 1, "x").iso == "2025-09-10"
    assert FoundDate(None, 5, 7, 0, 1, "x").iso == "--05-07"
    assert FoundDate(2020, 5, None, 0, 1, "x").iso == "2020-05"
    assert FoundDate(2020, 5, None, 0, 1, "x").precision == "month"


# --------------------------------------------------------------------------
# sentences
# --------------------------------------------------------------------------


def test_split_sentences() -> None:
    text = (
        "Ректор Е. А. Бурибаев приехал 3 февраля 2025 г. в Талдыкорган. "
        "Министр культуры РК выступил, т.е. открыл форум. "
        "Казахстан занимает 4-е место. "
        "Он сказал: «Мы рады. Спасибо всем». "
        '"Это важно. Очень", - отметил посол. '
        "Mr. Smith agreed! Why? Because."
    )
    assert split_sentences(text) == [
        "Ректор Е. А. Бурибаев приехал 3 февраля 2025 г. в Талдыкорган.",
        "Министр культуры РК выступил, т.е. открыл форум.",
        "Казахстан занимает 4-е место.",
        "Он сказал: «Мы рады. Спасибо всем».",
        '"Это важно. Очень", - отметил посол.',
        "Mr. Smith agreed!",
        "Why?",
        "Because.",
    ]


# --------------------------------------------------------------------------
# the corpus
# --------------------------------------------------------------------------


def test_corpus_common(corpus: dict[str, Document]) -> None:
    for key, doc in corpus.items():
        assert doc.origin == "ingest"
        assert doc.id == f"ingest-{FILES[key][:-4].replace('_', '-')}"
        assert doc.source == FILES[key]
        assert set(doc.title) == {doc.source_lang}
        assert 0 < len(doc.title[doc.source_lang]) <= 200
        assert doc.passages, key
        assert [p.pid for p in doc.passages] == [
            f"p{i:02d}" for i in range(1, len(doc.passages) + 1)
        ]
        for text in passages(doc):
            assert 0 < len(text) <= MAX_PASSAGE, (key, text)
            assert not any(junk in text for junk in BOILERPLATE), (key, text)
        for person in doc.people:
            assert set(person.name) == {doc.source_lang}
            assert person.id and person.id == person.id.lower()
            assert set(person.role) <= {doc.source_lang}
        assert doc.date_note and doc.date_note.startswith(("dates in text: ", "no date in text"))


def test_corpus_000(corpus: dict[str, Document]) -> None:
    doc = corpus["000"]
    assert doc.source_lang == "ru"
    title = doc.title["ru"]
    assert title.startswith("К диалогу были приглашены сотрудники дипмиссии")
    assert len(title) <= MAX_TITLE
    assert doc.date is None and doc.date_precision is None
    assert doc.places == ["volgograd"]
    assert "volgograd-region" in doc.mentioned_places
    assert "mamayev-kurgan" in doc.mentioned_places
    assert names(doc) == ["Ермек Кошербаев", "Эдуард Давыдовский"]
    assert role(doc, "Эдуард Давыдовский").startswith("Председатель комитета по делам")
    assert doc.kind == "heritage"
    assert doc.event_kind == "meeting"
    assert "**" not in " ".join(passages(doc))
    # the paragraph broken after "для него" is joined again
    assert any("для него особая честь" in p for p in passages(doc))


def test_corpus_001(corpus: dict[str, Document]) -> None:
    doc = corpus["001"]
    assert doc.source_lang == "ru"
    assert doc.title == {
        "ru": "В Волгоградской области обсудили вопросы сотрудничества региона с Казахстаном"
    }
    assert (doc.date, doc.date_precision) == ("--02-03", "month-day")
    assert doc.date_note is not None and "--02-03" in doc.date_note
    assert "volgograd-region" in [*doc.places, *doc.mentioned_places]
    assert set(doc.countries) == {"RU", "KZ"}
    assert names(doc) == ["Андрей Бочаров", "Ермек Кошербаев"]
    assert role(doc, "Андрей Бочаров") == "глава Волгоградской области"
    assert "Посол Республики Казахстан" in role(doc, "Ермек Кошербаев")
    assert doc.event_kind == "meeting"
    assert all(p != doc.title["ru"] for p in passages(doc))  # the title is not a passage


def test_corpus_002(corpus: dict[str, Document]) -> None:
    doc = corpus["002"]
    assert doc.source_lang == "ru"
    assert doc.title["ru"].startswith("«Это еще один шаг в укреплении взаимоотношений")
    assert doc.title["ru"].endswith("в честь 80-летия Победы")
    assert doc.date is None  # "80-летие" and "на 2025 год" are not dates
    assert doc.places == ["almaty"]
    assert names(doc) == ["Абзал Нукенов", "Аида Балаева", "Антон Рыбаков", "Григорий Гуров"]
    assert role(doc, "Аида Балаева") == "министр культуры и информации РК"
    assert role(doc, "Абзал Нукенов").startswith("заведующий отделом внутренней политики")
    assert role(doc, "Григорий Гуров").startswith("руководитель российского Федерального")
    assert doc.event_kind == "conference"
    assert doc.kind == "heritage"
    assert not any(p.strip() == "logo" for p in passages(doc))


def test_corpus_003(corpus: dict[str, Document]) -> None:
    doc = corpus["003"]
    assert doc.source_lang == "ru"
    title = doc.title["ru"]
    assert title.startswith("В Талдыкоргане генеральный консул России в Алматы Дмитрий Тураев")
    assert len(title) <= MAX_TITLE
    # dateline "10 сентября" + publication date 2025-09-11 -> the event on 2025-09-10
    assert (doc.date, doc.date_precision) == ("2025-09-10", "day")
    assert doc.date_note is not None
    assert doc.date_note.startswith("dates in text: 2025-09-11, --09-10")
    assert "publication date 2025-09-11" in doc.date_note
    assert doc.places == ["taldykorgan"]
    assert "zhetysu-region" in doc.mentioned_places
    assert set(doc.countries) == {"RU", "KZ"}
    assert doc.credit == {"ru": "KAZAKHSTAN TODAY"}
    assert names(doc) == [
        "Дмитрий Тураев",
        "Диас Есдаулетов",
        "Ермек Абильтаевич Бурибаев",
        "Наталья Белик",
    ]
    assert "генеральный консул" in role(doc, "Дмитрий Тураев")
    assert role(doc, "Диас Есдаулетов") == "заместитель акима области Жетысу"
    assert role(doc, "Наталья Белик").startswith("руководитель Алматинского")
    assert doc.kind == "consular"
    texts = passages(doc)
    assert texts[0].startswith("В Талдыкоргане")  # the dateline is cut from the text
    assert not any(t.startswith(("date", "Талдыкорган.")) for t in texts)


def test_corpus_004(corpus: dict[str, Document]) -> None:
    doc = corpus["004"]
    assert doc.source_lang == "en"
    assert doc.title == {
        "en": "Members of the search movements of Russia and Kazakhstan signed a Memorandum "
        "of Cooperation"
    }
    assert (doc.date, doc.date_precision) == ("--05-07", "month-day")  # no year in the text
    assert doc.online
    assert doc.places == []
    assert {"russia", "kazakhstan", "kaluga-region"} <= set(doc.mentioned_places)
    people = names(doc)
    for name in (
        "Elena Tsunaeva",
        "Murat Moldagaliev",
        "Anton Torgashev",
        "Olga Zolotukhina",
        "Zhanar Bukanova",
        "Konstantin Vorobyov",
    ):
        assert name in people
    assert len(people) == len(set(people))
    assert "Chairman of the Board" in role(doc, "Murat Moldagaliev")
    assert role(doc, "Zhanar Bukanova").startswith("Head of the Rukhani Zhangyru Center")
    assert role(doc, "Konstantin Vorobyov").startswith("representative of Rossotrudnichestvo")
    assert "Adviser on International Cooperation" in role(doc, "Anton Torgashev")
    legkodymov = next(p for p in doc.people if "Legkodymov" in p.name["en"])
    assert "Lekhkodymov" in legkodymov.aliases
    assert doc.kind == "heritage"
    assert doc.event_kind == "agreement"
    texts = passages(doc)
    assert sum(t.count("Members of the search movements") for t in texts) == 0  # title x2
    assert texts[-1].endswith("concluded Murat Moldagaliev.")  # junk after it is gone
    # a paragraph broken before a quoted title is joined again
    assert any("virtual exhibition “Kazakhstan Soldiers" in t for t in texts)


# --------------------------------------------------------------------------
# inline texts
# --------------------------------------------------------------------------

KK_NEWS = """2025 жылғы 10 қыркүйекте Талдықорғанда Ресейдің Алматыдағы бас консулы Дмитрий \
Тураев Жетісу облысы әкімінің орынбасары Диас Есдәулетовпен кездесті. Тараптар \
сауда-экономикалық ынтымақтастық және бауырлас өңірлер туралы сөйлесті.

Сол күні Жетісу университетінде орыс тілі орталығының ашылу салтанаты өтті. Бас консулдық \
қызметкерлері отандастар үшін көшпелі консулдық қабылдау өткізді.
"""


def test_kazakh_news(gazetteer: Gazetteer) -> None:
    doc = parse_news(KK_NEWS, source="kk-news.txt", gazetteer=gazetteer)
    assert doc.source_lang == "kk"
    assert doc.id == "ingest-kk-news"
    assert (doc.date, doc.date_precision) == ("2025-09-10", "day")
    assert doc.places == ["taldykorgan"]
    assert "zhetysu-region" in doc.mentioned_places
    assert names(doc) == ["Дмитрий Тураев", "Диас Есдәулетов"]  # "-пен" removed
    assert role(doc, "Дмитрий Тураев") == "Ресейдің Алматыдағы бас консулы"
    assert role(doc, "Диас Есдәулетов") == "Жетісу облысы әкімінің орынбасары"
    assert doc.kind == "consular"
    assert set(doc.title) == {"kk"} and doc.title["kk"].startswith("2025 жылғы 10 қыркүйекте")
    assert len(doc.title["kk"]) <= MAX_TITLE
    assert all(set(p.text) == {"kk"} for p in doc.passages)


MARKDOWN = """---
title: Front matter is read
date: 2024-03-04
---

# Встреча в Астане

**Астана, 5 марта 2024 года.** Посол России в Казахстане [Алексей Бородавкин](https://x.org/a \
"t") встретился с _министром_ иностранных дел Республики Казахстан.

* Стороны обсудили `сотрудничество` в сфере __образования__ и культуры.
* ![logo](logo.png) Подписан *меморандум* о сотрудничестве, см. <https://example.com/x>.

> Цитата из выступления посла о дружбе народов двух стран.

---
| ---- |

RSS Print
Tags: посольство, встреча
Войти зарегистрироваться
"""


def test_markdown(gazetteer: Gazetteer) -> None:
    doc = parse_news(MARKDOWN, source="/uploads/Встреча в Астане.md", gazetteer=gazetteer)
    assert doc.id == "ingest-vstrecha-v-astane"
    assert doc.source == "Встреча в Астане.md"
    assert doc.title == {"ru": "Front matter is read"}
    assert doc.places == ["astana"]
    assert (doc.date, doc.date_precision) == ("2024-03-05", "day")  # the dateline wins
    assert doc.date_note is not None and "2024-03-04" in doc.date_note
    texts = passages(doc)
    joined = "\n".join(texts)
    for junk in ("**", "__", "`", "](", "http", "logo", "#", "|", "> ", "RSS", "Tags", "Войти"):
        assert junk not in joined, junk
    assert texts[0] == "Встреча в Астане"  # a second heading is content
    assert texts[1].startswith("Посол России в Казахстане Алексей Бородавкин встретился")
    assert "с министром иностранных дел" in joined
    assert "Подписан меморандум о сотрудничестве" in joined
    assert names(doc) == ["Алексей Бородавкин"]
    assert role(doc, "Алексей Бородавкин") == "Посол России в Казахстане"
    assert doc.event_kind in ("agreement", "meeting")


def test_inflected_names_are_made_nominative(gazetteer: Gazetteer) -> None:
    text = (
        "Глава области встретился с Сергеем Лавровым и Натальей Белик. Затем министр вручил "
        "награду Андрею Бочарову, а памятник имени Абая Кунанбаева открыли при участии "
        "генерального консула Юрия Иванова. Все участники остались довольны встречей."
    )
    doc = parse_news(text, source="names.txt", gazetteer=gazetteer)
    assert names(doc) == [
        "Сергей Лавров",
        "Наталья Белик",
        "Андрей Бочаров",
        "Абай Кунанбаев",
        "Юрий Иванов",
    ]
    assert role(doc, "Сергей Лавров") == ""  # "Глава области встретился с" is a clause
    assert role(doc, "Юрий Иванов") == "генеральный консул"
    assert doc.people[0].id == "sergey-lavrov"


def test_english_role_after_name(gazetteer: Gazetteer) -> None:
    text = (
        "Yesterday Konstantin Vorobyov said the exhibition was a success. Ambassador Alexey "
        "Borodavkin, Ambassador of Russia to Kazakhstan, attended the opening in Astana and "
        "thanked the organisers for their work on the project."
    )
    doc = parse_news(text, source="en.txt", gazetteer=gazetteer)
    assert doc.source_lang == "en"
    assert names(doc) == ["Konstantin Vorobyov", "Alexey Borodavkin"]
    assert role(doc, "Alexey Borodavkin") == "Ambassador of Russia to Kazakhstan"
    assert role(doc, "Konstantin Vorobyov") == ""


def test_publication_date_year_inference(gazetteer: Gazetteer) -> None:
    body = (
        "В Астане прошла встреча представителей деловых кругов двух стран, на которой "
        "обсуждались вопросы торговли и логистики."
    )
    near = parse_news(f"date 2025-09-11\n\n8 сентября {body}", source="a", gazetteer=gazetteer)
    assert near.date == "2025-09-08"
    far = parse_news(f"date 2025-09-11\n\n8 мая {body}", source="b", gazetteer=gazetteer)
    assert far.date == "2025-09-11"  # 8 May is not a recent event: the publication date
    none = parse_news(f"8 мая {body}", source="c", gazetteer=gazetteer)
    assert (none.date, none.date_precision) == ("--05-08", "month-day")
    assert none.date_note == "dates in text: --05-08; the date is the first date in the text"


def test_publication_date_beats_a_historical_date(gazetteer: Gazetteer) -> None:
    text = (
        "Опубликовано: 09.05.2025\n\nВ Астане прошёл парад в честь Победы. Ветераны вспомнили, "
        "как 9 мая 1945 года узнали о конце войны, и возложили цветы к мемориалу."
    )
    doc = parse_news(text, source="parade.txt", gazetteer=gazetteer)
    assert (doc.date, doc.date_precision) == ("2025-05-09", "day")
    assert doc.date_note == (
        "dates in text: 2025-05-09, 1945-05-09; the date is the publication date"
    )
    assert doc.kind == "heritage"


BODY_EN = (
    " The Consul General of Russia met students of the university and answered their "
    "questions about education in Russia."
)
BODY_KK = (
    " Ресейдің бас консулы университет студенттерімен кездесіп, олардың білім беру туралы "
    "сұрақтарына жауап берді."
)


@pytest.mark.parametrize(
    ("text", "date", "place", "credit", "start"),
    [
        ("ALMATY, Sept. 10 (Kazinform) -" + BODY_EN, "--09-10", "almaty", "Kazinform", "The"),
        ("Astana, 10 September 2025 -" + BODY_EN, "2025-09-10", "astana", "", "The"),
        ("Талдықорған. 10 қыркүйек. ҚазАқпарат -" + BODY_KK, "--09-10", "taldykorgan",
         "ҚазАқпарат", "Ресейдің"),
        ("Новости\n\n11.09.2025 10:35\n\nАлматы. 10 сентября. КАЗИНФОРМ - Генеральный консул "
         "России встретился со студентами университета и ответил на их вопросы об образовании.",
         "2025-09-10", "almaty", "КАЗИНФОРМ", "Генеральный"),
    ],
)  # fmt: skip
def test_datelines(
    gazetteer: Gazetteer, text: str, date: str, place: str, credit: str, start: str
) -> None:
    doc = parse_news(text, source="dateline.txt", gazetteer=gazetteer)
    assert doc.date == date
    assert doc.places == [place]
    assert doc.credit == ({doc.source_lang: credit} if credit else {})
    texts = passages(doc)
    assert texts[0].startswith(start)  # dateline, rubric and time line are not content
    assert doc.title[doc.source_lang].startswith(start)


def test_long_sentences_are_cut(gazetteer: Gazetteer) -> None:
    sentence = "В Алматы " + ", ".join(f"участник номер {i} выступил с докладом" for i in range(40))
    doc = parse_news(sentence + ".", source="long.txt", gazetteer=gazetteer)
    texts = passages(doc)
    assert len(texts) > 1
    assert all(len(t) <= MAX_PASSAGE for t in texts)
    assert " ".join(texts) == sentence + "."


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n\n  ", "empty"),
        ("Короткий текст о встрече.", "too_short"),
        (
            "logo\n\nRSS Print\n\nВойти зарегистрироваться\n\nTags: посольство, встреча\n\n"
            "---\n\nГолосовать могут только зарегистрированные пользователи.\n\nКороткая новость.",
            "too_short",
        ),
        ("12345 67890 ;;; ... !!! " * 40, "not_text"),
        ("abc\x00def " * 40, "binary"),
    ],
)
def test_parse_rejects(gazetteer: Gazetteer, text: str, reason: str) -> None:
    with pytest.raises(IngestError) as info:
        parse_news(text, source="bad.txt", gazetteer=gazetteer)
    assert info.value.reason == reason


# --------------------------------------------------------------------------
# uploads
# --------------------------------------------------------------------------

RU_TEXT = (
    "Сегодня, 3 февраля, глава Волгоградской области Андрей Бочаров провёл рабочую встречу "
    "с Чрезвычайным и Полномочным Послом Республики Казахстан Ермеком Кошербаевым.\n"
)


@pytest.mark.parametrize(
    "data",
    [
        RU_TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + RU_TEXT.encode("utf-8"),
        RU_TEXT.encode("utf-16"),  # with a BOM
        b"\xfe\xff" + RU_TEXT.encode("utf-16-be"),
        RU_TEXT.encode("cp1251"),
        RU_TEXT.replace("\n", "\r\n").encode("cp1251"),
    ],
)
def test_decode_upload(data: bytes) -> None:
    assert decode_upload(data) == RU_TEXT


def assert_rejected(data: bytes, reason: str, **kwargs: int) -> None:
    with pytest.raises(IngestError) as info:
        decode_upload(data, **kwargs)
    assert info.value.reason == reason


def test_decode_upload_rejects() -> None:
    rnd = random.Random(1)
    assert_rejected(b"", "empty")
    assert_rejected(b" \n\t ", "empty")
    assert_rejected(b"x" * 1_000_001, "too_large")
    assert_rejected(RU_TEXT.encode(), "too_large", max_bytes=100)
    assert_rejected(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "binary")
    assert_rejected(bytes(rnd.randrange(256) for _ in range(4000)), "binary")
    assert_rejected(b"text\x01\x02\x03\x04 with controls\x05\x06\x07" * 20, "binary")
    latin1 = "Café, résumé, naïve: à la carte. Ça va très bien, merci! Où est la gare? " * 5
    assert_rejected(latin1.encode("latin-1"), "encoding")
    garbage = bytes(rnd.choice([*range(0xA0, 0x100), 0x20, 0x20]) for _ in range(3000))
    assert_rejected(garbage, "encoding")


def test_upload_roundtrip(gazetteer: Gazetteer, tmp_path: Path) -> None:
    path = tmp_path / "news.txt"
    path.write_bytes((RU_TEXT * 2).encode("cp1251"))
    doc = parse_news(decode_upload(path.read_bytes()), source=str(path), gazetteer=gazetteer)
    assert doc.source == "news.txt"
    assert names(doc) == ["Андрей Бочаров", "Ермек Кошербаев"]
    assert doc.date == "--02-03"
