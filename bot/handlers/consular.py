"""Consular services: offices and receptions, found by city or region (any spelling),
by service, or by a location (shared with the reply keyboard's button on a phone, or
typed as `/location LAT LON` where a client cannot share one); reception cards with a
map point."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

from aiogram import F, Router
from aiogram.filters import CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.cards import texts_in
from bot.commands import command
from bot.consular import ConsularDirectory, find_places, is_past
from bot.consular import places as consular_places
from bot.consular_cards import given_in, office_card, reception_card, reception_title, service_label
from bot.formatting import format_km
from bot.handlers.render import answer_stale, show
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Office, Reception
from bot.keyboards.callbacks import (
    ConsularCB,
    MapCB,
    MenuCB,
    OfficeCB,
    OfficeMapCB,
    ReceptionCB,
    Section,
    ServiceCB,
)
from bot.keyboards.common import main_menu
from bot.keyboards.consular import (
    consular_home,
    directory_list,
    location_request,
    office_keyboard,
    reception_keyboard,
    services_keyboard,
)
from bot.middlewares.roles import USER
from bot.typed_input import parse_point


class ConsularSearch(StatesGroup):
    place = State()


def home_text(offices: int, upcoming: int) -> str:
    return "\n\n".join(
        [
            "🛂 <b>" + _("Consular services") + "</b>",
            _(
                "Consular offices and receptions known from the sources and from the "
                "moderators: passports, certificates of no criminal record, citizenship "
                "consultations."
            ),
            _("{count} office is known.", "{count} offices are known.", offices).format(
                count=offices
            )
            + " "
            + _("{count} upcoming reception.", "{count} upcoming receptions.", upcoming).format(
                count=upcoming
            ),
        ]
    )


async def home_screen(consular: ConsularDirectory, today: date) -> str:
    return home_text(len(await consular.offices()), len(await consular.upcoming(today)))


async def cmd_consular(
    message: Message, consular: ConsularDirectory, today: Callable[[], date]
) -> None:
    await message.answer(await home_screen(consular, today()), reply_markup=consular_home())


def _label(kb: KnowledgeBase, reception: Reception, lang: str, today: date) -> str:
    """A reception's button and list label, marked when it is over."""
    label = reception_title(kb, reception, lang)
    return label + " · " + _("past") if is_past(reception, today) else label


def _items(
    kb: KnowledgeBase, receptions: list[Reception], lang: str, today: date
) -> list[tuple[str, str]]:
    return [(r.id, _label(kb, r, lang, today)) for r in receptions]


def _office_label(kb: KnowledgeBase, office: Office, lang: str) -> str:
    return f"{texts_in(office.name, lang)}, {consular_places(kb).name(office.city, lang)}"


def _office_items(kb: KnowledgeBase, offices: list[Office], lang: str) -> list[tuple[str, str]]:
    return [(o.id, texts_in(o.name, lang)) for o in offices]


def _region_offer(
    consular: ConsularDirectory, place_id: str | None, lang: str
) -> tuple[str, str] | None:
    """(region id, name) to offer a subscription to, for a place's region."""
    region = consular.region_of(place_id) if place_id else None
    return (region.id, texts_in(region.name, lang)) if region else None


async def offices_screen(
    consular: ConsularDirectory, kb: KnowledgeBase, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Every office, Russia's missions in Kazakhstan and then Kazakhstan's in Russia."""
    offices = await consular.offices(lang)
    lines = ["🏛 <b>" + _("Consular offices") + "</b>"]
    for country, heading in (
        ("RU", _("Russian missions in Kazakhstan")),
        ("KZ", _("Kazakh missions in Russia")),
    ):
        group = [o for o in offices if o.country == country]
        lines += ["", "<b>" + heading + "</b>"]
        lines += [f"• {escape(_office_label(kb, o, lang))}" for o in group]
        if not group:
            lines.append(_("None is known yet."))
    return "\n".join(lines), directory_list([], None, _office_items(kb, offices, lang))


async def on_consular(
    query: CallbackQuery,
    callback_data: ConsularCB,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    i18n: I18n,
    state: FSMContext,
    today: Callable[[], date],
) -> None:
    lang = i18n.current_locale
    action = callback_data.action
    await state.clear()
    if action == "home":
        await query.answer()
        await show(query, await home_screen(consular, today()), consular_home())
    elif action == "next":
        await query.answer()
        upcoming = await consular.upcoming(today())
        text = "⏭ <b>" + _("Next receptions") + "</b>\n\n"
        if upcoming:
            text += _("Soonest first:")
        else:
            text += _(
                "No upcoming receptions are known. Subscribe to your region to hear when "
                "one is announced."
            )
        await show(query, text, directory_list(_items(kb, upcoming, lang, today())))
    elif action == "list":
        await query.answer()
        receptions = await consular.receptions()
        text = "📋 <b>" + _("Consular receptions") + "</b>"
        if not receptions:
            text += "\n\n" + _("No receptions are known yet.")
        await show(query, text, directory_list(_items(kb, receptions, lang, today())))
    elif action == "offices":
        await query.answer()
        await show(query, *await offices_screen(consular, kb, lang))
    elif action == "services":
        await query.answer()
        items = [(key, service_label(kb, key, lang)) for key in kb.catalog.services]
        await show(query, "🧾 " + _("Which service do you need?"), services_keyboard(items))
    elif action == "city":
        await query.answer()
        await state.set_state(ConsularSearch.place)
        await show(
            query,
            "🔎 "
            + _(
                "Type a city or region in any language or spelling, for example "
                "Талдықорған, Taldykorgan or Жетысу."
            ),
        )
    elif action == "near":
        await query.answer()
        if query.bot is not None:
            # A reply keyboard with the "share my location" button (phones) and Cancel;
            # it hides after one use, and the answer to the location removes it.
            await query.bot.send_message(
                query.from_user.id,
                _("Share your location and I will list the nearest receptions and offices.")
                + "\n"
                + _(
                    "On a computer, type /location with the latitude and longitude, "
                    "for example /location 43.24 76.95."
                ),
                reply_markup=location_request(),
            )
    else:
        await answer_stale(query)


async def on_consular_menu(
    query: CallbackQuery,
    consular: ConsularDirectory,
    state: FSMContext,
    today: Callable[[], date],
) -> None:
    await state.clear()
    await query.answer()
    await show(query, await home_screen(consular, today()), consular_home())


async def on_place_typed(
    message: Message,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    i18n: I18n,
    state: FSMContext,
    today: Callable[[], date],
) -> None:
    """Offices and receptions in a city or region typed in any language or spelling."""
    lang = i18n.current_locale
    places = find_places(kb, message.text or "")
    if not places:
        await message.answer(
            _("I don't know this place. Try another spelling, or the name of the region.")
        )
        return  # stay in the state: the next line is another try
    await state.clear()
    place = places[0]
    ids = {p.id for p in places}
    offices = await consular.offices_in(ids, lang)
    receptions = await consular.in_places(ids)
    offer = _region_offer(consular, place.id, lang)
    name = texts_in(place.name, lang)
    lines = []
    if offices:
        lines.append(
            _(
                "{count} consular office in {place}:",
                "{count} consular offices in {place}:",
                len(offices),
            ).format(count=len(offices), place=name)
        )
        lines += [f"• {_office_label(kb, o, lang)}" for o in offices]
    if receptions:
        lines.append(_("Receptions in {place}:").format(place=name))
    elif not offices:
        lines.append(
            _("No consular offices or receptions are known in {place}.").format(place=name)
        )
    else:
        lines.append(_("No receptions are known in {place}.").format(place=name))
    if not receptions and offer:
        lines[-1] += " " + _("Subscribe to hear when one is announced.")
    await message.answer(
        escape("\n".join(lines)),
        reply_markup=directory_list(
            _items(kb, receptions, lang, today()), offer, _office_items(kb, offices, lang)
        ),
    )


async def on_service(
    query: CallbackQuery,
    callback_data: ServiceCB,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    i18n: I18n,
    today: Callable[[], date],
) -> None:
    lang = i18n.current_locale
    if callback_data.key not in kb.catalog.services:
        await answer_stale(query)
        return
    await query.answer()
    offices = await consular.offices_with(callback_data.key, lang)
    receptions = await consular.with_service(callback_data.key)
    label = service_label(kb, callback_data.key, lang)
    lines = ["🧾 <b>" + escape(label) + "</b>", ""]
    if offices:
        lines.append(escape(_("Offices offering it:")))
        lines += [f"• {escape(_office_label(kb, o, lang))}" for o in offices]
    if receptions:
        lines.append(escape(_("Receptions offering it:")))
    if not offices and not receptions:
        lines.append(escape(_("No office or reception offering it is known.")))
    markup = directory_list(
        _items(kb, receptions, lang, today()), None, _office_items(kb, offices, lang)
    )
    await show(query, "\n".join(lines), markup)


async def on_location(
    message: Message,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    i18n: I18n,
    state: FSMContext,
    today: Callable[[], date],
) -> None:
    """A location shared with the button (or from the attachment menu)."""
    await state.clear()
    assert message.location is not None
    location = message.location
    await nearest_to(
        message, location.latitude, location.longitude, consular, kb, i18n.current_locale, today
    )


async def cmd_location(
    message: Message,
    command: CommandObject,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    i18n: I18n,
    state: FSMContext,
    today: Callable[[], date],
) -> None:
    """`/location LAT LON`: the same answer for a typed location."""
    point = parse_point(command.args or "")
    if point is None:
        await message.answer(
            _(
                "Type the latitude and longitude after /location, for example "
                "/location 43.24 76.95."
            ),
        )
        return
    await state.clear()
    await nearest_to(message, *point, consular, kb, i18n.current_locale, today)


async def nearest_to(
    message: Message,
    lat: float,
    lon: float,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    lang: str,
    today: Callable[[], date],
) -> None:
    """The nearest receptions and offices; the first answer removes the reply keyboard
    that asked for the location."""
    nearby = await consular.nearest(lat, lon)
    if not nearby:
        await message.answer(
            _("No receptions or offices with known coordinates."),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    lines = ["📍 <b>" + _("Nearest to you") + "</b>"]
    receptions, offices = [], []
    for near in nearby:
        distance = format_km(near.km, lang)
        if isinstance(near.item, Reception):
            label = _label(kb, near.item, lang, today())
            receptions.append((near.item.id, f"{distance} · {label}"))
        else:
            label = texts_in(near.item.name, lang)
            offices.append((near.item.id, f"{distance} · {label}"))
        lines.append(f"• {distance} — {escape(label)}")
    # The reply keyboard asked for the location; this message takes it away again.
    await message.answer("\n".join(lines), reply_markup=ReplyKeyboardRemove())
    here = kb.gazetteer.nearest(lat, lon, limit=1)
    offer = _region_offer(consular, here[0][0].id if here else None, lang)
    office = next((n.item for n in nearby if isinstance(n.item, Office)), None)
    details = office_card(kb, office, lang) if office else _("Open a reception:")
    await message.answer(details, reply_markup=directory_list(receptions, offer, offices))


async def on_cancel_location(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("Cancelled."), reply_markup=ReplyKeyboardRemove())
    await message.answer(_("Main menu"), reply_markup=main_menu())


async def on_reception(
    query: CallbackQuery,
    callback_data: ReceptionCB,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    i18n: I18n,
    today: Callable[[], date],
    role: str = USER,
) -> None:
    reception = await consular.reception(callback_data.id)
    if reception is None:
        await answer_stale(query)
        return
    await query.answer()
    lang = i18n.current_locale
    offer = _region_offer(consular, reception.region or reception.city, lang)
    office = await consular.office(reception.office)
    card = reception_card(kb, reception, lang, past=is_past(reception, today()), office=office)
    await show(query, card, reception_keyboard(reception.id, offer, staff=role != USER))


async def on_office(
    query: CallbackQuery,
    callback_data: OfficeCB,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    i18n: I18n,
    today: Callable[[], date],
    role: str = USER,
) -> None:
    """An office's card, with its upcoming receptions."""
    office = await consular.office(callback_data.id)
    if office is None:
        await answer_stale(query)
        return
    await query.answer()
    lang = i18n.current_locale
    upcoming = [r for r in await consular.upcoming(today()) if r.office == office.id]
    markup = office_keyboard(office.id, _items(kb, upcoming, lang, today()), staff=role != USER)
    await show(query, office_card(kb, office, lang), markup)


async def on_map(
    query: CallbackQuery,
    callback_data: MapCB | OfficeMapCB,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    i18n: I18n,
) -> None:
    """The venue's point and address when a moderator gave them; else the city's centre,
    said to be that."""
    lang = i18n.current_locale
    item: Office | Reception | None
    if isinstance(callback_data, OfficeMapCB):
        item = await consular.office(callback_data.id)
        title = texts_in(item.name, lang) if item else ""
    else:
        item = await consular.reception(callback_data.id)
        title = reception_title(kb, item, lang) if item else ""
    point = consular.map_point(item) if item else None
    if item is None or point is None:
        await query.answer(_("The sources give no map point for this."), show_alert=True)
        return
    await query.answer()
    city = consular_places(kb).name(item.city, lang)
    if point.at_venue:
        address = given_in(item.venue, lang) or city
    else:
        address = _("{city}: city centre (the venue is not given in the sources)").format(city=city)
    if query.bot is not None:
        await query.bot.send_venue(
            query.from_user.id, latitude=point.lat, longitude=point.lon, title=title,
            address=address,
        )  # fmt: skip


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_consular, command("consular"))
    router.message.register(cmd_location, command("location"))
    router.message.register(on_location, F.location)
    router.message.register(on_cancel_location, F.text == __("Cancel"))
    router.message.register(
        on_place_typed, StateFilter(ConsularSearch.place), F.text, ~F.text.startswith("/")
    )
    router.callback_query.register(on_consular_menu, MenuCB.filter(F.section == Section.consular))
    router.callback_query.register(on_consular, ConsularCB.filter())
    router.callback_query.register(on_service, ServiceCB.filter())
    router.callback_query.register(on_reception, ReceptionCB.filter())
    router.callback_query.register(on_office, OfficeCB.filter())
    router.callback_query.register(on_map, MapCB.filter())
    router.callback_query.register(on_map, OfficeMapCB.filter())
    return router
