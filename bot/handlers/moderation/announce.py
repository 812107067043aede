"""/announce: the announcement wizard (audience → texts → missing languages → photo or
link → preview → when → confirm), cancellable at every step with a button or /cancel.

Texts are plain: the engine escapes them, so a moderator's "<" stays "<". The preview
is sent exactly as recipients will get it (the engine's own rendering and send call).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import format_datetime

from bot.broadcast import Announcement, AnnouncementStatus, Audience, AudienceKind
from bot.broadcast.audience import count as count_audience
from bot.broadcast.message import render, send_rendered
from bot.broadcast.models import MAX_CAPTION
from bot.cards import texts_in
from bot.config import LOCALES, Settings
from bot.consular import ConsularDirectory, subscribable_regions
from bot.delivery import BroadcastService
from bot.handlers.moderation.announcements import ask_approvers
from bot.handlers.render import answer_stale, show
from bot.handlers.subscriptions import topic_label
from bot.i18n import LANGUAGE_NAMES
from bot.kb.search import KnowledgeBase
from bot.keyboards.callbacks import AnnounceCB, ReceptionAnnounceCB
from bot.notify import reception_announcement
from bot.services import Services
from bot.storage.database import Database
from bot.storage.roles import ModeratorRepo
from bot.storage.subscriptions import TOPICS
from bot.storage.users import UserRecord

REGIONS_PAGE = 8
_WHEN = re.compile(
    r"^\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.(\d{1,2})\.(\d{4}))[ T]+(\d{1,2}):(\d{2})\s*$"
)


class Announce(StatesGroup):
    audience = State()
    text = State()
    fallback = State()
    media = State()
    when = State()
    time = State()
    confirm = State()


def _button(kb: InlineKeyboardBuilder, text: str, action: str, value: str = "") -> None:
    kb.button(text=text, callback_data=AnnounceCB(action=action, value=value))


def _cancel_row(kb: InlineKeyboardBuilder) -> None:
    _button(kb, "✖️ " + _("Cancel"), "cancel")


def audience_label(audience: Audience, kb: KnowledgeBase, lang: str) -> str:
    if audience.kind is AudienceKind.ALL:
        return _("everyone")
    if audience.kind is AudienceKind.LANGUAGE:
        return _("users who read {language}").format(language=LANGUAGE_NAMES[audience.key or ""])
    if audience.kind is AudienceKind.REGION:
        return _("subscribers of {region}").format(
            region=kb.gazetteer.name(audience.key or "", lang)
        )
    return _("subscribers of “{topic}”").format(topic=topic_label(audience.key or ""))


def _counts_line(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    parts = " · ".join(f"{lang.upper()} {counts.get(lang, 0)}" for lang in LOCALES)
    return _(
        "It reaches {count} user ({parts}).", "It reaches {count} users ({parts}).", total
    ).format(count=total, parts=parts)


# -- step 1: audience -------------------------------------------------------------------------


def audience_menu() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    _button(kb, "👥 " + _("Everyone"), "aud", "all")
    _button(kb, "🌐 " + _("By language"), "menu", "lang")
    _button(kb, "🗺 " + _("Subscribers of a region"), "menu", "region")
    _button(kb, "🏷 " + _("Subscribers of a topic"), "menu", "topic")
    _cancel_row(kb)
    kb.adjust(1)
    return kb.as_markup()


async def cmd_announce(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(Announce.audience)
    await message.answer(
        "📣 <b>" + _("New announcement") + "</b>\n\n" + _("Who should receive it?"),
        reply_markup=audience_menu(),
    )


async def on_menu(
    query: CallbackQuery, callback_data: AnnounceCB, kb: KnowledgeBase, i18n: I18n
) -> None:
    lang = i18n.current_locale
    board = InlineKeyboardBuilder()
    if callback_data.value == "lang":
        for code in LOCALES:
            _button(board, LANGUAGE_NAMES[code], "aud", f"lang.{code}")
    elif callback_data.value == "topic":
        for key in TOPICS:
            _button(board, topic_label(key), "aud", f"topic.{key}")
    elif callback_data.value.startswith("region"):
        page = int(callback_data.value.partition(".")[2] or 0)
        regions = subscribable_regions(kb.catalog)
        for place in regions[page * REGIONS_PAGE : (page + 1) * REGIONS_PAGE]:
            _button(board, texts_in(place.name, lang), "aud", f"region.{place.id}")
        if page > 0:
            _button(board, "◀️", "menu", f"region.{page - 1}")
        if (page + 1) * REGIONS_PAGE < len(regions):
            _button(board, "▶️", "menu", f"region.{page + 1}")
    _button(board, "◀️ " + _("Back"), "menu", "top")
    _cancel_row(board)
    board.adjust(2)
    await query.answer()
    if callback_data.value == "top":
        await show(query, _("Who should receive it?"), audience_menu())
        return
    await show(query, _("Who should receive it?"), board.as_markup())


def parse_audience(value: str) -> Audience | None:
    kind, _sep, key = value.partition(".")
    try:
        if kind == "all":
            return Audience.everyone()
        if kind == "lang":
            return Audience.language(key)
        if kind == "region":
            return Audience.region(key)
        if kind == "topic" and key in TOPICS:
            return Audience.topic(key)
    except ValueError:
        return None
    return None


async def on_audience(
    query: CallbackQuery,
    callback_data: AnnounceCB,
    state: FSMContext,
    db: Database,
    kb: KnowledgeBase,
    settings: Settings,
    i18n: I18n,
) -> None:
    audience = parse_audience(callback_data.value)
    if audience is None or (
        audience.kind is AudienceKind.REGION
        and audience.key not in {p.id for p in subscribable_regions(kb.catalog)}
    ):
        await answer_stale(query)
        return
    counts = await count_audience(db, audience, default_locale=settings.default_locale)
    await state.update_data(audience=audience.to_json(), counts=counts, texts={}, lang_index=0)
    await query.answer()
    head = _("Audience: {audience}.").format(
        audience=audience_label(audience, kb, i18n.current_locale)
    )
    await show(query, head + " " + _counts_line(counts))
    await ask_text(query.bot, query.from_user.id, state)


# -- step 2: texts per language ---------------------------------------------------------------


async def ask_text(bot: Bot | None, chat_id: int, state: FSMContext) -> None:
    data = await state.get_data()
    index = int(data.get("lang_index", 0))
    if index >= len(LOCALES):
        await after_texts(bot, chat_id, state)
        return
    lang = LOCALES[index]
    await state.set_state(Announce.text)
    board = InlineKeyboardBuilder()
    _button(board, "⏭ " + _("Skip this language"), "skip")
    _cancel_row(board)
    board.adjust(1)
    prompt = _("Send the text in {language} (plain text, up to 4096 characters).").format(
        language=LANGUAGE_NAMES[lang]
    )
    if bot is not None:
        await bot.send_message(chat_id, prompt, reply_markup=board.as_markup())


async def on_text(message: Message, state: FSMContext) -> None:
    text = (message.text or "").strip()
    if not text:
        await message.answer(_("Please send text, or press Skip."))
        return
    if len(text) > 4096:
        await message.answer(
            _("This text is too long: {count} characters; the limit is 4096.").format(
                count=len(text)
            )
        )
        return
    data = await state.get_data()
    index = int(data.get("lang_index", 0))
    texts = dict(data.get("texts", {}))
    texts[LOCALES[index]] = text
    await state.update_data(texts=texts, lang_index=index + 1)
    await ask_text(message.bot, message.chat.id, state)


async def on_skip(query: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    await state.update_data(lang_index=int(data.get("lang_index", 0)) + 1)
    await query.answer()
    await ask_text(query.bot, query.from_user.id, state)


async def after_texts(bot: Bot | None, chat_id: int, state: FSMContext) -> None:
    data = await state.get_data()
    texts: dict[str, str] = data.get("texts", {})
    if bot is None:
        return
    if not texts:
        await state.update_data(lang_index=0)
        await bot.send_message(chat_id, _("An announcement needs a text in at least one language."))
        await ask_text(bot, chat_id, state)
        return
    counts: dict[str, int] = data.get("counts", {})
    missing = [lang for lang in LOCALES if counts.get(lang, 0) and lang not in texts]
    if not missing:
        await ask_media(bot, chat_id, state)
        return
    await state.set_state(Announce.fallback)
    board = InlineKeyboardBuilder()
    for lang in texts:
        _button(
            board,
            _("Send them the {language} text").format(language=LANGUAGE_NAMES[lang]),
            "fallback",
            lang,
        )
    _button(board, _("Skip them"), "fallback", "")
    _cancel_row(board)
    board.adjust(1)
    who = ", ".join(f"{LANGUAGE_NAMES[lang]}: {counts[lang]}" for lang in missing)
    await bot.send_message(
        chat_id,
        _("Some users read a language that has no text ({who}). What should they get?").format(
            who=who
        ),
        reply_markup=board.as_markup(),
    )


async def on_fallback(query: CallbackQuery, callback_data: AnnounceCB, state: FSMContext) -> None:
    data = await state.get_data()
    value = callback_data.value or None
    if value is not None and value not in data.get("texts", {}):
        await answer_stale(query)
        return
    await state.update_data(fallback=value)
    await query.answer()
    if query.bot is not None:
        await ask_media(query.bot, query.from_user.id, state)


# -- step 3: photo or link ----------------------------------------------------------------------


async def ask_media(bot: Bot, chat_id: int, state: FSMContext) -> None:
    await state.set_state(Announce.media)
    board = InlineKeyboardBuilder()
    _button(board, "⏭ " + _("No photo or link"), "media", "skip")
    _cancel_row(board)
    board.adjust(1)
    await bot.send_message(
        chat_id,
        _("Optionally, send a photo or a link (https://…) to add to the announcement."),
        reply_markup=board.as_markup(),
    )


async def on_media(
    message: Message, state: FSMContext, i18n: I18n, kb: KnowledgeBase, settings: Settings
) -> None:
    data = await state.get_data()
    if message.photo:
        too_long = [lang for lang, text in data.get("texts", {}).items() if len(text) > MAX_CAPTION]
        if too_long:
            await message.answer(
                _(
                    "With a photo a text may have at most 1024 characters; "
                    "shorten it or send a link instead."
                )
            )
            return
        await state.update_data(photo=message.photo[-1].file_id, link=None)
    elif message.text and re.match(r"^https?://\S+$", message.text.strip()):
        await state.update_data(link=message.text.strip(), photo=None)
    else:
        await message.answer(_("Send a photo, a link starting with https://, or press the button."))
        return
    await preview(message.bot, message.chat.id, state, i18n, kb)


async def on_media_skip(
    query: CallbackQuery, state: FSMContext, i18n: I18n, kb: KnowledgeBase
) -> None:
    await state.update_data(photo=None, link=None)
    await query.answer()
    await preview(query.bot, query.from_user.id, state, i18n, kb)


# -- step 4: preview, step 5: when -----------------------------------------------------------------


def draft(data: dict[str, Any], created_by: int) -> Announcement:
    return Announcement(
        id=0,
        created_by=created_by,
        created_at="",
        status=AnnouncementStatus.DRAFT,
        audience=Audience.from_json(data["audience"]),
        texts=dict(data.get("texts", {})),
        fallback=data.get("fallback"),
        photo=data.get("photo"),
        link=data.get("link"),
    )


async def preview(
    bot: Bot | None, chat_id: int, state: FSMContext, i18n: I18n, kb: KnowledgeBase
) -> None:
    if bot is None:
        return
    data = await state.get_data()
    announcement = draft(data, chat_id)
    await bot.send_message(chat_id, "👁 " + _("Preview: exactly what each language will receive."))
    for lang in LOCALES:
        if lang not in announcement.texts:
            continue
        await bot.send_message(chat_id, f"— {LANGUAGE_NAMES[lang]} —")
        await send_rendered(bot, chat_id, render(announcement, lang))
    await state.set_state(Announce.when)
    board = InlineKeyboardBuilder()
    _button(board, "🚀 " + _("Send now"), "when", "now")
    _button(board, "🕒 " + _("At a time…"), "when", "later")
    _cancel_row(board)
    board.adjust(2, 1)
    await bot.send_message(chat_id, _("When should it be sent?"), reply_markup=board.as_markup())


async def on_when(
    query: CallbackQuery,
    callback_data: AnnounceCB,
    state: FSMContext,
    settings: Settings,
    kb: KnowledgeBase,
    i18n: I18n,
) -> None:
    await query.answer()
    if callback_data.value == "later":
        await state.set_state(Announce.time)
        await show(
            query,
            _("Type the date and time in {zone}, for example 2026-12-01 18:00.").format(
                zone=settings.timezone
            ),
        )
        return
    await state.update_data(send_at=None)
    await ask_confirm(query.bot, query.from_user.id, state, settings, kb, i18n)


def parse_when(text: str, zone: str) -> datetime | None:
    match = _WHEN.match(text)
    if not match:
        return None
    g = match.groups()
    year, month, day = (g[0], g[1], g[2]) if g[0] else (g[5], g[4], g[3])
    try:
        local = datetime(
            int(year), int(month), int(day), int(g[6]), int(g[7]), tzinfo=ZoneInfo(zone)
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


async def on_time(
    message: Message, state: FSMContext, settings: Settings, kb: KnowledgeBase, i18n: I18n
) -> None:
    moment = parse_when(message.text or "", settings.timezone)
    if moment is None:
        await message.answer(_("I could not read that. Use the form 2026-12-01 18:00."))
        return
    if moment <= datetime.now(UTC):
        await message.answer(_("That moment has passed. Type a time in the future."))
        return
    await state.update_data(send_at=moment.isoformat())
    await ask_confirm(message.bot, message.chat.id, state, settings, kb, i18n)


def when_label(send_at: str | None, settings: Settings, lang: str) -> str:
    if not send_at:
        return _("now")
    moment = datetime.fromisoformat(send_at)
    return (
        format_datetime(moment, "medium", tzinfo=ZoneInfo(settings.timezone), locale=lang)
        + f" ({settings.timezone})"
    )


# -- step 6: confirm -------------------------------------------------------------------------------


async def ask_confirm(
    bot: Bot | None,
    chat_id: int,
    state: FSMContext,
    settings: Settings,
    kb: KnowledgeBase,
    i18n: I18n,
) -> None:
    if bot is None:
        return
    data = await state.get_data()
    announcement = draft(data, chat_id)
    lang = i18n.current_locale
    languages = ", ".join(LANGUAGE_NAMES[code] for code in announcement.texts)
    lines = [
        "📣 <b>" + _("Ready to send") + "</b>",
        _("Audience: {audience}.").format(audience=audience_label(announcement.audience, kb, lang))
        + " "
        + _counts_line(data.get("counts", {})),
        _("Texts: {languages}.").format(languages=languages),
        _("When: {when}.").format(when=when_label(data.get("send_at"), settings, lang)),
    ]
    if settings.require_approval:
        lines.append(_("A second moderator must approve it before it is sent."))
    await state.set_state(Announce.confirm)
    board = InlineKeyboardBuilder()
    _button(board, "✅ " + _("Confirm"), "confirm")
    _cancel_row(board)
    board.adjust(2)
    await bot.send_message(chat_id, "\n".join(lines), reply_markup=board.as_markup())


async def on_confirm(
    query: CallbackQuery,
    state: FSMContext,
    services: Services,
    settings: Settings,
    moderators: ModeratorRepo,
    broadcasts: BroadcastService,
    user: UserRecord,
) -> None:
    data = await state.get_data()
    await state.clear()
    send_at = datetime.fromisoformat(data["send_at"]) if data.get("send_at") else None
    try:
        announcement = await services.announcements.confirm(
            user.id,
            audience=Audience.from_json(data["audience"]),
            texts=data.get("texts", {}),
            fallback=data.get("fallback"),
            photo=data.get("photo"),
            link=data.get("link"),
            send_at=send_at,
            require_approval=settings.require_approval,
        )
    except (ValueError, KeyError) as exc:
        await query.answer(
            _("The announcement is incomplete; start again with /announce."), show_alert=True
        )
        await services.announcements.record_invalid(user.id, str(exc))
        return
    await query.answer()
    if settings.require_approval:
        await show(
            query,
            _("Announcement #{id} is waiting for a second moderator's approval.").format(
                id=announcement.id
            ),
        )
        await ask_approvers(query.bot, announcement.id, user.id, settings, moderators)
        return
    await show(query, _("Announcement #{id} is queued.").format(id=announcement.id))
    if isinstance(query.message, Message):
        broadcasts.track(announcement.id, query.message.chat.id, query.message.message_id)
    broadcasts.wake()


async def cancel_wizard(state: FSMContext) -> str:
    await state.clear()
    return _("Cancelled. Nothing was sent.")


async def on_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await show(query, await cancel_wizard(state))


async def cmd_cancel(message: Message, state: FSMContext) -> None:
    await message.answer(await cancel_wizard(state))


# -- a ready announcement for a new reception ---------------------------------------------


async def on_reception_announce(
    query: CallbackQuery,
    callback_data: ReceptionAnnounceCB,
    state: FSMContext,
    db: Database,
    kb: KnowledgeBase,
    settings: Settings,
    i18n: I18n,
    consular: ConsularDirectory,
) -> None:
    reception = await consular.reception(callback_data.id)
    if reception is None:
        await answer_stale(query)
        return
    audience, texts = reception_announcement(kb, consular, reception, i18n)
    counts = await count_audience(db, audience, default_locale=settings.default_locale)
    await state.clear()
    await state.update_data(
        audience=audience.to_json(),
        counts=counts,
        texts=texts,
        lang_index=len(LOCALES),
        fallback=None,
    )
    await query.answer()
    head = _("Audience: {audience}.").format(
        audience=audience_label(audience, kb, i18n.current_locale)
    )
    if query.bot is not None:
        await query.bot.send_message(query.from_user.id, head + " " + _counts_line(counts))
        await ask_media(query.bot, query.from_user.id, state)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_announce, Command("announce"))
    router.message.register(cmd_cancel, StateFilter(Announce), Command("cancel"))
    router.callback_query.register(on_cancel, AnnounceCB.filter(F.action == "cancel"))
    router.callback_query.register(
        on_menu, StateFilter(Announce.audience), AnnounceCB.filter(F.action == "menu")
    )
    router.callback_query.register(
        on_audience, StateFilter(Announce.audience), AnnounceCB.filter(F.action == "aud")
    )
    router.message.register(on_text, StateFilter(Announce.text), ~F.text.startswith("/"))
    router.callback_query.register(
        on_skip, StateFilter(Announce.text), AnnounceCB.filter(F.action == "skip")
    )
    router.callback_query.register(
        on_fallback, StateFilter(Announce.fallback), AnnounceCB.filter(F.action == "fallback")
    )
    router.message.register(on_media, StateFilter(Announce.media), ~F.text.startswith("/"))
    router.callback_query.register(
        on_media_skip, StateFilter(Announce.media), AnnounceCB.filter(F.action == "media")
    )
    router.callback_query.register(
        on_when, StateFilter(Announce.when), AnnounceCB.filter(F.action == "when")
    )
    router.message.register(on_time, StateFilter(Announce.time), ~F.text.startswith("/"))
    router.callback_query.register(
        on_confirm, StateFilter(Announce.confirm), AnnounceCB.filter(F.action == "confirm")
    )
    router.callback_query.register(on_reception_announce, ReceptionAnnounceCB.filter())
    router.callback_query.register(on_stale_step, AnnounceCB.filter())
    return router


async def on_stale_step(query: CallbackQuery) -> None:
    """A wizard button from a step that is over (or from a wizard that was cancelled)."""
    await query.answer(_("This step is over. Start again with /announce."), show_alert=True)
