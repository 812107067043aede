"""The consular directory end to end against the devserver: offices found by city in any
spelling, by service and by location; a moderator adds an office and gives its address,
hours, booking link, contact, map point and services; a reception with a venue reaches
Events → Upcoming, Next receptions, the map, the announcement and the reminder; nothing
nobody gave is shown, and what is missing is said once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.config import Settings
from bot.consular import ConsularDirectory
from bot.i18n import create_i18n
from bot.reminders import reminder_announcement
from bot.runner import BotRunner
from bot.storage.roles import AuditRepo
from devserver import DevServer
from tests.bots import polling, with_own_data
from tests.chat import Chat

ADMIN_ID = 6100
USER_ID = 6102
TODAY = date(2026, 11, 22)
TOKEN = "123456:TEST-directory"
NOT_GIVEN = "Not given by the sources"


@pytest.fixture
def dir_settings(settings: Settings, tmp_path: Path) -> Settings:
    return with_own_data(settings, tmp_path, admin_ids=(ADMIN_ID,))


@pytest.fixture
async def bot(dir_settings: Settings, devserver: DevServer) -> AsyncIterator[BotRunner]:
    async with polling(dir_settings, devserver, token=TOKEN, today=lambda: TODAY) as runner:
        yield runner


def text_of(chat: Chat) -> str:
    return chat.last.text or ""


async def test_a_city_typed_in_russian_lists_the_office_there(
    devserver: DevServer, bot: BotRunner
) -> None:
    """The issue's case: "Алматы" said no receptions were known while /location found the
    Consulate General 0.4 km away."""
    chat = Chat(devserver, USER_ID, "ru")
    await chat.choose_language()
    await chat.send("/consular")
    await chat.press(label="🔎 По городу или региону")
    await chat.send("Алматы")
    assert "Генеральное консульство России в Алматы" in text_of(chat)
    office_button = next(lbl for lbl in chat.labels() if lbl.startswith("🏛"))
    await chat.press(label=office_button)
    card = text_of(chat)
    assert "Генеральное консульство" in card and "Представительство России в Казахстане" in card
    # What no source gives is said once, and nothing is made up.
    assert card.count("Не указано в источниках") == 1
    assert "☎️" not in card and "🏠" not in card and "🕘" not in card
    # Users get no edit button.
    assert not any("✏️" in lbl for lbl in chat.labels())


async def test_the_offices_list_groups_both_countries_missions(
    devserver: DevServer, bot: BotRunner
) -> None:
    chat = Chat(devserver, USER_ID, "kk")
    await chat.choose_language()
    await chat.send("/consular")
    await chat.press(label="🏛 Мекемелер")
    text = text_of(chat)
    assert "Ресейдің Қазақстандағы өкілдіктері" in text
    assert "Қазақстанның Ресейдегі өкілдіктері" in text
    assert "Ресейдің Алматыдағы Бас консулдығы" in text


async def test_a_moderator_adds_an_office_with_its_details_and_users_find_it(
    devserver: DevServer, bot: BotRunner
) -> None:
    admin = Chat(devserver, ADMIN_ID, "en")
    await admin.choose_language()
    await admin.send("/addoffice")
    assert "New consular office" in text_of(admin) and "Step 1 of 5" in text_of(admin)
    await admin.press(label="Kazakh mission in Russia")
    await admin.press(label="Consulate general")
    assert "city in Russia" in text_of(admin)
    await admin.send("Астана")  # a Kazakh mission is not in Kazakhstan
    assert "Kazakh missions are in Russia" in text_of(admin)
    await admin.send("Казань")
    assert "office's name in Russian" in text_of(admin)
    assert "at least one language is needed" in text_of(admin)  # said first, not last
    await admin.send("Генеральное консульство Казахстана в Казани")
    await admin.press(label="⏭ Skip")  # no Kazakh name
    await admin.send("Consulate General of Kazakhstan in Kazan")
    summary = text_of(admin)
    assert "Check the office and confirm." in summary and "Kazan" in summary
    assert "Name (Russian): Генеральное консульство Казахстана в Казани" in summary
    await admin.press(label="✅ Confirm")
    added = text_of(admin)
    assert "Office added." in added and "Consulate General of Kazakhstan in Kazan" in added
    assert added.count(NOT_GIVEN) == 1

    # the address in two languages, hours in Russian only
    await admin.press(label="🏠 Address")
    assert "address in Russian" in text_of(admin)
    await admin.send("ул. Островского, 1")
    await admin.press(label="⏭ Skip")
    await admin.send("1 Ostrovsky St")
    assert "Saved." in text_of(admin) and "Address: 1 Ostrovsky St" in text_of(admin)
    await admin.press(label="🕘 Opening hours")
    await admin.send("Пн–Пт 9:00–13:00")
    await admin.press(label="⏭ Skip")
    await admin.press(label="⏭ Skip")
    assert "Hours: Пн–Пт 9:00–13:00 (in Russian)" in text_of(admin)

    # a booking link is checked before it is stored
    await admin.press(label="📝 Booking link")
    await admin.send("javascript:alert(1)")
    assert "not a web address" in text_of(admin)
    await admin.send("https://example.org/book?office=kazan")
    await admin.press(label="☎️ Contact")
    await admin.send("+7 843 000-00-00")
    await admin.press(label="🗺 Map point")
    await admin.send("55.79 49.12")
    await admin.press(label="🧾 Services")
    await admin.press(label=next(lbl for lbl in admin.labels() if "passport" in lbl))
    await admin.press(label="➡️ Done")
    card = text_of(admin)
    assert "Contact: +7 843 000-00-00" in card and "Book an appointment" in card
    assert "foreign-travel passport" in card
    assert NOT_GIVEN not in card  # everything is given now
    links = [e for e in admin.last.data.get("entities", []) if e["type"] == "text_link"]
    assert [e["url"] for e in links] == ["https://example.org/book?office=kazan"]

    # every change is in the audit log
    assert bot.db is not None
    recent = await AuditRepo(bot.db).recent()
    assert [e.action for e in recent].count("consular.edit") == 6
    assert any(e.action == "office.add" for e in recent)

    # a user finds it by the city in another spelling, by service, and near the venue
    user = Chat(devserver, USER_ID, "kk")
    await user.choose_language()
    await user.send("/consular")
    await user.press(label="🔎 Қала не өңір бойынша")
    await user.send("Kazan")
    assert "Генеральное консульство Казахстана в Казани" in text_of(user)  # its own name only
    await user.press(label=next(lbl for lbl in user.labels() if lbl.startswith("🏛")))
    card = text_of(user)
    assert "Мекенжайы: ул. Островского, 1 (орысша)" in card
    await user.press(label="🗺 Картадан көрсету")
    venue = devserver.get_calls("sendVenue")[-1].params
    assert (float(venue["latitude"]), float(venue["longitude"])) == (55.79, 49.12)
    assert "Островского" in venue["address"]

    await user.send("/location 55.80 49.10")
    nearest = devserver.messages_to(USER_ID)[-2].text or ""
    assert nearest.splitlines()[1].endswith("Генеральное консульство Казахстана в Казани")


async def test_a_reception_with_a_venue_is_upcoming_mapped_announced_and_reminded(
    devserver: DevServer, bot: BotRunner
) -> None:
    admin = Chat(devserver, ADMIN_ID, "en")
    await admin.choose_language()
    await admin.send("/addreception")
    await admin.press(label="Consulate General of Russia in Almaty")
    await admin.send("Талдыкорган")
    await admin.send("15.12.2026")
    await admin.press(label=next(lbl for lbl in admin.labels() if "passport" in lbl))
    await admin.press(label="➡️ Done")
    await admin.send("Приём для соотечественников.")
    await admin.press(label="⏭ Skip")
    await admin.press(label="⏭ Skip")
    await admin.press(label="✅ Confirm")
    assert "Reception added." in text_of(admin)
    await admin.press(label="🏠 Address")
    await admin.send("Талдыкорган, ул. Тауелсиздик, 10")
    await admin.send("Талдықорған, Тәуелсіздік к-сі, 10")
    await admin.send("10 Tauelsizdik St, Taldykorgan")
    await admin.press(label="🗺 Map point")
    update = devserver.inject.location(ADMIN_ID, 45.017, 78.38)  # shared, not typed
    await devserver.wait_consumed(update, timeout=10)
    assert "Saved." in text_of(admin)
    assert any(lbl.startswith("📣 Announce to subscribers of") for lbl in admin.labels())

    user = Chat(devserver, USER_ID, "en")
    await user.choose_language()
    # Events → Upcoming lists it among the events, soonest first
    await user.send("/events")
    await user.press(label="⏭ Upcoming")
    assert any("Reception in Taldykorgan, 15 December 2026" in lbl for lbl in user.labels())
    # Consular → Next receptions
    await user.send("/consular")
    assert "1 upcoming reception." in text_of(user)
    await user.press(label="⏭ Next receptions")
    reception = next(lbl for lbl in user.labels() if "15 December 2026" in lbl)
    await user.press(label=reception)
    card = text_of(user)
    assert "Address: 10 Tauelsizdik St, Taldykorgan" in card
    assert card.count(NOT_GIVEN) == 1 and "the address" not in card.split(NOT_GIVEN)[1]
    await user.press(label="🗺 Show on the map")
    venue = devserver.get_calls("sendVenue")[-1].params
    assert (float(venue["latitude"]), float(venue["longitude"])) == (45.017, 78.38)
    assert venue["address"] == "10 Tauelsizdik St, Taldykorgan"

    # the reminder (and the announcement it is built on) carry the venue in each language
    consular: ConsularDirectory = bot.dp["consular"]
    upcoming = await consular.upcoming(TODAY)
    _audience, texts = await reminder_announcement(bot.kb, consular, upcoming[0], create_i18n("ru"))
    assert "Тәуелсіздік к-сі, 10" in texts["kk"] and "ул. Тауелсиздик, 10" in texts["ru"]
    assert "Consulate General of Russia in Almaty" in texts["en"]


async def test_users_cannot_edit_and_forged_edit_buttons_are_refused(
    devserver: DevServer, bot: BotRunner
) -> None:
    user = Chat(devserver, USER_ID, "en")
    await user.choose_language()
    answer = await user.press("mde:ru-consulate-general-almaty:1:venue", check=False)
    assert answer is not None and "for moderators only" in answer.get("text", "")
    admin = Chat(devserver, ADMIN_ID, "en")
    await admin.choose_language()
    answer = await admin.press("mde:o999999999999:1:", check=False)
    assert answer is not None and "no longer active" in answer.get("text", "")
