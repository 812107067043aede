"""Consular services: receptions and offices, found by city or region (any spelling),
by service, or by a location (shared with the reply keyboard's button on a phone, or
typed as `/location LAT LON` where a client cannot share one); reception cards with a
map point."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from aiogram import F, Router
from aiogram.filters import CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.cards import office_card, reception_card, reception_title, service_label, texts_in
from bot.commands import command
from bot.consular import ConsularDirectory, is_past
from bot.formatting import format_km
from bot.handlers.render import answer_stale, show
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Reception
from bot.keyboards.browse import (
    consular_home,
    location_request,
    reception_keyboard,
    reception_list,
    services_keyboard,
)
from bot.keyboards.callbacks import ConsularCB, MapCB, MenuCB, ReceptionCB, Section, ServiceCB
from bot.keyboards.common import main_menu

MAX_PLACE_QUERY = 100
#: `/location 43.24 76.95` (or `43.24, 76.95`): a location typed instead of shared.
_COORDINATES = re.compile(r"^\s*(-?\d{1,3}(?:[.,]\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:[.,]\d+)?)\s*$")


class ConsularSearch(StatesGroup):
    place = State()


def home_text(count: int) -> str:
    return "\n\n".join(
        [
            "🛂 <b>" + _("Consular services") + "</b>",
            _(
                "Consular receptions and offices known from the sources: passports, "
                "certificates of no criminal record, citizenship consultations."
            ),
            _("{count} reception is known.", "{count} receptions are known.", count).format(
                count=count
            ),
        ]
    )


async def cmd_consular(message: Message, consular: ConsularDirectory) -> None:
    count = len(await consular.receptions())
    await message.answer(home_text(count), reply_markup=consular_home())


def _label(kb: KnowledgeBase, reception: Reception, lang: str, today: date) -> str:
    """A reception's button and list label, marked when it is over."""
    label = reception_title(kb, reception, lang)
    return label + " · " + _("past") if is_past(reception, today) else label


def _items(
    kb: KnowledgeBase, receptions: list[Reception], lang: str, today: date
) -> list[tuple[str, str]]:
    return [(r.id, _label(kb, r, lang, today)) for r in receptions]


def _region_offer(
    consular: ConsularDirectory, place_id: str | None, lang: str
) -> tuple[str, str] | None:
    """(region id, name) to offer a subscription to, for a place's region."""
    region = consular.region_of(place_id) if place_id else None
    return (region.id, texts_in(region.name, lang)) if region else None


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
        await show(query, home_text(len(await consular.receptions())), consular_home())
    elif action == "list":
        await query.answer()
        receptions = await consular.receptions()
        text = "📋 <b>" + _("Consular receptions") + "</b>"
        if not receptions:
            text += "\n\n" + _("No receptions are known yet.")
        await show(query, text, reception_list(_items(kb, receptions, lang, today())))
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
    query: CallbackQuery, consular: ConsularDirectory, state: FSMContext
) -> None:
    await state.clear()
    await query.answer()
    await show(query, home_text(len(await consular.receptions())), consular_home())


async def on_place_typed(
    message: Message,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    i18n: I18n,
    state: FSMContext,
    today: Callable[[], date],
) -> None:
    lang = i18n.current_locale
    places = kb.gazetteer.find((message.text or "")[:MAX_PLACE_QUERY])
    if not places:
        await message.answer(
            _("I don't know this place. Try another spelling, or the name of the region.")
        )
        return  # stay in the state: the next line is another try
    await state.clear()
    place = places[0]
    ids = {p.id for p in places}
    receptions = await consular.in_places(ids)
    offer = _region_offer(consular, place.id, lang)
    name = texts_in(place.name, lang)
    if receptions:
        text = _("Receptions in {place}:").format(place=name)
    else:
        text = _("No receptions are known in {place}.").format(place=name)
        if offer:
            text += " " + _("Subscribe to hear when one is announced.")
    await message.answer(
        text, reply_markup=reception_list(_items(kb, receptions, lang, today()), offer)
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
    receptions = await consular.with_service(callback_data.key)
    label = service_label(kb, callback_data.key, lang)
    text = "🧾 <b>" + label + "</b>\n\n"
    text += _("Receptions offering it:") if receptions else _("No reception offering it is known.")
    await show(query, text, reception_list(_items(kb, receptions, lang, today())))


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
    found = _COORDINATES.match(command.args or "")
    lat = float(found.group(1).replace(",", ".")) if found else 91.0
    lon = float(found.group(2).replace(",", ".")) if found else 181.0
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        await message.answer(
            _(
                "Type the latitude and longitude after /location, for example "
                "/location 43.24 76.95."
            ),
        )
        return
    await state.clear()
    await nearest_to(message, lat, lon, consular, kb, i18n.current_locale, today)


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
    items = []
    for near in nearby:
        distance = format_km(near.km, lang)
        if near.kind == "reception":
            reception = await consular.reception(near.id)
            if reception is None:
                continue
            label = _label(kb, reception, lang, today())
            items.append((reception.id, f"{distance} · {label}"))
            lines.append(f"• {distance} — {label}")
        else:
            office = consular.office(near.id)
            if office is not None:
                lines.append(f"• {distance} — {texts_in(office.name, lang)}")
    # The reply keyboard asked for the location; this message takes it away again.
    await message.answer("\n".join(lines), reply_markup=ReplyKeyboardRemove())
    here = kb.gazetteer.nearest(lat, lon, limit=1)
    offer = _region_offer(consular, here[0][0].id if here else None, lang)
    offices = [n for n in nearby if n.kind == "office"]
    details = office_card(kb, offices[0].id, lang) if offices else _("Open a reception:")
    await message.answer(details, reply_markup=reception_list(items, offer))


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
) -> None:
    reception = await consular.reception(callback_data.id)
    if reception is None:
        await answer_stale(query)
        return
    await query.answer()
    lang = i18n.current_locale
    offer = _region_offer(consular, reception.region or reception.city, lang)
    card = reception_card(kb, reception, lang, past=is_past(reception, today()))
    await show(query, card, reception_keyboard(reception.id, offer))


async def on_map(
    query: CallbackQuery,
    callback_data: MapCB,
    consular: ConsularDirectory,
    kb: KnowledgeBase,
    i18n: I18n,
) -> None:
    reception = await consular.reception(callback_data.id)
    place = kb.gazetteer.by_id.get(reception.city) if reception else None
    if reception is None or place is None or place.lat is None or place.lon is None:
        await query.answer(_("The sources give no map point for this."), show_alert=True)
        return
    await query.answer()
    lang = i18n.current_locale
    if query.bot is not None:
        await query.bot.send_venue(
            query.from_user.id,
            latitude=place.lat,
            longitude=place.lon,
            title=reception_title(kb, reception, lang),
            address=_("{city}: city centre (the venue is not given in the sources)").format(
                city=texts_in(place.name, lang)
            ),
        )


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
    router.callback_query.register(on_map, MapCB.filter())
    return router
