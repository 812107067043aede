"""Issue 12's language, date and small fixes, through the real dispatcher polling the
devserver: what a ru, kk or en user (or a moderator) actually reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.formatting import format_kb_date, format_moment, sort_key
from bot.i18n import create_i18n
from bot.notify import reception_announcement
from bot.runner import BotRunner
from bot.storage.receptions import ReceptionRepo
from bot.storage.roles import ModeratorRepo
from devserver import DevServer
from tests.chat import Chat

UID = 4200
ADMIN = 4300
MOD = 4301
TODAY = date(2026, 11, 22)


@pytest.fixture
async def bot(settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    staff = settings.model_copy(update={"admin_ids": (ADMIN,)})
    runner = BotRunner(
        staff,
        token="123456:TEST",
        api_base=devserver.url,
        handle_as_tasks=False,
        today=lambda: TODAY,
    )
    async with runner:
        await devserver.wait_for_long_poll(timeout=10)
        yield runner


async def _event_card(chat: Chat, starts: str) -> str:
    """Open the event whose list label starts with `starts` (paging through the list)."""
    await chat.send("/events")
    for _ in range(5):
        found = [lbl for lbl in chat.labels() if lbl.startswith(starts)]
        if found:
            await chat.press(label=found[0])
            return (chat.last.text or "").replace("\u202f", " ")
        forward = [d for lbl, d in zip(chat.labels(), chat.datas(), strict=True) if lbl == "▶️"]
        assert forward, f"no event label starts with {starts!r}: {chat.labels()}"
        await chat.press(forward[0])
    raise AssertionError(starts)


# -- B: dates as precise as their source, one English style ---------------------------------


@pytest.mark.parametrize(
    ("lang", "label", "shown"),
    [
        ("ru", "7 мая ·", "7 мая (год не указан)"),
        ("kk", "7 мамыр ·", "7 мамыр (жылы көрсетілмеген)"),
        ("en", "7 May ·", "7 May (year not given)"),
    ],
)
async def test_memorandum_shown_without_the_inferred_year(
    devserver: DevServer, bot: BotRunner, lang: str, label: str, shown: str
) -> None:
    chat = Chat(devserver, UID, lang=lang)
    await chat.choose_language()
    card = await _event_card(chat, label)
    assert f"🗓 {shown}" in card and "2020" not in card
    # The year filter offers only the years the sources give.
    await chat.send("/events")
    await chat.press(label=next(lbl for lbl in chat.labels() if lbl.startswith("📆")))
    assert "2025" in chat.labels() and "2020" not in chat.labels()


async def test_english_dates_day_before_month(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, UID, lang="en")
    await chat.choose_language()
    await chat.send("/events")
    assert chat.labels()[0].startswith("10 September 2025 · ")
    card = await _event_card(chat, "10 September 2025")
    assert "🗓 10 September 2025" in card and "September 10" not in card
    assert "Kazakhstan Today, 11 September 2025" in card


def test_dates_and_times_one_style_without_seconds() -> None:
    zone = ZoneInfo("Asia/Almaty")
    moment = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    assert format_moment(moment, zone, "en") == "1 December 2026, 18:00"
    assert format_moment(moment, zone, "ru").replace("\u202f", " ") == "1 декабря 2026 г., 18:00"
    assert format_kb_date("--05-07", "month-day", "en") == "7 May"
    assert format_kb_date("2025-09", "month", "en") == "September 2025"


# -- C: undated cards, the city filter ------------------------------------------------------


async def test_undated_card_puts_no_calendar_before_a_place(
    devserver: DevServer, bot: BotRunner
) -> None:
    chat = Chat(devserver, UID, lang="ru")
    await chat.choose_language()
    card = await _event_card(chat, "дата не указана")
    lines = card.splitlines()
    assert "🗓 дата не указана" in lines and "📍 Волгоград" in lines
    assert not [line for line in lines if line.startswith("🗓") and "Волгоград" in line]


async def test_city_filter_lists_cities_only(devserver: DevServer, bot: BotRunner) -> None:
    chat = Chat(devserver, UID, lang="ru")
    await chat.choose_language()
    await chat.send("/events")
    await chat.press(label="🏙 Город")
    assert "Волгоград" in chat.labels() and "Алматы" in chat.labels()
    assert not [lbl for lbl in chat.labels() if "область" in lbl]


# -- A: regions in the reader's alphabet; D: subscribing from a reception card --------------


async def test_kazakh_regions_in_kazakh_alphabetical_order(
    devserver: DevServer, bot: BotRunner
) -> None:
    chat = Chat(devserver, UID, lang="kk")
    await chat.choose_language()
    await chat.send("/subscriptions")
    await chat.press("sv:regions:0")
    pages: list[list[str]] = []
    while True:
        pages.append([lbl.removeprefix("☐ ") for lbl in chat.labels() if lbl.startswith("☐")])
        if f"sv:regions:{len(pages)}" not in chat.datas():
            break
        await chat.press(f"sv:regions:{len(pages)}")
    where = next(i for i, page in enumerate(pages) if "Жетісу облысы" in page)
    assert where == 1, pages  # Абай, Ақмола, Ақтөбе, Алматы… then Жетісу on page 2
    kazakh = [name for page in pages for name in page][:20]  # Kazakhstan's, sorted first
    assert kazakh == sorted(kazakh, key=lambda name: sort_key(name, "kk"))
    assert kazakh.index("Ақмола облысы") < kazakh.index("Батыс Қазақстан облысы")


async def test_subscribing_from_a_reception_card_shows_the_regions_page_with_it(
    devserver: DevServer, bot: BotRunner
) -> None:
    chat = Chat(devserver, UID, lang="en")
    await chat.choose_language()
    await chat.send("/consular")
    await chat.press("c:list")
    await chat.press("cr:taldykorgan-2025-09-10")
    await chat.press("s:r:zhetysu-region:0")  # the card's "Subscribe to Zhetysu Region"
    assert "✅ Zhetysu Region" in chat.labels()


# -- D: reception cards ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "marked"),
    [
        ("en", "Note in Russian: Запись по телефону консульства."),
        ("kk", "Орыс тіліндегі ескертпе:"),
    ],
)
async def test_a_russian_only_note_is_marked_in_other_languages(
    devserver: DevServer, bot: BotRunner, lang: str, marked: str
) -> None:
    assert bot.db is not None and bot.kb is not None and bot.dp is not None
    reception = await ReceptionRepo(bot.db).add(
        office_id="ru-consulate-general-almaty",
        city_id="taldykorgan",
        region_id="zhetysu-region",
        date="2026-12-15",
        services=["passport"],
        note={"ru": "Запись по телефону консульства."},
    )
    chat = Chat(devserver, UID, lang=lang)
    await chat.choose_language()
    await chat.press(f"cr:{reception.id}", check=False)
    card = chat.last.text or ""
    assert marked in card
    # Upcoming: the advice to check first is there, once.
    tip = {"en": "before you go", "kk": "Барар алдында"}[lang]
    assert card.count(tip) == 1
    _audience, texts = await reception_announcement(
        bot.kb,
        bot.dp["consular"],
        reception,
        bot.i18n,  # type: ignore[arg-type]
    )
    assert "Note in Russian: Запись" in texts["en"] and "Орыс тіліндегі ескертпе:" in texts["kk"]
    assert "Примечание" not in texts["ru"] and "Запись по телефону" in texts["ru"]


async def test_no_receptions_in_a_place_reads_naturally_in_russian(
    devserver: DevServer, bot: BotRunner
) -> None:
    chat = Chat(devserver, UID, lang="ru")
    await chat.choose_language()
    await chat.send("/consular")
    await chat.press("c:city")
    reply = await chat.send("Атырау")
    assert (reply.text or "").startswith("Атырау: консульские учреждения и приёмы пока неизвестны.")
    assert "в месте" not in (reply.text or "")


# -- C: /cancel anywhere, commands in any case, staff help ----------------------------------


@pytest.mark.parametrize(
    ("lang", "nothing", "cancelled"),
    [
        ("ru", "Отменять нечего.", "Отменено."),
        ("kk", "Бас тартатын ештеңе жоқ.", "Бас тартылды."),
        ("en", "Nothing to cancel.", "Cancelled."),
    ],
)
async def test_cancel_outside_a_wizard_answers_politely(
    devserver: DevServer, bot: BotRunner, lang: str, nothing: str, cancelled: str
) -> None:
    chat = Chat(devserver, UID, lang=lang)
    await chat.choose_language()
    assert (await chat.send("/cancel")).text == nothing
    # A pending step (type a city) is ended by /cancel, and the next text is a question.
    await chat.send("/consular")
    await chat.press("c:city")
    await chat.send("/cancel")
    assert cancelled in chat.texts()[-2:][0]


@pytest.mark.parametrize(
    ("typed", "expected"), [("/START", "Welcome to Dostyq"), ("/Help", "How to use Dostyq")]
)
async def test_commands_ignore_case(
    devserver: DevServer, bot: BotRunner, typed: str, expected: str
) -> None:
    chat = Chat(devserver, UID, lang="en")
    await chat.choose_language()
    reply = await chat.send(typed)
    assert expected in (reply.text or "")
    assert "I don't know this command" not in (reply.text or "")


async def test_help_lists_staff_commands_to_staff_only(
    devserver: DevServer, bot: BotRunner
) -> None:
    assert bot.db is not None
    await ModeratorRepo(bot.db).add(MOD, added_by=ADMIN)
    admin = Chat(devserver, ADMIN, lang="en")
    await admin.choose_language()
    text = (await admin.send("/help")).text or ""
    assert "For moderators" in text and "/announce" in text and "/audit" in text
    mod = Chat(devserver, MOD, lang="kk")
    await mod.choose_language()
    text = (await mod.send("/help")).text or ""
    assert "Модераторларға" in text and "/addreception" in text and "/audit" not in text
    citizen = Chat(devserver, UID, lang="ru")
    await citizen.choose_language()
    text = (await citizen.send("/help")).text or ""
    assert "/history" in text and "/announce" not in text and "модератор" not in text


# -- A: plural forms and Kazakh wording -----------------------------------------------------


def test_plural_forms_follow_each_language() -> None:
    i18n = create_i18n("ru")
    one, many = "{count} upcoming reception.", "{count} upcoming receptions."
    ru = [i18n.gettext(one, many, n, locale="ru").format(count=n) for n in (1, 3, 5, 21)]
    assert ru == [
        "1 предстоящий приём.",
        "3 предстоящих приёма.",
        "5 предстоящих приёмов.",
        "21 предстоящий приём.",
    ]
    one, many = (
        "This text is too long ({count} character); the limit is {limit}.",
        "This text is too long ({count} characters); the limit is {limit}.",
    )
    text = i18n.gettext(one, many, 4101, locale="ru").format(count=4101, limit=4096)
    assert "4101 символ " in text
    assert i18n.gettext("Result {index} of {total}", locale="kk") == "Нәтиже: {index}/{total}"
