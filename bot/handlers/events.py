"""Events: newest first, filtered by country, city, year and kind; event cards; upcoming
events and consular receptions, soonest first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.cards import document_date_text, event_card, event_kind_label, shown_date, texts_in
from bot.commands import command
from bot.consular import ConsularDirectory
from bot.consular_cards import reception_title
from bot.formatting import sort_key, split_text
from bot.handlers.render import answer_stale, show
from bot.kb.catalog import EventFilter, date_sort_key
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Document, Reception
from bot.keyboards.browse import (
    PAGE,
    event_keyboard,
    events_keyboard,
    filter_options,
    upcoming_empty_keyboard,
)
from bot.keyboards.callbacks import EventCB, EventFilterCB, EventsCB, MenuCB, ReceptionCB, Section

DIMENSIONS = ("country", "city", "year", "kind")


def _filter_line(kb: KnowledgeBase, flt: EventsCB, lang: str) -> str:
    parts = []
    if flt.country:
        country = next(
            (
                p
                for p in kb.gazetteer.by_id.values()
                if p.kind == "country" and p.country == flt.country
            ),
            None,
        )
        parts.append(texts_in(country.name, lang) if country else flt.country)
    if flt.city:
        parts.append(kb.gazetteer.name(flt.city, lang))
    if flt.year:
        parts.append(str(flt.year))
    if flt.kind:
        parts.append(event_kind_label(flt.kind))
    return ", ".join(parts)


def events_screen(
    kb: KnowledgeBase,
    flt: EventsCB,
    lang: str,
    today: date,
    receptions: list[Reception] | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """The events list; the upcoming one also holds the upcoming consular `receptions`,
    all soonest first."""
    catalog = kb.catalog
    # what each entry says is worked out for the page shown only: the KB may hold 100k
    entries: Sequence[Document | Reception]
    if flt.upcoming:
        entries = [*catalog.upcoming(today), *(receptions or [])]
        entries.sort(key=lambda entry: date_sort_key(entry.date))
        if not entries:
            text = (
                "⏭ <b>"
                + _("Upcoming events")
                + "</b>\n\n"
                + _("No upcoming events are known yet. Subscribe to hear about new ones.")
            )
            return text, upcoming_empty_keyboard()
    else:
        entries = catalog.events(EventFilter(flt.country, flt.city, flt.year, flt.kind))
    page = min(max(0, flt.page), max(0, (len(entries) - 1) // PAGE))
    items = [_event_item(kb, entry, lang) for entry in entries[page * PAGE : (page + 1) * PAGE]]
    title = _("Upcoming events") if flt.upcoming else _("Events")
    lines = ["📅 <b>" + title + "</b>"]
    active = _filter_line(kb, flt, lang)
    if active:
        lines.append(_("Filters: {filters}").format(filters=active))
    count = len(entries)
    if flt.upcoming:
        lines.append(
            _(
                "{count} event or reception, soonest first.",
                "{count} events and receptions, soonest first.",
                count,
            ).format(count=count)
        )
    else:
        lines.append(
            _("{count} event, newest first.", "{count} events, newest first.", count).format(
                count=count
            )
        )
    if not entries:
        lines.append(_("Nothing matches these filters."))
    return "\n".join(lines), events_keyboard(items, flt.model_copy(update={"page": page}), count)


def _event_item(
    kb: KnowledgeBase, entry: Document | Reception, lang: str
) -> tuple[CallbackData, str]:
    """An entry's button: its data and its label."""
    if isinstance(entry, Reception):
        return ReceptionCB(id=entry.id), "🛂 " + reception_title(kb, entry, lang)
    return EventCB(key=kb.catalog.doc_key(entry.id)), _event_label(entry, lang)


def _event_label(doc: Document, lang: str) -> str:
    when = document_date_text(doc, lang) or _("date not given")
    return f"{when} · {texts_in(doc.title, lang)}"


async def screen(
    kb: KnowledgeBase, consular: ConsularDirectory, flt: EventsCB, lang: str, today: date
) -> tuple[str, InlineKeyboardMarkup]:
    receptions = await consular.upcoming(today) if flt.upcoming else []
    return events_screen(kb, flt, lang, today, receptions)


async def cmd_events(
    message: Message,
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    i18n: I18n,
    today: Callable[[], date],
) -> None:
    text, markup = await screen(kb, consular, EventsCB(), i18n.current_locale, today())
    await message.answer(text, reply_markup=markup)


async def on_events_menu(
    query: CallbackQuery,
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    i18n: I18n,
    today: Callable[[], date],
) -> None:
    await query.answer()
    text, markup = await screen(kb, consular, EventsCB(), i18n.current_locale, today())
    await show(query, text, markup)


async def on_events(
    query: CallbackQuery,
    callback_data: EventsCB,
    kb: KnowledgeBase,
    consular: ConsularDirectory,
    i18n: I18n,
    today: Callable[[], date],
) -> None:
    await query.answer()
    text, markup = await screen(kb, consular, callback_data, i18n.current_locale, today())
    await show(query, text, markup)


async def on_filter(
    query: CallbackQuery, callback_data: EventFilterCB, kb: KnowledgeBase, i18n: I18n
) -> None:
    dim = callback_data.dim
    if dim not in DIMENSIONS:
        await answer_stale(query)
        return
    await query.answer()
    lang = i18n.current_locale
    values = filter_values(kb, dim)
    options = []
    for value in values:
        if dim == "country":
            country = next(
                (
                    p
                    for p in kb.gazetteer.by_id.values()
                    if p.kind == "country" and p.country == value
                ),
                None,
            )
            options.append((value, texts_in(country.name, lang) if country else value))
        elif dim == "city":
            options.append((value, kb.gazetteer.name(value, lang)))
        elif dim == "kind":
            options.append((value, event_kind_label(value)))
        else:
            options.append((value, value))
    if dim in ("country", "city", "kind"):
        options.sort(key=lambda option: sort_key(option[1], lang))
    prompts = {
        "country": _("Events in which country?"),
        "city": _("Events in which city?"),
        "year": _("Events of which year?"),
        "kind": _("Which kind of events?"),
    }
    await show(query, prompts[dim], filter_options(dim, options, callback_data))


def filter_values(kb: KnowledgeBase, dim: str) -> list[str]:
    """The values a filter offers: a city filter lists cities only (an event placed in a
    region, not a city, is not "in" any city), and a year filter only years the sources
    give (a year data/ inferred, like the memorandum's, is not offered as a fact)."""
    catalog = kb.catalog
    if dim == "city":
        by_id = kb.gazetteer.by_id
        return [v for v in catalog.filter_values("city") if v in by_id and by_id[v].kind == "city"]
    if dim == "year":

        def years() -> tuple[str, ...]:
            found = set()
            for doc in catalog.documents.values():
                given = shown_date(doc)
                if given and given[0][:4].isdigit():
                    found.add(given[0][:4])
            return tuple(sorted(found, reverse=True))

        return list(catalog.memo("shown years", years))
    return catalog.filter_values(dim)


async def on_event(
    query: CallbackQuery, callback_data: EventCB, kb: KnowledgeBase, i18n: I18n
) -> None:
    doc = kb.catalog.doc_by_key(callback_data.key)
    if doc is None:
        await answer_stale(query)
        return
    await query.answer()
    text = split_text(event_card(kb, doc, i18n.current_locale))[0]
    await show(query, text, event_keyboard())


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_events, command("events"))
    router.callback_query.register(on_events_menu, MenuCB.filter(F.section == Section.events))
    router.callback_query.register(on_events, EventsCB.filter())
    router.callback_query.register(on_filter, EventFilterCB.filter())
    router.callback_query.register(on_event, EventCB.filter())
    return router
