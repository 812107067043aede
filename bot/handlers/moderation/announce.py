"""/announce: the announcement wizard as aiogram Scenes.

audience → texts (only in the languages the audience reads) → what readers of a language
without a text get → photo or link → preview and when → confirm. `/cancel` and the
Cancel button leave it at every step; nothing is stored before Confirm. Texts are plain:
the engine escapes them, and the preview is sent exactly as recipients will get it (the
engine's own rendering and send call).
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.scene import ScenesManager, on
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.formatting import Bold, Text
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcast import Audience, AudienceKind
from bot.broadcast.audience import count as count_audience
from bot.broadcast.message import render, send_rendered
from bot.broadcast.models import MAX_CAPTION
from bot.commands import command
from bot.config import LOCALES, Settings
from bot.consular import ConsularDirectory, subscribable_regions
from bot.delivery import BroadcastService
from bot.handlers.moderation.announcements import ask_approvers
from bot.handlers.moderation.wizard import (
    Event,
    TextsStep,
    WizardScene,
    alert,
    not_a_command_or_file,
    replace,
    send,
    stale,
    wizard_router,
)
from bot.i18n import in_language, language_name
from bot.kb.search import KnowledgeBase
from bot.keyboards.announce import (
    audience_menu,
    confirm_menu,
    fallback_menu,
    language_menu,
    media_menu,
    region_menu,
    skip_menu,
    topic_menu,
    when_menu,
)
from bot.keyboards.callbacks import AnnounceAction, AnnounceCB, ReceptionAnnounceCB
from bot.notify import reception_announcement
from bot.services import Services
from bot.staff.audience import audience_label, reach_line
from bot.staff.drafts import AnnouncementDraft, announcement_summary
from bot.staff.people import when_label
from bot.storage.database import Database
from bot.storage.roles import ModeratorRepo
from bot.storage.subscriptions import TOPICS
from bot.storage.users import UserRecord
from bot.typed_input import parse_link, parse_when


def readers_of(audience: Audience, counts: dict[str, int]) -> list[str]:
    """The languages to write in: the audience's own, or those its members read (every
    language while nobody is in it yet, so the announcement is ready for them)."""
    if audience.kind is AudienceKind.LANGUAGE and audience.key:
        return [audience.key]
    return [lang for lang in LOCALES if counts.get(lang)] or list(LOCALES)


def parse_audience(value: str, kb: KnowledgeBase) -> Audience | None:
    """A pressed audience button's value; None for one no menu offers (stale or forged)."""
    kind, _sep, key = value.partition(".")
    try:
        if kind == "all":
            return Audience.everyone()
        if kind == "lang":
            return Audience.language(key)
        if kind == "region" and key in {p.id for p in subscribable_regions(kb.catalog)}:
            return Audience.region(key)
        if kind == "topic" and key in TOPICS:
            return Audience.topic(key)
    except ValueError:
        return None
    return None


class AnnounceStep(WizardScene):
    """What every step of this wizard shares: its draft and its cancel."""

    async def draft(self) -> AnnouncementDraft:
        return AnnouncementDraft.from_data(await self.wizard.get_data())

    async def cancelled(self, event: Event) -> None:
        await replace(event, Text(_("Cancelled. Nothing was sent.")))

    @on.callback_query(AnnounceCB.filter(F.action == AnnounceAction.cancel))
    async def cancel_button(self, query: CallbackQuery) -> None:
        await self.wizard.exit()
        await self.cancelled(query)


# -- 1. audience -----------------------------------------------------------------------------------


class ChooseAudience(AnnounceStep, state="announce:audience"):
    @on.message.enter()
    @on.callback_query.enter()
    async def show_menu(self, event: Event) -> None:
        title = Text("📣 ", Bold(_("New announcement")), "\n\n", _("Who should receive it?"))
        await send(event, title, audience_menu())

    @on.callback_query(AnnounceCB.filter(F.action == AnnounceAction.menu))
    async def submenu(self, query: CallbackQuery, callback_data: AnnounceCB, kb: KnowledgeBase,
                      i18n: I18n, callback_answer: CallbackAnswer) -> None:  # fmt: skip
        value = callback_data.value
        kind, _sep, page = value.partition(".")
        markup: InlineKeyboardMarkup
        if value == "top":
            markup = audience_menu()
        elif value == "lang":
            markup = language_menu()
        elif value == "topic":
            markup = topic_menu()
        elif kind == "region" and (not page or page.isdigit()):
            markup = region_menu(kb, i18n.current_locale, int(page or 0))
        else:
            stale(callback_answer)
            return
        await replace(query, Text(_("Who should receive it?")), markup)

    @on.callback_query(AnnounceCB.filter(F.action == AnnounceAction.audience))
    async def chosen(self, query: CallbackQuery, callback_data: AnnounceCB, db: Database,
                     kb: KnowledgeBase, settings: Settings, i18n: I18n,
                     callback_answer: CallbackAnswer) -> None:  # fmt: skip
        audience = parse_audience(callback_data.value, kb)
        if audience is None:
            stale(callback_answer)
            return
        counts = await count_audience(db, audience, default_locale=settings.default_locale)
        draft = AnnouncementDraft(
            audience=audience.to_json(), counts=counts, languages=readers_of(audience, counts)
        )
        await self.save(draft)
        head = _("Audience: {audience}.").format(
            audience=audience_label(audience, kb, i18n.current_locale)
        )
        await replace(query, Text(head, " ", reach_line(counts)))
        await self.wizard.goto(WriteTexts)


# -- 2. texts --------------------------------------------------------------------------------------


class WriteTexts(TextsStep, AnnounceStep, state="announce:texts"):
    texts_field = "texts"
    languages_field = "languages"

    def prompt(self, lang: str, *, last_chance: bool) -> Text:
        ask = _("Send the text {in_language} (plain text, up to 4096 characters).").format(
            in_language=in_language(lang)
        )
        if last_chance:
            return Text(ask, " ", _("An announcement needs a text in at least one language."))
        return Text(ask, " ", _("Or press “{button}”.").format(button=_("Skip")))

    def skip_markup(self, lang: str, *, can_skip: bool) -> InlineKeyboardMarkup:
        return skip_menu(can_skip=can_skip)

    async def finished(self, event: Event, bot: Bot) -> None:
        draft = await self.draft()
        missing = [lang for lang in LOCALES if draft.counts.get(lang) and lang not in draft.texts]
        await self.wizard.goto(ChooseFallback if missing else AddMedia)

    @on.callback_query(AnnounceCB.filter(F.action == AnnounceAction.skip))
    async def skip_button(self, query: CallbackQuery, bot: Bot,
                          callback_answer: CallbackAnswer) -> None:  # fmt: skip
        await self.skip(query, bot, callback_answer)


# -- 3. readers of a language without a text -------------------------------------------------------


class ChooseFallback(AnnounceStep, state="announce:fallback"):
    @on.message.enter()
    @on.callback_query.enter()
    async def ask(self, event: Event) -> None:
        draft = await self.draft()
        missing = [lang for lang in LOCALES if draft.counts.get(lang) and lang not in draft.texts]
        who = ", ".join(f"{language_name(lang)}: {draft.counts[lang]}" for lang in missing)
        await send(
            event,
            Text(
                _(
                    "Some users read a language that has no text ({who}). What should they get?"
                ).format(who=who)
            ),
            fallback_menu(list(draft.texts)),
        )

    @on.callback_query(AnnounceCB.filter(F.action == AnnounceAction.fallback))
    async def chosen(self, query: CallbackQuery, callback_data: AnnounceCB,
                     callback_answer: CallbackAnswer) -> None:  # fmt: skip
        draft = await self.draft()
        value = callback_data.value or None
        if value is not None and value not in draft.texts:
            stale(callback_answer)
            return
        await self.save(draft.model_copy(update={"fallback": value}))
        await self.wizard.goto(AddMedia)


# -- 4. photo or link ------------------------------------------------------------------------------


class AddMedia(AnnounceStep, state="announce:media"):
    @on.message.enter()
    @on.callback_query.enter()
    async def ask(self, event: Event) -> None:
        await send(
            event,
            Text(_("Optionally, send a photo or a link (https://…) to add to the announcement.")),
            media_menu(),
        )

    @on.message(F.photo)
    async def photo(self, message: Message) -> None:
        draft = await self.draft()
        if any(len(text) > MAX_CAPTION for text in draft.texts.values()):
            await message.answer(
                _(
                    "With a photo a text may have at most 1024 characters; "
                    "shorten it or send a link instead."
                )
            )
            return
        assert message.photo is not None
        await self.save(draft.model_copy(update={"photo": message.photo[-1].file_id, "link": None}))
        await self.wizard.goto(ChooseTime)

    @on.message(F.text.func(parse_link).as_("link"))
    async def link(self, message: Message, link: str) -> None:
        draft = await self.draft()
        await self.save(draft.model_copy(update={"link": link, "photo": None}))
        await self.wizard.goto(ChooseTime)

    @on.callback_query(AnnounceCB.filter(F.action == AnnounceAction.no_media))
    async def without(self, query: CallbackQuery) -> None:
        draft = await self.draft()
        await self.save(draft.model_copy(update={"link": None, "photo": None}))
        await self.wizard.goto(ChooseTime)

    @on.message(not_a_command_or_file)
    async def unexpected(self, message: Message) -> None:
        await message.answer(_("Send a photo, a link starting with https://, or press the button."))


# -- 5. preview and when ---------------------------------------------------------------------------


class ChooseTime(AnnounceStep, state="announce:when"):
    @on.message.enter()
    @on.callback_query.enter()
    async def preview(self, event: Event, bot: Bot) -> None:
        draft = await self.draft()
        announcement = draft.announcement(event.from_user.id if event.from_user else 0)
        chat = event.from_user.id if event.from_user else 0
        await send(
            event, Text("👁 ", _("Preview: exactly what the readers of each language will receive."))
        )
        for lang in LOCALES:
            if lang in announcement.texts:
                await bot.send_message(chat, f"— {language_name(lang)} —", parse_mode=None)
                await send_rendered(bot, chat, render(announcement, lang))
        await send(event, Text(_("When should it be sent?")), when_menu())

    @on.callback_query(AnnounceCB.filter(F.action == AnnounceAction.when))
    async def chosen(self, query: CallbackQuery, callback_data: AnnounceCB,
                     settings: Settings) -> None:  # fmt: skip
        draft = await self.draft()
        if callback_data.value == "later":
            await self.save(draft.model_copy(update={"typing_time": True}))
            hint = _("Type the date and time in {zone}, for example 2026-12-01 18:00.")
            await replace(query, Text(hint.format(zone=settings.timezone)))
            return
        await self.save(draft.model_copy(update={"send_at": None, "typing_time": False}))
        await self.wizard.goto(Confirm)

    @on.message(F.text, not_a_command_or_file)
    async def typed(self, message: Message, settings: Settings) -> None:
        draft = await self.draft()
        if not draft.typing_time or (message.text or "").startswith("/"):
            await self.unexpected(message)
            return
        moment = parse_when(message.text or "", settings.timezone)
        if moment is None:
            await message.answer(_("I could not read that. Use the form 2026-12-01 18:00."))
            return
        if moment <= datetime.now(UTC):
            await message.answer(_("That moment has passed. Type a time in the future."))
            return
        await self.save(draft.model_copy(update={"send_at": moment}))
        await self.wizard.goto(Confirm)


# -- 6. confirm ------------------------------------------------------------------------------------


class Confirm(AnnounceStep, state="announce:confirm"):
    @on.message.enter()
    @on.callback_query.enter()
    async def summary(self, event: Event, kb: KnowledgeBase, settings: Settings,
                      i18n: I18n) -> None:  # fmt: skip
        draft = await self.draft()
        await send(event, announcement_summary(draft, kb, settings, i18n.current_locale),
                   confirm_menu())  # fmt: skip

    @on.callback_query(AnnounceCB.filter(F.action == AnnounceAction.confirm))
    async def confirmed(self, query: CallbackQuery, services: Services, settings: Settings,
                        moderators: ModeratorRepo, broadcasts: BroadcastService,
                        user: UserRecord, i18n: I18n,
                        callback_answer: CallbackAnswer) -> None:  # fmt: skip
        draft = await self.draft()
        await self.wizard.exit()  # first: a second press finds no wizard and stores nothing twice
        try:
            announcement = await services.announcements.confirm(
                user.id,
                audience=draft.target(),
                texts=draft.texts,
                fallback=draft.fallback,
                photo=draft.photo,
                link=draft.link,
                send_at=draft.send_at,
                require_approval=settings.require_approval,
            )
        except (ValueError, KeyError) as exc:
            alert(callback_answer, _("The announcement is incomplete; start again with /announce."))
            await services.announcements.record_invalid(user.id, str(exc))
            return
        if settings.require_approval:
            text = _("Announcement #{id} is waiting for a second moderator's approval.")
            await replace(query, Text(text.format(id=announcement.id)))
            await ask_approvers(query.bot, announcement.id, user.id, settings, moderators)
            return
        if draft.send_at is not None:
            when = when_label(draft.send_at, settings, i18n.current_locale)
            text = _("Announcement #{id} will be sent {when}.").format(
                id=announcement.id, when=when
            )
        else:
            text = _("Announcement #{id} is queued.").format(id=announcement.id)
        await replace(query, Text(text))
        if isinstance(query.message, Message):
            broadcasts.track(announcement.id, query.message.chat.id, query.message.message_id)
        broadcasts.wake()


SCENES = (ChooseAudience, WriteTexts, ChooseFallback, AddMedia, ChooseTime, Confirm)


# -- entries ---------------------------------------------------------------------------------------


async def cmd_announce(message: Message, state: FSMContext, scenes: ScenesManager) -> None:
    await state.set_data({})
    await scenes.enter(ChooseAudience)


async def on_reception_announce(query: CallbackQuery, callback_data: ReceptionAnnounceCB,
                                state: FSMContext, scenes: ScenesManager, db: Database,
                                kb: KnowledgeBase, settings: Settings, i18n: I18n,
                                consular: ConsularDirectory,
                                callback_answer: CallbackAnswer) -> None:  # fmt: skip
    """A ready announcement for a newly added reception: straight to the photo step."""
    reception = await consular.reception(callback_data.id)
    if reception is None:
        stale(callback_answer)
        return
    audience, texts = await reception_announcement(kb, consular, reception, i18n)
    counts = await count_audience(db, audience, default_locale=settings.default_locale)
    draft = AnnouncementDraft(
        audience=audience.to_json(), counts=counts, languages=list(texts), asked=len(texts),
        texts=texts,
    )  # fmt: skip
    await state.set_data(draft.to_data())
    head = _("Audience: {audience}.").format(
        audience=audience_label(audience, kb, i18n.current_locale)
    )
    await send(query, Text(head, " ", reach_line(counts)))
    await scenes.enter(AddMedia)


def create_router() -> Router:
    router = wizard_router(__name__, SCENES, AnnounceCB.filter())
    router.message.register(cmd_announce, command("announce"))
    router.callback_query.register(on_reception_announce, ReceptionAnnounceCB.filter())
    return router
