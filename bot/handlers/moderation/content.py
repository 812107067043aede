"""Moderators add consular receptions (/addreception) and events (/addevent): wizards as
aiogram Scenes over the services, cancellable at every step with the Cancel button or
/cancel; nothing is stored before the final Confirm.

Reception: office → city (typed, any spelling) → date → services (toggles) → a note per
language (at least one) → Confirm. Event: a title per language (at least one) → date →
city → kind → a summary per language (each skippable) → Confirm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from html import escape
from typing import ClassVar

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.scene import ScenesManager, on
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.cards import event_card, texts_in
from bot.commands import command
from bot.config import LOCALES
from bot.consular import ConsularDirectory, places
from bot.formatting import format_kb_date
from bot.handlers.moderation.wizard import (
    Event,
    TextsStep,
    WizardScene,
    alert,
    not_a_command_or_file,
    replace,
    send,
    step_over,
    wizard_router,
)
from bot.handlers.render import show
from bot.i18n import in_language
from bot.kb.catalog import short_key
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Office, Place, Reception
from bot.keyboards.callbacks import ContentAction, ContentCB
from bot.keyboards.content import (
    cancel_menu,
    confirm_menu,
    kinds_menu,
    offices_menu,
    services_menu,
    skip_menu,
)
from bot.services import Services
from bot.services.documents import DocumentService, event_document
from bot.staff.consular import details_screen
from bot.staff.drafts import (
    EventDraft,
    ReceptionDraft,
    date_hint,
    event_summary,
    header,
    place_with_region,
    reception_summary,
)
from bot.typed_input import parse_date, resolve_city

log = logging.getLogger(__name__)

MAX_NOTE = 1000
MAX_TITLE = 200
MAX_SUMMARY = 1500
EVENT_KINDS = ("meeting", "conference", "agreement", "reception", "visit")


# -- what both wizards share ------------------------------------------------------------------


class ContentStep(WizardScene):
    """Cancel for both wizards (their drafts live under their own keys)."""

    async def cancelled(self, event: Event) -> None:
        await replace(event, Text(_("Cancelled. Nothing was saved.")))

    @on.callback_query(ContentCB.filter(F.action == ContentAction.cancel))
    async def cancel_button(self, query: CallbackQuery) -> None:
        await self.wizard.exit()
        await self.cancelled(query)


class LanguageTexts(TextsStep, ContentStep):
    """A text per language into one field of a draft, in ru, kk, en order."""

    step: ClassVar[int]
    is_event: ClassVar[bool]

    def heading(self) -> Text:
        return header(self.is_event, self.step)

    def prompt(self, lang: str, *, last_chance: bool) -> Text:
        parts: list[Text | str] = [self.heading(), "\n\n"]
        if self.texts_field == "note" and lang == LOCALES[0]:
            parts += [
                _(
                    "The note is shown on the reception card: who it is for, what to bring. "
                    "Give only facts you know; no guessed address, hours or fees."
                ),
                "\n",
            ]
        if self.required and lang == LOCALES[0]:  # said at the start, not at the last language
            parts += [_("A text in at least one language is needed; the others can be skipped."),
                      "\n"]  # fmt: skip
        ask = self.ask_in(lang, last_chance=last_chance)  # "... {in_language} ..."
        parts.append(ask.format(in_language=in_language(lang)))
        return Text(*parts)

    def ask_in(self, lang: str, *, last_chance: bool) -> str:
        """The prompt, with `{in_language}` where the language goes."""
        raise NotImplementedError

    def skip_markup(self, lang: str, *, can_skip: bool) -> InlineKeyboardMarkup:
        return skip_menu(skip_value(self.texts_field, lang), can_skip=can_skip)

    @on.callback_query(ContentCB.filter(F.action == ContentAction.skip))
    async def skip_button(self, query: CallbackQuery, bot: Bot, callback_answer: CallbackAnswer,
                          callback_data: ContentCB) -> None:  # fmt: skip
        languages, asked, _texts = await self.languages()
        if asked >= len(languages) or callback_data.value != skip_value(
            self.texts_field, languages[asked]
        ):
            alert(callback_answer, step_over())
            return
        await self.skip(query, bot, callback_answer)

    @on.message(not_a_command_or_file)
    async def unexpected(self, message: Message) -> None:
        await message.answer(_("Please type the text, or send /cancel to stop."))


def skip_value(field: str, lang: str) -> str:
    return f"{field}_{lang}"


class TypedStep(ContentStep):
    """A step that takes typed text: anything else gets the same one line."""

    @on.message(not_a_command_or_file)
    async def unexpected(self, message: Message) -> None:
        await message.answer(_("Please type the text, or send /cancel to stop."))


class DateStep(TypedStep):
    """A typed date, read strictly (`parse_date`); asked again until it reads."""

    async def chosen(self, day: date) -> None:
        raise NotImplementedError

    @on.message(F.text, not_a_command_or_file)
    async def typed(self, message: Message, today: Callable[[], date]) -> None:
        day = parse_date(message.text or "")
        if day is None:
            hint = _("I can't read this date.") + " " + date_hint(today())
            await send(message, Text(hint), cancel_menu())
            return
        await self.chosen(day)


class CityStep(TypedStep):
    """A city typed in any language or spelling (`resolve_city`); a region or an unknown
    name is explained and asked again."""

    async def chosen(self, city: Place) -> None:
        raise NotImplementedError

    @on.message(F.text, not_a_command_or_file)
    async def typed(self, message: Message, kb: KnowledgeBase, i18n: I18n) -> None:
        city, problem = resolve_city(kb, message.text or "", i18n.current_locale)
        if city is None:
            await send(message, Text(problem), cancel_menu())
            return
        await self.chosen(city)


# -- reception --------------------------------------------------------------------------------


class ReceptionStep(ContentStep):
    async def draft(self) -> ReceptionDraft:
        return ReceptionDraft.from_data(await self.wizard.get_data())


class PickOffice(ReceptionStep, state="reception:office"):
    @on.message.enter()
    async def ask(self, message: Message, consular: ConsularDirectory, i18n: I18n) -> None:
        offices = await consular.offices(i18n.current_locale)
        if not offices:
            await self.wizard.exit()
            await message.answer(_("No consular offices are known. Add one with /addoffice first."))
            return
        question = Text(header(False, 1), "\n\n", _("Which office holds the reception?"))
        await send(message, question, offices_menu(offices, i18n.current_locale))

    @on.callback_query(ContentCB.filter(F.action == ContentAction.office))
    async def chosen(self, query: CallbackQuery, callback_data: ContentCB,
                     consular: ConsularDirectory,
                     callback_answer: CallbackAnswer) -> None:  # fmt: skip
        offices = await consular.offices()
        office = next((o for o in offices if short_key(o.id) == callback_data.value), None)
        if office is None:
            alert(callback_answer, step_over())
            return
        await self.save(ReceptionDraft(office=office.id))
        await self.wizard.goto(TypeReceptionCity)


class TypeReceptionCity(CityStep, ReceptionStep, state="reception:city"):
    @on.callback_query.enter()
    async def ask(self, query: CallbackQuery, consular: ConsularDirectory, i18n: I18n) -> None:
        draft = await self.draft()
        office = await consular.office(draft.office)
        name = texts_in(office.name, i18n.current_locale) if office else draft.office
        text = Text(
            header(False, 2), "\n\n", "🏛 ", name, "\n\n",
            _("Type the city where the reception takes place, in any language or spelling."),
        )  # fmt: skip
        await replace(query, text, cancel_menu())

    async def chosen(self, city: Place) -> None:
        draft = await self.draft()
        await self.save(draft.model_copy(update={"city": city.id}))
        await self.wizard.goto(TypeReceptionDate)


class TypeReceptionDate(DateStep, ReceptionStep, state="reception:date"):
    @on.message.enter()
    async def ask(self, message: Message, kb: KnowledgeBase, consular: ConsularDirectory,
                  i18n: I18n, today: Callable[[], date]) -> None:  # fmt: skip
        draft = await self.draft()
        place = place_with_region(consular, kb, draft.city, i18n.current_locale)
        text = Text(header(False, 3), "\n\n", "📍 ", place, "\n\n", date_hint(today()))
        await send(message, text, cancel_menu())

    async def chosen(self, day: date) -> None:
        draft = await self.draft()
        await self.save(draft.model_copy(update={"date": day.isoformat(), "services": []}))
        await self.wizard.goto(PickServices)


class ServicesStep(ContentStep):
    """Services toggled on a keyboard; Done goes on with those chosen."""

    required: ClassVar[bool] = True  # at least one

    async def chosen(self) -> list[str]:
        raise NotImplementedError

    async def keep(self, services: list[str]) -> None:
        raise NotImplementedError

    async def screen(self, lang: str, today: date) -> Text:
        raise NotImplementedError

    async def done_with(self, query: CallbackQuery, services: list[str]) -> None:
        raise NotImplementedError

    @on.message.enter()
    @on.callback_query.enter()
    async def ask(self, event: Event, kb: KnowledgeBase, i18n: I18n,
                  today: Callable[[], date]) -> None:  # fmt: skip
        lang = i18n.current_locale
        menu = services_menu(kb, await self.chosen(), lang)
        await send(event, await self.screen(lang, today()), menu)

    @on.callback_query(ContentCB.filter(F.action == ContentAction.service))
    async def toggle(self, query: CallbackQuery, callback_data: ContentCB, kb: KnowledgeBase,
                     i18n: I18n, today: Callable[[], date],
                     callback_answer: CallbackAnswer) -> None:  # fmt: skip
        key = next((k for k in kb.catalog.services if short_key(k) == callback_data.value), None)
        if key is None:
            alert(callback_answer, step_over())
            return
        before, lang = await self.chosen(), i18n.current_locale
        chosen = [k for k in before if k != key] + ([] if key in before else [key])
        await self.keep(chosen)
        await replace(query, await self.screen(lang, today()), services_menu(kb, chosen, lang))

    @on.callback_query(ContentCB.filter(F.action == ContentAction.services_done))
    async def done(self, query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
        chosen = await self.chosen()
        if self.required and not chosen:
            alert(callback_answer, _("Choose at least one service."))
            return
        await self.done_with(query, chosen)


class PickServices(ServicesStep, ReceptionStep, state="reception:services"):
    async def chosen(self) -> list[str]:
        return (await self.draft()).services

    async def keep(self, services: list[str]) -> None:
        await self.save((await self.draft()).model_copy(update={"services": services}))

    async def screen(self, lang: str, today: date) -> Text:
        draft = await self.draft()
        parts: list[Text | str] = [
            header(False, 4), "\n\n", "🗓 ", format_kb_date(draft.date, "day", lang) or "",
        ]  # fmt: skip
        if date.fromisoformat(draft.date) < today:
            parts += ["\n⚠️ ", _("This date is in the past. You can go on, or cancel.")]
        parts += ["\n\n", _("Choose the services offered (at least one), then press Done.")]
        return Text(*parts)

    async def done_with(self, query: CallbackQuery, services: list[str]) -> None:
        await self.wizard.goto(WriteNote)


class WriteNote(LanguageTexts, ReceptionStep, state="reception:note"):
    texts_field, step, is_event, limit = "note", 5, False, MAX_NOTE

    def ask_in(self, lang: str, *, last_chance: bool) -> str:
        if last_chance:
            return _("Type the note {in_language}. At least one note is needed.")
        return _("Type the note {in_language}, or press Skip.")

    async def finished(self, event: Event, bot: Bot) -> None:
        await self.wizard.goto(ConfirmReception)


class ConfirmReception(ReceptionStep, state="reception:confirm"):
    @on.message.enter()
    @on.callback_query.enter()
    async def summary(self, event: Event, kb: KnowledgeBase, consular: ConsularDirectory,
                      i18n: I18n, today: Callable[[], date]) -> None:  # fmt: skip
        draft, lang = await self.draft(), i18n.current_locale
        text = await reception_summary(draft, kb, consular, lang, today())
        await send(event, text, confirm_menu("reception"))

    @on.callback_query(ContentCB.filter((F.action == ContentAction.confirm)
                                        & (F.value == "reception")))  # fmt: skip
    async def confirmed(self, query: CallbackQuery, kb: KnowledgeBase, consular: ConsularDirectory,
                        services: Services, i18n: I18n,
                        today: Callable[[], date]) -> None:  # fmt: skip
        draft = await self.draft()
        await self.wizard.exit()  # first: a second press finds no wizard and stores nothing twice
        region = consular.region_of(draft.city)
        reception = await services.consular.add_reception(
            query.from_user.id,
            office_id=draft.office,
            city_id=draft.city,
            region_id=region.id if region is not None and region.id != draft.city else None,
            date=draft.date,
            services=list(draft.services),
            note=dict(draft.note),
        )
        title = _("Reception added. Add its address, hours, booking link and contact below, "
                  "then announce it.")  # fmt: skip
        await show_details(query, kb, consular, i18n.current_locale, today(), reception, title)


async def show_details(event: Event, kb: KnowledgeBase, consular: ConsularDirectory, lang: str,
                       today: date, item: Office | Reception, title: str) -> None:  # fmt: skip
    """An office's or a reception's card with a button for each detail."""
    text, markup = await details_screen(kb, consular, lang, today, item, title)
    if isinstance(event, CallbackQuery):
        await show(event, text, markup)
    else:
        await event.answer(text, reply_markup=markup)


# -- event ------------------------------------------------------------------------------------


class EventStep(ContentStep):
    async def draft(self) -> EventDraft:
        return EventDraft.from_data(await self.wizard.get_data())


class WriteTitle(LanguageTexts, EventStep, state="event:title"):
    texts_field, asked_field, step, is_event, limit = "title", "titles_asked", 1, True, MAX_TITLE

    def ask_in(self, lang: str, *, last_chance: bool) -> str:
        if last_chance:
            return _("Type the title {in_language}. At least one title is needed.")
        return _("Type the event title {in_language}, or press Skip.")

    async def finished(self, event: Event, bot: Bot) -> None:
        await self.wizard.goto(TypeEventDate)


class TypeEventDate(DateStep, EventStep, state="event:date"):
    @on.message.enter()
    @on.callback_query.enter()
    async def ask(self, event: Event, today: Callable[[], date]) -> None:
        await send(event, Text(header(True, 2), "\n\n", date_hint(today())), cancel_menu())

    async def chosen(self, day: date) -> None:
        draft = await self.draft()
        await self.save(draft.model_copy(update={"date": day.isoformat()}))
        await self.wizard.goto(TypeEventCity)


class TypeEventCity(CityStep, EventStep, state="event:city"):
    @on.message.enter()
    async def ask(self, message: Message, today: Callable[[], date]) -> None:
        draft = await self.draft()
        parts: list[Text | str] = [header(True, 3), "\n\n"]
        if date.fromisoformat(draft.date) < today():
            parts += ["⚠️ ", _("This date is in the past. You can go on, or cancel."), "\n"]
        parts.append(_("Type the city where the event takes place, in any language or spelling."))
        await send(message, Text(*parts), cancel_menu())

    async def chosen(self, city: Place) -> None:
        draft = await self.draft()
        await self.save(draft.model_copy(update={"city": city.id}))
        await self.wizard.goto(PickEventKind)


class PickEventKind(EventStep, state="event:kind"):
    @on.message.enter()
    async def ask(self, message: Message, kb: KnowledgeBase, i18n: I18n) -> None:
        draft = await self.draft()
        place = places(kb).name(draft.city, i18n.current_locale)
        text = Text(header(True, 4), "\n\n", "📍 ", place, "\n\n", _("What kind of event is it?"))
        await send(message, text, kinds_menu(EVENT_KINDS))

    @on.callback_query(ContentCB.filter(F.action == ContentAction.kind))
    async def chosen(self, query: CallbackQuery, callback_data: ContentCB,
                     callback_answer: CallbackAnswer) -> None:  # fmt: skip
        if callback_data.value not in EVENT_KINDS:
            alert(callback_answer, step_over())
            return
        draft = await self.draft()
        await self.save(draft.model_copy(update={"kind": callback_data.value}))
        await self.wizard.goto(WriteSummary)


class WriteSummary(LanguageTexts, EventStep, state="event:summary"):
    texts_field, asked_field, step, is_event = "summary", "summaries_asked", 5, True
    limit, required = MAX_SUMMARY, False

    def ask_in(self, lang: str, *, last_chance: bool) -> str:
        return _("Type a short summary {in_language} (2–3 sentences), or press Skip.")

    async def finished(self, event: Event, bot: Bot) -> None:
        await self.wizard.goto(ConfirmEvent)


class ConfirmEvent(EventStep, state="event:confirm"):
    @on.message.enter()
    @on.callback_query.enter()
    async def summary(self, event: Event, kb: KnowledgeBase, i18n: I18n,
                      today: Callable[[], date]) -> None:  # fmt: skip
        draft = await self.draft()
        await send(event, event_summary(draft, kb, i18n.current_locale, today()),
                   confirm_menu("event"))  # fmt: skip

    @on.callback_query(ContentCB.filter((F.action == ContentAction.confirm)
                                        & (F.value == "event")))  # fmt: skip
    async def confirmed(self, query: CallbackQuery, kb: KnowledgeBase, documents: DocumentService,
                        i18n: I18n) -> None:  # fmt: skip
        draft = await self.draft()
        await self.wizard.exit()  # first: a second press finds no wizard and stores nothing twice
        await replace(query, Text("⏳ ", _("Saving the event and updating the knowledge base…")))
        doc = event_document(
            kb, query.from_user.id, datetime.now(UTC), title=draft.title, summary=draft.summary,
            date=draft.date, city=draft.city, kind=draft.kind,
        )  # fmt: skip
        try:
            doc.id = await documents.add_event(
                query.from_user.id, doc, city=draft.city, date=draft.date
            )
        except Exception:
            log.exception("adding event %s failed", doc.id)
            text = _("The knowledge base could not be rebuilt, so nothing was added.")
            await replace(query, Text("⚠️ ", text))
            return
        saved = kb.catalog.documents.get(doc.id, doc)
        title = _("Event added: it is now in /events and answers questions.")
        await show(
            query,
            "✅ <b>" + escape(title) + "</b>\n\n" + event_card(kb, saved, i18n.current_locale),
        )


SCENES = (
    PickOffice, TypeReceptionCity, TypeReceptionDate, PickServices, WriteNote,
    ConfirmReception, WriteTitle, TypeEventDate, TypeEventCity, PickEventKind, WriteSummary,
    ConfirmEvent,
)  # fmt: skip


async def cmd_add_reception(message: Message, state: FSMContext, scenes: ScenesManager) -> None:
    await state.set_data({})
    await scenes.enter(PickOffice)


async def cmd_add_event(message: Message, state: FSMContext, scenes: ScenesManager) -> None:
    await state.set_data({})
    await scenes.enter(WriteTitle)


def create_router() -> Router:
    router = wizard_router(__name__, SCENES, ContentCB.filter())
    router.message.register(cmd_add_reception, command("addreception"))
    router.message.register(cmd_add_event, command("addevent"))
    return router
