"""Moderators keep the consular directory: /addoffice (whose mission → kind → city → name
per language → Confirm), and the details of any office or reception (address and hours
per language, booking link, contact, map point, services), edited from its card. Every
change is stored with its audit record by `ConsularService`; nothing before Confirm or
before a field's last answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.scene import ScenesManager, on
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.commands import command
from bot.consular import ConsularDirectory, subject
from bot.consular_cards import mission_label, office_kind_label
from bot.handlers.moderation.content import (
    CityStep,
    ContentStep,
    LanguageTexts,
    ServicesStep,
    show_details,
)
from bot.handlers.moderation.wizard import Event, alert, send, stale, step_over, wizard_router
from bot.i18n import in_language
from bot.kb.search import KnowledgeBase
from bot.kb.sources import OFFICE_KINDS, Office, Place, Reception
from bot.keyboards.callbacks import ContentAction, ContentCB, DetailField, EditCB
from bot.keyboards.content import (
    cancel_menu,
    confirm_menu,
    missions_menu,
    office_kinds_menu,
    remove_menu,
)
from bot.services import Services
from bot.staff.drafts import DetailsDraft, OfficeDraft, office_header, office_summary
from bot.typed_input import parse_contact, parse_link, parse_point

MAX_NAME = 200
MAX_DETAIL_TEXT = 300
#: Where each kind of office sits: a Russian mission in Kazakhstan, a Kazakh one in Russia.
HOST = {"RU": "KZ", "KZ": "RU"}


async def item_of(
    consular: ConsularDirectory, item_id: str, office: bool
) -> Office | Reception | None:
    return await consular.office(item_id) if office else await consular.reception(item_id)


# -- /addoffice -------------------------------------------------------------------------------


class OfficeStep(ContentStep):
    async def draft(self) -> OfficeDraft:
        return OfficeDraft.from_data(await self.wizard.get_data())


class PickMission(OfficeStep, state="office:mission"):
    @on.message.enter()
    async def ask(self, message: Message) -> None:
        text = Text(office_header(1), "\n\n", _("Whose office is it?"))
        await send(message, text, missions_menu())

    @on.callback_query(ContentCB.filter(F.action == ContentAction.mission))
    async def chosen(self, query: CallbackQuery, callback_data: ContentCB,
                     callback_answer: CallbackAnswer) -> None:  # fmt: skip
        if callback_data.value not in HOST:
            alert(callback_answer, step_over())
            return
        await self.save(OfficeDraft(country=callback_data.value))
        await self.wizard.goto(PickOfficeKind)


class PickOfficeKind(OfficeStep, state="office:kind"):
    @on.callback_query.enter()
    async def ask(self, query: CallbackQuery) -> None:
        draft = await self.draft()
        text = Text(office_header(2), "\n\n", mission_label(draft.country), "\n\n",
                    _("What kind of office is it?"))  # fmt: skip
        await send(query, text, office_kinds_menu())

    @on.callback_query(ContentCB.filter(F.action == ContentAction.office_kind))
    async def chosen(self, query: CallbackQuery, callback_data: ContentCB,
                     callback_answer: CallbackAnswer) -> None:  # fmt: skip
        if callback_data.value not in OFFICE_KINDS:
            alert(callback_answer, step_over())
            return
        draft = await self.draft()
        await self.save(draft.model_copy(update={"kind": callback_data.value}))
        await self.wizard.goto(TypeOfficeCity)


class TypeOfficeCity(CityStep, OfficeStep, state="office:city"):
    @on.callback_query.enter()
    async def ask(self, query: CallbackQuery) -> None:
        draft = await self.draft()
        where = (
            _("Type the city in Kazakhstan where the office is, in any language or spelling.")
            if HOST[draft.country] == "KZ"
            else _("Type the city in Russia where the office is, in any language or spelling.")
        )
        text = Text(office_header(3), "\n\n", office_kind_label(draft.kind), "\n\n", where)
        await send(query, text, cancel_menu())

    async def chosen(self, city: Place) -> None:
        draft = await self.draft()
        if city.country != HOST[draft.country]:  # a Russian mission is in Kazakhstan, and back
            text = (
                _("Russian missions are in Kazakhstan: type a city in Kazakhstan.")
                if HOST[draft.country] == "KZ"
                else _("Kazakh missions are in Russia: type a city in Russia.")
            )
            event = self.wizard.event
            assert isinstance(event, Message)  # the city was typed
            await send(event, Text(text), cancel_menu())
            return
        await self.save(draft.model_copy(update={"city": city.id}))
        await self.wizard.goto(WriteOfficeName)


class WriteOfficeName(LanguageTexts, OfficeStep, state="office:name"):
    texts_field, step, is_event, limit = "name", 4, False, MAX_NAME

    def heading(self) -> Text:
        return office_header(4)

    def ask_in(self, lang: str, *, last_chance: bool) -> str:
        if last_chance:
            return _("Type the office's name {in_language}. At least one name is needed.")
        return _("Type the office's name {in_language}, or press Skip.")

    async def finished(self, event: Event, bot: Bot) -> None:
        await self.wizard.goto(ConfirmOffice)


class ConfirmOffice(OfficeStep, state="office:confirm"):
    @on.message.enter()
    @on.callback_query.enter()
    async def summary(self, event: Event, kb: KnowledgeBase, consular: ConsularDirectory,
                      i18n: I18n) -> None:  # fmt: skip
        text = await office_summary(await self.draft(), kb, consular, i18n.current_locale)
        await send(event, text, confirm_menu("office"))

    @on.callback_query(ContentCB.filter((F.action == ContentAction.confirm)
                                        & (F.value == "office")))  # fmt: skip
    async def confirmed(self, query: CallbackQuery, kb: KnowledgeBase, consular: ConsularDirectory,
                        services: Services, i18n: I18n,
                        today: Callable[[], date]) -> None:  # fmt: skip
        draft = await self.draft()
        await self.wizard.exit()  # first: a second press finds no wizard and stores nothing twice
        office = await services.consular.add_office(
            query.from_user.id, kind=draft.kind, country=draft.country, city_id=draft.city,
            name=dict(draft.name),
        )  # fmt: skip
        title = _("Office added. Add its address, hours, booking link, contact and services below.")
        await show_details(query, kb, consular, i18n.current_locale, today(), office, title)


# -- details ----------------------------------------------------------------------------------


class DetailStep(ContentStep):
    async def draft(self) -> DetailsDraft:
        return DetailsDraft.from_data(await self.wizard.get_data())

    async def store_value(self, event: Event, value: Any) -> None:
        """Save the field (an empty value removes it) and show the card again."""
        data = self.wizard.data
        consular: ConsularDirectory = data["consular"]
        services: Services = data["services"]
        draft = await self.draft()
        await self.wizard.exit()
        item = await item_of(consular, draft.id, draft.office)
        if item is None:
            await send(event, Text(_("This office or reception no longer exists.")))
            return
        actor = event.from_user.id if event.from_user else 0
        if draft.field is DetailField.point:
            values = dict(zip(("lat", "lon"), value or (None, None), strict=True))
        else:
            values = {draft.field.value: value}
        await services.consular.set_details(actor, subject(item), values)
        updated = await item_of(consular, draft.id, draft.office)
        assert updated is not None
        title = _("Saved.") if value else _("Removed from the card.")
        lang, today = data["i18n"].current_locale, data["today"]()
        await show_details(event, data["kb"], consular, lang, today, updated, title)


class EditTexts(LanguageTexts, DetailStep, state="details:texts"):
    """The address or the hours, one language at a time; skipping every language removes
    them."""

    texts_field, step, is_event, limit, required = "texts", 1, False, MAX_DETAIL_TEXT, False

    def prompt(self, lang: str, *, last_chance: bool) -> Text:
        ask = self.ask_in(lang, last_chance=last_chance)
        return Text(ask.format(in_language=in_language(lang)))

    def ask_in(self, lang: str, *, last_chance: bool) -> str:
        if self.editing is DetailField.venue:
            return _("Type the address {in_language}, or press Skip.")
        return _("Type the opening hours {in_language}, or press Skip.")

    editing: DetailField = DetailField.venue

    @on.message.enter()
    @on.callback_query.enter()
    async def ask(self, event: Event, bot: Bot) -> None:
        self.editing = (await self.draft()).field
        await super().ask(event, bot)

    async def finished(self, event: Event, bot: Bot) -> None:
        await self.store_value(event, dict((await self.draft()).texts))


class EditValue(DetailStep, state="details:value"):
    """One typed value: a booking link, a contact, or a map point (also as a location)."""

    @on.callback_query.enter()
    async def ask(self, query: CallbackQuery, consular: ConsularDirectory) -> None:
        draft = await self.draft()
        item = await item_of(consular, draft.id, draft.office)
        prompts = {
            DetailField.booking: _("Send the booking link (starting with https://)."),
            DetailField.contact: _("Type the phone number or e-mail to contact."),
            DetailField.point: _(
                "Share the venue's location, or type its latitude and longitude, for example "
                "43.2389 76.8897."
            ),
        }
        given = item is not None and (
            item.lat is not None
            if draft.field is DetailField.point
            else bool(getattr(item, draft.field.value))
        )
        await send(query, Text(prompts[draft.field]), remove_menu(draft.field.value, given=given))

    @on.message(F.location)
    async def located(self, message: Message) -> None:
        draft = await self.draft()
        if draft.field is not DetailField.point or message.location is None:
            await self.unexpected(message)
            return
        point = (message.location.latitude, message.location.longitude)
        await self.store_value(message, point)

    @on.message(F.text, ~F.text.startswith("/"))
    async def typed(self, message: Message) -> None:
        draft, text = await self.draft(), message.text or ""
        readers = {
            DetailField.booking: (parse_link, _("This is not a web address. Send a link "
                                                "starting with https://, or press Cancel.")),
            DetailField.contact: (parse_contact, _("Type the phone number or e-mail on one "
                                                   "line (at most 200 characters).")),
            DetailField.point: (parse_point, _("I can't read this point. Type the latitude "
                                               "and longitude, for example 43.2389 76.8897.")),
        }  # fmt: skip
        read, problem = readers[draft.field]
        value: Any = read(text)
        if value is None:
            await send(message, Text(problem), cancel_menu())
            return
        await self.store_value(message, value)

    @on.callback_query(ContentCB.filter(F.action == ContentAction.remove))
    async def remove(self, query: CallbackQuery, callback_data: ContentCB,
                     callback_answer: CallbackAnswer) -> None:  # fmt: skip
        if callback_data.value != (await self.draft()).field.value:
            alert(callback_answer, step_over())
            return
        await self.store_value(query, None)


class EditServices(ServicesStep, DetailStep, state="details:services"):
    required = False

    async def chosen(self) -> list[str]:
        return (await self.draft()).services

    async def keep(self, services: list[str]) -> None:
        await self.save((await self.draft()).model_copy(update={"services": services}))

    async def screen(self, lang: str, today: date) -> Text:
        return Text(_("Choose the services offered, then press Done."))

    async def done_with(self, query: CallbackQuery, services: list[str]) -> None:
        await self.store_value(query, services)


SCENES = (
    PickMission, PickOfficeKind, TypeOfficeCity, WriteOfficeName, ConfirmOffice, EditTexts,
    EditValue, EditServices,
)  # fmt: skip


async def cmd_add_office(message: Message, state: FSMContext, scenes: ScenesManager) -> None:
    await state.set_data({})
    await scenes.enter(PickMission)


async def on_edit(query: CallbackQuery, callback_data: EditCB, state: FSMContext,
                  scenes: ScenesManager, kb: KnowledgeBase, consular: ConsularDirectory,
                  i18n: I18n, today: Callable[[], date],
                  callback_answer: CallbackAnswer) -> None:  # fmt: skip
    """✏️ on a card opens the menu of details; a detail's button opens its step."""
    item = await item_of(consular, callback_data.id, callback_data.office)
    if item is None:
        stale(callback_answer)
        return
    field = callback_data.field
    if field is None:
        title = _("Choose what to add or change.")
        await show_details(query, kb, consular, i18n.current_locale, today(), item, title)
        return
    draft = DetailsDraft(id=item.id, office=callback_data.office, field=field,
                         services=list(item.services))  # fmt: skip
    await state.set_data(draft.to_data())
    if field in (DetailField.venue, DetailField.hours):
        await scenes.enter(EditTexts)
    elif field is DetailField.services:
        await scenes.enter(EditServices)
    else:
        await scenes.enter(EditValue)


def create_router() -> Router:
    """Its buttons' stale answer is content's (the same `ContentCB`), included after it."""
    router = wizard_router(__name__, SCENES)
    router.message.register(cmd_add_office, command("addoffice"))
    router.callback_query.register(on_edit, EditCB.filter())
    return router
