"""Moderators add consular receptions (/addreception) and events (/addevent).

Both are step-by-step wizards (FSM) that can be cancelled at every step with the
Cancel button or /cancel; nothing is stored before the final Confirm.

Reception: office -> city (typed, any spelling) -> date -> services (toggles) ->
note in ru -> kk -> en (each skippable, at least one) -> summary -> Confirm.
Event: title in ru -> kk -> en (at least one) -> date -> city -> kind ->
summary in ru -> kk -> en (skippable) -> summary -> Confirm.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.cards import event_card, event_kind_label, reception_card, service_label, texts_in
from bot.config import LOCALES
from bot.consular import ConsularDirectory, is_past
from bot.formatting import format_kb_date
from bot.handlers.moderation.documents import language_name
from bot.handlers.render import show
from bot.kb.catalog import short_key
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Document, Passage, Place, Texts
from bot.keyboards.callbacks import ContentCB, ReceptionAnnounceCB
from bot.services import Services
from bot.services.documents import DocumentService

log = logging.getLogger(__name__)

MAX_PLACE_QUERY = 100
MAX_NOTE = 1000
MAX_TITLE = 200
MAX_SUMMARY = 1500
MIN_YEAR, MAX_YEAR = 1900, 2100
EVENT_KINDS = ("meeting", "conference", "agreement", "reception", "visit")
STEPS = 6  # both wizards: five steps and the confirmation

# callback actions (ContentCB.action)
OFFICE, SERVICE, SERVICES_DONE, KIND = "office", "svc", "svc_done", "kind"
SKIP, CONFIRM, CANCEL = "skip", "confirm", "cancel"


class AddReception(StatesGroup):
    office = State()
    city = State()
    date = State()
    services = State()
    note_ru = State()
    note_kk = State()
    note_en = State()
    confirm = State()


class AddEvent(StatesGroup):
    title_ru = State()
    title_kk = State()
    title_en = State()
    date = State()
    city = State()
    kind = State()
    summary_ru = State()
    summary_kk = State()
    summary_en = State()
    confirm = State()


def _name(state: State) -> str:
    assert state.state is not None
    return state.state


# A typed text per language: state -> (field in the FSM data, language, next state, step)
LANG_STEPS: dict[str, tuple[str, str, State, int]] = {
    _name(AddReception.note_ru): ("note", "ru", AddReception.note_kk, 5),
    _name(AddReception.note_kk): ("note", "kk", AddReception.note_en, 5),
    _name(AddReception.note_en): ("note", "en", AddReception.confirm, 5),
    _name(AddEvent.title_ru): ("title", "ru", AddEvent.title_kk, 1),
    _name(AddEvent.title_kk): ("title", "kk", AddEvent.title_en, 1),
    _name(AddEvent.title_en): ("title", "en", AddEvent.date, 1),
    _name(AddEvent.summary_ru): ("summary", "ru", AddEvent.summary_kk, 5),
    _name(AddEvent.summary_kk): ("summary", "kk", AddEvent.summary_en, 5),
    _name(AddEvent.summary_en): ("summary", "en", AddEvent.confirm, 5),
}
BUTTON_STEPS = {
    _name(s)
    for s in (AddReception.office, AddReception.services, AddReception.confirm, AddEvent.kind)
} | {_name(AddEvent.confirm)}
LIMITS = {"note": MAX_NOTE, "title": MAX_TITLE, "summary": MAX_SUMMARY}
REQUIRED = {"note", "title"}  # at least one language must be given


def step_over() -> str:
    return _("This step is over. Continue with the latest message.")


def _short(state: str) -> str:
    """'AddReception:note_ru' -> 'note_ru' (a Skip button names the step it skips)."""
    return state.rsplit(":", 1)[-1]


# -- texts and keyboards ---------------------------------------------------------------------


def header(is_event: bool, step: int) -> str:
    title = _("New event") if is_event else _("New consular reception")
    icon = "📅" if is_event else "🛂"
    progress = _("Step {step} of {total}").format(step=step, total=STEPS)
    return f"{icon} <b>{escape(title)}</b> · {escape(progress)}"


def cancel_button(builder: InlineKeyboardBuilder) -> None:
    builder.button(text="✖️ " + _("Cancel"), callback_data=ContentCB(action=CANCEL))


def cancel_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    cancel_button(builder)
    return builder.as_markup()


def skip_keyboard(state: str, *, can_skip: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if can_skip:
        builder.button(
            text="⏭ " + _("Skip"), callback_data=ContentCB(action=SKIP, value=_short(state))
        )
    cancel_button(builder)
    builder.adjust(2)
    return builder.as_markup()


def confirm_keyboard(what: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="✅ " + _("Confirm"), callback_data=ContentCB(action=CONFIRM, value=what))
    cancel_button(builder)
    builder.adjust(2)
    return builder.as_markup()


def date_hint(today: date) -> str:
    return _("Type the date as YYYY-MM-DD or DD.MM.YYYY, for example {iso} or {dotted}.").format(
        iso=today.isoformat(), dotted=today.strftime("%d.%m.%Y")
    )


def lang_prompt(field: str, lang: str, *, required: bool) -> str:
    if field == "note":
        if required:
            return _("Type the note in English. At least one note is needed.")
        return {
            "ru": _("Type the note in Russian, or press Skip."),
            "kk": _("Type the note in Kazakh, or press Skip."),
            "en": _("Type the note in English, or press Skip."),
        }[lang]
    if field == "title":
        if required:
            return _("Type the title in English. At least one title is needed.")
        return {
            "ru": _("Type the event title in Russian, or press Skip."),
            "kk": _("Type the event title in Kazakh, or press Skip."),
            "en": _("Type the event title in English, or press Skip."),
        }[lang]
    return {
        "ru": _("Type a short summary in Russian (2–3 sentences), or press Skip."),
        "kk": _("Type a short summary in Kazakh (2–3 sentences), or press Skip."),
        "en": _("Type a short summary in English (2–3 sentences), or press Skip."),
    }[lang]


def lang_step_screen(state: str, data: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    field, lang, _next, step = LANG_STEPS[state]
    given: dict[str, str] = data.get(field, {})
    required = field in REQUIRED and lang == LOCALES[-1] and not given
    lines = [header(field != "note", step), ""]
    if field == "note" and lang == "ru":
        lines.append(
            escape(
                _(
                    "The note is shown on the reception card: who it is for, what to bring. "
                    "Give only facts you know; no guessed address, hours or fees."
                )
            )
        )
    lines.append(escape(lang_prompt(field, lang, required=required)))
    return "\n".join(lines), skip_keyboard(state, can_skip=not required)


def parse_date(text: str) -> date | None:
    """'2025-09-10' or '10.09.2025' (one-digit day and month allowed) -> a date."""
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    else:
        return None
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_city(kb: KnowledgeBase, text: str, lang: str) -> tuple[Place | None, str]:
    """The city named in `text`, or None and why (unknown, or a region/country)."""
    places = kb.gazetteer.find(text[:MAX_PLACE_QUERY])
    for place in places:
        if place.kind == "city":
            return place, ""
    if not places:
        return None, _(
            "I don't know this city. Try another spelling, for example Талдықорған or Taldykorgan."
        )
    place = places[0]
    name = texts_in(place.name, lang)
    if place.centre:
        return None, _("{place} is not a city. Type the city, for example {centre}.").format(
            place=name, centre=kb.gazetteer.name(place.centre, lang)
        )
    return None, _("{place} is not a city. Type the name of a city.").format(place=name)


def place_with_region(consular: ConsularDirectory, kb: KnowledgeBase, city: str, lang: str) -> str:
    name = kb.gazetteer.name(city, lang)
    region = consular.region_of(city)
    if region is not None and region.id != city:
        name += ", " + texts_in(region.name, lang)
    return name


def texts_lines(field: str, texts: dict[str, str]) -> list[str]:
    """'Note (Russian): …' for every language given, escaped."""
    lines = []
    for lang in LOCALES:
        if lang not in texts:
            continue
        if field == "note":
            template = _("Note ({language}): {text}")
        elif field == "title":
            template = _("Title ({language}): {text}")
        else:
            template = _("Summary ({language}): {text}")
        icon = "📄 " if field == "title" else "📝 "
        text = template.format(language=language_name(lang), text=texts[lang])
        lines.append(icon + escape(text))
    return lines


# -- shared steps ----------------------------------------------------------------------------


async def cmd_cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(escape(_("Cancelled. Nothing was saved.")))


async def on_cancel(query: CallbackQuery, state: FSMContext) -> None:
    current = await state.get_state()
    if current is None or (current not in AddReception and current not in AddEvent):
        await query.answer(_("Nothing to cancel."))
        if isinstance(query.message, Message):
            await show(query, escape(_("Nothing to cancel.")))
        return
    await state.clear()
    await query.answer()
    await show(query, escape(_("Cancelled. Nothing was saved.")))


async def on_stale_button(query: CallbackQuery) -> None:
    """A wizard button from an earlier step or an ended wizard."""
    await query.answer(step_over(), show_alert=True)


async def wrong_input(message: Message, state: FSMContext) -> None:
    """Something other than the expected text inside a wizard (a sticker, a photo, or
    text where a button is expected)."""
    current = await state.get_state()
    if current in BUTTON_STEPS:
        text = _("Please use the buttons above, or send /cancel to stop.")
    else:
        text = _("Please type the text, or send /cancel to stop.")
    await message.answer(escape(text), reply_markup=cancel_keyboard())


async def on_lang_text(
    message: Message,
    state: FSMContext,
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    i18n: I18n,
    today: Callable[[], date],
) -> None:
    current = await state.get_state()
    assert current is not None and current in LANG_STEPS
    field, lang, _next, _step = LANG_STEPS[current]
    text = (message.text or "").strip()
    if not text:
        await wrong_input(message, state)
        return
    if len(text) > LIMITS[field]:
        await message.answer(
            escape(_("This is too long: at most {limit} characters.").format(limit=LIMITS[field]))
        )
        return
    data = await state.get_data()
    given: dict[str, str] = dict(data.get(field, {}))
    given[lang] = text
    await state.update_data({field: given})
    await _next_step(message, state, current, kb, consular, i18n.current_locale, today())


async def on_skip(
    query: CallbackQuery,
    callback_data: ContentCB,
    state: FSMContext,
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    i18n: I18n,
    today: Callable[[], date],
) -> None:
    current = await state.get_state()
    if current is None or current not in LANG_STEPS or _short(current) != callback_data.value:
        await query.answer(step_over(), show_alert=True)
        return
    field, lang, _next, _step = LANG_STEPS[current]
    data = await state.get_data()
    if field in REQUIRED and lang == LOCALES[-1] and not data.get(field):
        await query.answer(_("At least one language is needed."), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await show(query, (query.message.html_text or "") + "\n\n⏭ " + escape(_("Skipped.")))
    await _next_step(query.message, state, current, kb, consular, i18n.current_locale, today())


async def _next_step(
    message: Message,
    state: FSMContext,
    current: str,
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    lang: str,
    today: date,
) -> None:
    """After a language step: the next language, or the wizard's next step."""
    _field, _lang, nxt, _step = LANG_STEPS[current]
    await state.set_state(nxt)
    data = await state.get_data()
    if _name(nxt) in LANG_STEPS:
        text, markup = lang_step_screen(_name(nxt), data)
    elif nxt == AddEvent.date:
        text, markup = header(True, 2) + "\n\n" + escape(date_hint(today)), cancel_keyboard()
    elif nxt == AddReception.confirm:
        text, markup = await reception_summary(data, kb, consular, lang, today)
    else:
        text, markup = event_summary(data, kb, lang, today)
    await message.answer(text, reply_markup=markup)


# -- reception ---------------------------------------------------------------------------------


async def cmd_add_reception(
    message: Message, state: FSMContext, kb: KnowledgeBase, i18n: I18n
) -> None:
    await state.clear()
    offices = kb.catalog.offices
    if not offices:
        await message.answer(
            escape(_("No consular offices are known. Add one to data/consular.toml first."))
        )
        return
    lang = i18n.current_locale
    builder = InlineKeyboardBuilder()
    for office_id, office in offices.items():
        builder.button(
            text=texts_in(office.name, lang) or office_id,
            callback_data=ContentCB(action=OFFICE, value=short_key(office_id)),
        )
    cancel_button(builder)
    builder.adjust(1)
    await state.set_state(AddReception.office)
    await message.answer(
        header(False, 1) + "\n\n" + escape(_("Which office holds the reception?")),
        reply_markup=builder.as_markup(),
    )


async def on_office(
    query: CallbackQuery,
    callback_data: ContentCB,
    state: FSMContext,
    kb: KnowledgeBase,
    i18n: I18n,
) -> None:
    office = next(
        (o for o in kb.catalog.offices.values() if short_key(o.id) == callback_data.value), None
    )
    if office is None:
        await query.answer(step_over(), show_alert=True)
        return
    await query.answer()
    await state.update_data(office=office.id)
    await state.set_state(AddReception.city)
    lang = i18n.current_locale
    text = "\n".join(
        [
            header(False, 2),
            "",
            "🏛 " + escape(texts_in(office.name, lang)),
            "",
            escape(
                _("Type the city where the reception takes place, in any language or spelling.")
            ),
        ]
    )
    await show(query, text, cancel_keyboard())


async def on_reception_city(
    message: Message,
    state: FSMContext,
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    i18n: I18n,
    today: Callable[[], date],
) -> None:
    lang = i18n.current_locale
    city, problem = resolve_city(kb, message.text or "", lang)
    if city is None:
        await message.answer(escape(problem), reply_markup=cancel_keyboard())
        return
    await state.update_data(city=city.id)
    await state.set_state(AddReception.date)
    text = "\n".join(
        [
            header(False, 3),
            "",
            "📍 " + escape(place_with_region(consular, kb, city.id, lang)),
            "",
            escape(date_hint(today())),
        ]
    )
    await message.answer(text, reply_markup=cancel_keyboard())


def services_keyboard(kb: KnowledgeBase, chosen: list[str], lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for key in kb.catalog.services:
        mark = "☑️" if key in chosen else "⬜️"
        builder.button(
            text=f"{mark} {service_label(kb, key, lang)}",
            callback_data=ContentCB(action=SERVICE, value=short_key(key)),
        )
    builder.button(text="➡️ " + _("Done"), callback_data=ContentCB(action=SERVICES_DONE))
    cancel_button(builder)
    builder.adjust(*([1] * len(kb.catalog.services)), 2)
    return builder.as_markup()


def services_text(past: bool, day: date, lang: str) -> str:
    lines = [
        header(False, 4),
        "",
        "🗓 " + escape(format_kb_date(day.isoformat(), "day", lang) or ""),
    ]
    if past:
        lines.append("⚠️ " + escape(_("This date is in the past. You can go on, or cancel.")))
    lines += ["", escape(_("Choose the services offered (at least one), then press Done."))]
    return "\n".join(lines)


async def on_reception_date(
    message: Message,
    state: FSMContext,
    kb: KnowledgeBase,
    i18n: I18n,
    today: Callable[[], date],
) -> None:
    day = parse_date(message.text or "")
    if day is None:
        await message.answer(
            escape(_("I can't read this date.") + " " + date_hint(today())),
            reply_markup=cancel_keyboard(),
        )
        return
    await state.update_data(date=day.isoformat(), services=[])
    await state.set_state(AddReception.services)
    lang = i18n.current_locale
    await message.answer(
        services_text(day < today(), day, lang), reply_markup=services_keyboard(kb, [], lang)
    )


async def on_service_toggle(
    query: CallbackQuery,
    callback_data: ContentCB,
    state: FSMContext,
    kb: KnowledgeBase,
    i18n: I18n,
    today: Callable[[], date],
) -> None:
    key = next((k for k in kb.catalog.services if short_key(k) == callback_data.value), None)
    if key is None:
        await query.answer(step_over(), show_alert=True)
        return
    await query.answer()
    data = await state.get_data()
    chosen: list[str] = list(data.get("services", []))
    if key in chosen:
        chosen.remove(key)
    else:
        chosen.append(key)
    await state.update_data(services=chosen)
    lang = i18n.current_locale
    day = date.fromisoformat(data["date"])
    await show(query, services_text(day < today(), day, lang), services_keyboard(kb, chosen, lang))


async def on_services_done(query: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    if not data.get("services"):
        await query.answer(_("Choose at least one service."), show_alert=True)
        return
    await query.answer()
    state_name = AddReception.note_ru.state
    assert state_name is not None
    await state.set_state(AddReception.note_ru)
    await state.update_data(note={})
    text, markup = lang_step_screen(state_name, data)
    await show(query, text, markup)


async def reception_summary(
    data: dict[str, Any], kb: KnowledgeBase, consular: ConsularDirectory, lang: str, today: date
) -> tuple[str, InlineKeyboardMarkup]:
    office = kb.catalog.offices.get(data["office"])
    day = date.fromisoformat(data["date"])
    when = format_kb_date(data["date"], "day", lang) or data["date"]
    services = ", ".join(service_label(kb, k, lang) for k in data["services"])
    lines = [
        header(False, 6),
        "",
        "<b>" + escape(_("Check the reception and confirm.")) + "</b>",
        "🏛 "
        + escape(
            _("Office: {office}").format(
                office=texts_in(office.name, lang) if office else data["office"]
            )
        ),
        "📍 "
        + escape(
            _("Place: {place}").format(place=place_with_region(consular, kb, data["city"], lang))
        ),
        "🗓 " + escape(_("Date: {date}").format(date=when)),
        "🧾 " + escape(_("Services: {services}").format(services=services)),
        *texts_lines("note", data.get("note", {})),
    ]
    if day < today:
        lines.append("⚠️ " + escape(_("This date is in the past.")))
    same = [
        r
        for r in await consular.receptions()
        if r.office == data["office"] and r.city == data["city"] and r.date == data["date"]
    ]
    if same:
        lines.append(
            "⚠️ "
            + escape(_("A reception by this office in this city on this date is already known."))
        )
    return "\n".join(lines), confirm_keyboard("reception")


async def on_reception_confirm(
    query: CallbackQuery,
    state: FSMContext,
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    services: Services,
    i18n: I18n,
    today: Callable[[], date],
) -> None:
    data = await state.get_data()
    await state.clear()  # first: a second press finds no wizard and stores nothing twice
    await query.answer()
    region = consular.region_of(data["city"])
    reception = await services.receptions.add(
        query.from_user.id,
        office_id=data["office"],
        city_id=data["city"],
        region_id=region.id if region is not None and region.id != data["city"] else None,
        date=data["date"],
        services=list(data["services"]),
        note=dict(data["note"]),
    )
    lang = i18n.current_locale
    card = reception_card(kb, reception, lang, past=is_past(reception, today()))
    builder = InlineKeyboardBuilder()
    label = (
        _("📣 Announce to subscribers of {region}").format(region=texts_in(region.name, lang))
        if region is not None
        else _("📣 Announce to subscribers")
    )
    builder.button(text=label, callback_data=ReceptionAnnounceCB(id=reception.id))
    text = "✅ <b>" + escape(_("Reception added.")) + "</b>\n\n" + card
    await show(query, text, builder.as_markup())


# -- event -----------------------------------------------------------------------------------


async def cmd_add_event(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(AddEvent.title_ru)
    data: dict[str, Any] = {"title": {}, "summary": {}}
    await state.set_data(data)
    text, markup = lang_step_screen(_name(AddEvent.title_ru), data)
    await message.answer(text, reply_markup=markup)


async def on_event_date(message: Message, state: FSMContext, today: Callable[[], date]) -> None:
    day = parse_date(message.text or "")
    if day is None:
        await message.answer(
            escape(_("I can't read this date.") + " " + date_hint(today())),
            reply_markup=cancel_keyboard(),
        )
        return
    await state.update_data(date=day.isoformat())
    await state.set_state(AddEvent.city)
    lines = [header(True, 3), ""]
    if day < today():
        lines.append("⚠️ " + escape(_("This date is in the past. You can go on, or cancel.")))
    lines.append(
        escape(_("Type the city where the event takes place, in any language or spelling."))
    )
    await message.answer("\n".join(lines), reply_markup=cancel_keyboard())


async def on_event_city(message: Message, state: FSMContext, kb: KnowledgeBase, i18n: I18n) -> None:
    lang = i18n.current_locale
    city, problem = resolve_city(kb, message.text or "", lang)
    if city is None:
        await message.answer(escape(problem), reply_markup=cancel_keyboard())
        return
    await state.update_data(city=city.id)
    await state.set_state(AddEvent.kind)
    builder = InlineKeyboardBuilder()
    for kind in EVENT_KINDS:
        builder.button(
            text=event_kind_label(kind), callback_data=ContentCB(action=KIND, value=kind)
        )
    cancel_button(builder)
    builder.adjust(2, 2, 1, 1)
    text = "\n".join(
        [
            header(True, 4),
            "",
            "📍 " + escape(kb.gazetteer.name(city.id, lang)),
            "",
            escape(_("What kind of event is it?")),
        ]
    )
    await message.answer(text, reply_markup=builder.as_markup())


async def on_event_kind(query: CallbackQuery, callback_data: ContentCB, state: FSMContext) -> None:
    if callback_data.value not in EVENT_KINDS:
        await query.answer(step_over(), show_alert=True)
        return
    await query.answer()
    await state.update_data(kind=callback_data.value)
    await state.set_state(AddEvent.summary_ru)
    state_name = AddEvent.summary_ru.state
    assert state_name is not None
    text, markup = lang_step_screen(state_name, await state.get_data())
    await show(query, text, markup)


def event_document(
    data: dict[str, Any], kb: KnowledgeBase, user_id: int, now: datetime
) -> Document:
    stamp = now.strftime("%Y%m%d%H%M%S")
    title: Texts = dict(data["title"])
    summary: Texts = dict(data.get("summary", {}))
    place = kb.gazetteer.by_id.get(data["city"])
    # One passage, so that questions find the event: the summary in each language that
    # has one, else the title with the date and the place.
    passage: Texts = {}
    for lang in LOCALES:
        if summary.get(lang):
            passage[lang] = summary[lang]
        elif title.get(lang):
            when = format_kb_date(data["date"], "day", lang) or data["date"]
            passage[lang] = f"{title[lang]} — {when}, {kb.gazetteer.name(data['city'], lang)}."
    source_lang = next(lang for lang in LOCALES if lang in title)
    return Document(
        id=f"event-{stamp}",
        source=f"moderator:{user_id}:{stamp}",
        source_lang=source_lang,
        kind="event",
        title=title,
        summary=summary,
        event_kind=data["kind"],
        date=data["date"],
        date_precision="day",
        date_note="given by a moderator",
        places=[data["city"]],
        countries=[place.country] if place is not None and place.country else [],
        passages=[Passage("p01", passage)],
        origin="moderator",
    )


def event_summary(
    data: dict[str, Any], kb: KnowledgeBase, lang: str, today: date
) -> tuple[str, InlineKeyboardMarkup]:
    when = format_kb_date(data["date"], "day", lang) or data["date"]
    lines = [
        header(True, 6),
        "",
        "<b>" + escape(_("Check the event and confirm.")) + "</b>",
        *texts_lines("title", data["title"]),
        "🗓 " + escape(_("Date: {date}").format(date=when)),
        "📍 " + escape(_("Place: {place}").format(place=kb.gazetteer.name(data["city"], lang))),
        "🏷 " + escape(_("Kind: {kind}").format(kind=event_kind_label(data["kind"]))),
        *texts_lines("summary", data.get("summary", {})),
    ]
    if date.fromisoformat(data["date"]) < today:
        lines.append("⚠️ " + escape(_("This date is in the past.")))
    return "\n".join(lines), confirm_keyboard("event")


async def on_event_confirm(
    query: CallbackQuery,
    state: FSMContext,
    kb: KnowledgeBase,
    documents: DocumentService,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    await state.clear()  # first: a second press finds no wizard and stores nothing twice
    await query.answer()
    await show(query, "⏳ " + escape(_("Saving the event and updating the knowledge base…")))
    now = datetime.now(UTC)
    doc = event_document(data, kb, query.from_user.id, now)
    try:
        doc.id = await documents.add_event(
            query.from_user.id, doc, city=data["city"], date=data["date"]
        )
    except Exception:
        log.exception("adding event %s failed", doc.id)
        await show(
            query,
            "⚠️ " + escape(_("The knowledge base could not be rebuilt, so nothing was added.")),
        )
        return
    lang = i18n.current_locale
    saved = kb.catalog.documents.get(doc.id, doc)
    text = (
        "✅ <b>"
        + escape(_("Event added: it is now in /events and answers questions."))
        + "</b>\n\n"
    )
    await show(query, text + event_card(kb, saved, lang))


# -- wiring ----------------------------------------------------------------------------------


def _plain_text(message: Message) -> bool:
    """Typed text that is not a command (commands go to their handlers)."""
    return bool(message.text) and not (message.text or "").startswith("/")


def _not_command_or_file(message: Message) -> bool:
    """Anything but a command or a file (a file goes to the documents handler)."""
    return message.document is None and not (message.text or "").startswith("/")


def create_router() -> Router:
    router = Router(name=__name__)
    wizards = StateFilter(AddReception, AddEvent)
    lang_states = StateFilter(*LANG_STEPS)

    router.message.register(cmd_add_reception, Command("addreception"))
    router.message.register(cmd_add_event, Command("addevent"))
    router.message.register(cmd_cancel, Command("cancel"), wizards)
    router.callback_query.register(on_cancel, ContentCB.filter(F.action == CANCEL))

    router.message.register(on_lang_text, lang_states, _plain_text)
    router.callback_query.register(on_skip, ContentCB.filter(F.action == SKIP))

    router.callback_query.register(
        on_office, StateFilter(AddReception.office), ContentCB.filter(F.action == OFFICE)
    )
    router.message.register(on_reception_city, StateFilter(AddReception.city), _plain_text)
    router.message.register(on_reception_date, StateFilter(AddReception.date), _plain_text)
    router.callback_query.register(
        on_service_toggle, StateFilter(AddReception.services), ContentCB.filter(F.action == SERVICE)
    )
    router.callback_query.register(
        on_services_done,
        StateFilter(AddReception.services),
        ContentCB.filter(F.action == SERVICES_DONE),
    )
    router.callback_query.register(
        on_reception_confirm,
        StateFilter(AddReception.confirm),
        ContentCB.filter((F.action == CONFIRM) & (F.value == "reception")),
    )

    router.message.register(on_event_date, StateFilter(AddEvent.date), _plain_text)
    router.message.register(on_event_city, StateFilter(AddEvent.city), _plain_text)
    router.callback_query.register(
        on_event_kind, StateFilter(AddEvent.kind), ContentCB.filter(F.action == KIND)
    )
    router.callback_query.register(
        on_event_confirm,
        StateFilter(AddEvent.confirm),
        ContentCB.filter((F.action == CONFIRM) & (F.value == "event")),
    )

    router.callback_query.register(on_stale_button, ContentCB.filter())
    # anything else sent inside a wizard (commands and files pass through)
    router.message.register(wrong_input, wizards, _not_command_or_file)
    return router
