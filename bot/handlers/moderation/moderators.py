"""/moderators (admins only): list (names, who added them and when), add by user id or
forwarded message, remove. /audit (admins only): the latest moderator actions, in words,
at local times.

Names are not stored: they are asked from Telegram (getChat knows everyone who has
talked to the bot) and shown escaped; someone it does not know is "user 123"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, MessageOriginUser
from aiogram.utils.formatting import Bold, Code, Text, as_line
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcast.audience import record_language
from bot.commands import clear_staff_commands, command, set_staff_commands
from bot.config import Settings
from bot.formatting import format_kb_date, format_moment, split_text
from bot.handlers.render import answer_stale, show
from bot.keyboards.callbacks import ModAction, ModCB
from bot.keyboards.moderation import moderators_menu
from bot.middlewares.roles import HasRole
from bot.services import Services
from bot.services.knowledge import SYSTEM_ACTOR
from bot.storage.roles import AuditEntry, AuditRepo, ModeratorRepo
from bot.storage.users import UserRepo

AUDIT_RECENT = 20
SHOWN_IDS = 5  # of the documents one import or revert touched
ERROR_CHARS = 200


class AddModerator(StatesGroup):
    who = State()


# -- people and times ---------------------------------------------------------------------


def parse_moment(value: str | None) -> datetime | None:
    """A stored ISO-8601 stamp (UTC; a naive one is taken as UTC), or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_time(value: str | None, settings: Settings, locale: str) -> str | None:
    """A stored stamp as the reader reads it: their locale, `TIMEZONE`, to the minute."""
    moment = parse_moment(value)
    if moment is None:
        return None
    return format_moment(moment, ZoneInfo(settings.timezone), locale)


def unknown_user(user_id: int) -> str:
    return _("user {id}").format(id=user_id)


async def display_name(bot: Bot | None, user_id: int) -> str:
    """First and last name and @username as Telegram knows them, or "user 123"."""
    if bot is None or user_id <= 0:
        return unknown_user(user_id)
    try:
        chat = await bot.get_chat(user_id)
    except TelegramAPIError:
        return unknown_user(user_id)
    name = " ".join(p for p in (chat.first_name, chat.last_name) if p) or chat.title or ""
    if chat.username:
        name = f"{name} (@{chat.username})" if name else f"@{chat.username}"
    return name or unknown_user(user_id)


async def display_names(bot: Bot | None, user_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(user_ids))
    names = await asyncio.gather(*(display_name(bot, uid) for uid in ids))
    return dict(zip(ids, names, strict=True))


# -- /moderators --------------------------------------------------------------------------


async def moderators_screen(
    moderators: ModeratorRepo, bot: Bot | None, settings: Settings, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    entries = await moderators.entries()
    names = await display_names(bot, [e.user_id for e in entries] + [e.added_by for e in entries])
    lines: list[Any] = [as_line("🛡 ", Bold(_("Moderators"))), as_line("")]
    if not entries:
        lines.append(as_line(_("No moderators yet.")))
    for entry in entries:
        lines.append(as_line("• ", Bold(names[entry.user_id]), " · ", Code(str(entry.user_id))))
        when = local_time(entry.added_at, settings, locale)
        added = (
            _("added by {name}, {time}").format(name=names[entry.added_by], time=when)
            if when
            else _("added by {name}").format(name=names[entry.added_by])
        )
        lines.append(as_line("    ", added))
    if entries:
        lines.append(as_line(_("Times are in {zone}.").format(zone=settings.timezone)))
    markup = moderators_menu([(e.user_id, names[e.user_id]) for e in entries])
    return Text(*lines).as_html().rstrip("\n"), markup


async def cmd_moderators(
    message: Message, moderators: ModeratorRepo, settings: Settings, i18n: I18n
) -> None:
    text, markup = await moderators_screen(moderators, message.bot, settings, i18n.current_locale)
    await message.answer(text, reply_markup=markup)


async def on_mod_action(
    query: CallbackQuery,
    callback_data: ModCB,
    moderators: ModeratorRepo,
    services: Services,
    state: FSMContext,
    settings: Settings,
    i18n: I18n,
) -> None:
    if callback_data.action is ModAction.add:
        await state.set_state(AddModerator.who)
        await query.answer()
        await show(
            query,
            _(
                "Send the new moderator's numeric Telegram id, or forward me any message "
                "from them. /cancel to stop."
            ),
        )
        return
    if callback_data.action is ModAction.remove:
        removed = await services.moderators.remove(query.from_user.id, callback_data.user_id)
        if removed and query.bot is not None:
            await clear_staff_commands(query.bot, callback_data.user_id)
        await query.answer(_("Removed.") if removed else _("Not a moderator."))
        text, markup = await moderators_screen(moderators, query.bot, settings, i18n.current_locale)
        await show(query, text, markup)
        return
    await answer_stale(query)


async def on_moderator_given(
    message: Message,
    moderators: ModeratorRepo,
    services: Services,
    users: UserRepo,
    state: FSMContext,
    settings: Settings,
    i18n: I18n,
) -> None:
    user_id: int | None = None
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        user_id = origin.sender_user.id
    elif origin is not None:
        await message.answer(
            _("This user hides their account in forwards. Please send their numeric id instead.")
        )
        return
    elif message.text and message.text.strip().isdigit() and len(message.text.strip()) < 16:
        user_id = int(message.text.strip())
    if user_id is None or user_id <= 0:
        await message.answer(_("That is not a Telegram user id. Send digits only, or /cancel."))
        return
    await state.clear()
    actor = message.from_user.id if message.from_user else message.chat.id
    added = await services.moderators.add(actor, user_id)
    if added:
        record = await users.get(user_id)
        if message.bot is not None:
            locale = record_language(record, settings.default_locale)
            await set_staff_commands(message.bot, i18n, user_id, locale, admin=False)
    text, markup = await moderators_screen(moderators, message.bot, settings, i18n.current_locale)
    note = _("Added {user_id}.") if added else _("{user_id} is already a moderator.")
    await message.answer(note.format(user_id=user_id) + "\n\n" + text, reply_markup=markup)


# -- /audit -------------------------------------------------------------------------------


def _announcement_id(details: dict[str, Any]) -> str:
    return str(details.get("id", "?"))


def _count_and_ids(details: dict[str, Any]) -> tuple[int, str]:
    ids = details.get("ids") or []
    if not isinstance(ids, list):
        ids = [ids]
    shown = ", ".join(str(i) for i in ids[:SHOWN_IDS])
    return len(ids), shown + (", …" if len(ids) > SHOWN_IDS else "")


def _date(value: Any, locale: str) -> str:
    text = str(value or "")
    return format_kb_date(text, None, locale) or text


def describe(entry: AuditEntry, names: dict[int, str], settings: Settings, locale: str) -> str:
    """What one audit record says was done, in words (plain text, escaped later)."""
    d = entry.details
    action = entry.action
    if action in ("moderator.add", "moderator.remove"):
        target = int(d.get("user_id") or 0)
        who = names.get(target) or unknown_user(target)
        if action == "moderator.add":
            return _("made {name} a moderator").format(name=who)
        return _("removed {name} from the moderators").format(name=who)
    if action == "announcement.confirm":
        when = local_time(d.get("send_at"), settings, locale)
        if when:
            return _("confirmed announcement #{id}, to be sent {time}").format(
                id=_announcement_id(d), time=when
            )
        return _("confirmed announcement #{id}, to be sent at once").format(id=_announcement_id(d))
    simple = {
        "announcement.submit": _("submitted announcement #{id} for a second moderator's approval"),
        "announcement.approve": _("approved announcement #{id}"),
        "announcement.reject": _("rejected announcement #{id}"),
        "announcement.cancel": _("cancelled announcement #{id}"),
    }
    if action in simple:
        return simple[action].format(id=_announcement_id(d))
    if action == "announcement.invalid":
        return _("tried to confirm an announcement that could not be stored ({error})").format(
            error=str(d.get("error", ""))[:ERROR_CHARS]
        )
    if action == "reception.add":
        return _("added a reception in {city} on {date}").format(
            city=d.get("city", ""), date=_date(d.get("date"), locale)
        )
    if action == "office.add":
        return _("added the office “{name}” in {city}").format(
            name=d.get("name", ""), city=d.get("city", "")
        )
    if action == "consular.edit":
        kind, _sep, item_id = str(d.get("subject", "")).partition(":")
        fields = {
            "venue": _("the address"),
            "hours": _("the opening hours"),
            "booking_url": _("the booking link"),
            "contact": _("the contact"),
            "lat": _("the map point"),
            "lon": _("the map point"),
            "services": _("the services"),
        }
        field = fields.get(str(d.get("field")), str(d.get("field")))
        if kind == "office":
            template = (
                _("removed {field} of the office {id}")
                if d.get("removed")
                else _("set {field} of the office {id}")
            )
        else:
            template = (
                _("removed {field} of the reception {id}")
                if d.get("removed")
                else _("set {field} of the reception {id}")
            )
        return template.format(field=field, id=item_id)
    if action == "event.add":
        return _("added the event “{id}” in {city} on {date}").format(
            id=d.get("id", ""), city=d.get("city", ""), date=_date(d.get("date"), locale)
        )
    if action == "document.ingest":
        passages = int(d.get("passages") or 0)
        template = (
            _(
                "replaced the document “{id}” ({count} passage)",
                "replaced the document “{id}” ({count} passages)",
                passages,
            )
            if d.get("replaced")
            else _(
                "added the document “{id}” ({count} passage)",
                "added the document “{id}” ({count} passages)",
                passages,
            )
        )
        return template.format(id=d.get("id", ""), count=passages)
    if action == "document.import":
        count, ids = _count_and_ids(d)
        return _(
            "imported {count} document from the import folder: {ids}",
            "imported {count} documents from the import folder: {ids}",
            count,
        ).format(count=count, ids=ids)
    if action == "document.revert":
        count, ids = _count_and_ids(d)
        return _(
            "took {count} document back out: the knowledge base could not be built with it ({ids})",
            "took {count} documents back out: the knowledge base could not be built with them "
            "({ids})",
            count,
        ).format(count=count, ids=ids)
    # An action this screen does not know yet: its name and its details, as they are.
    details = "; ".join(f"{key}: {value}" for key, value in d.items())
    return f"{action} ({details})" if details else action


def actor_name(actor_id: int, names: dict[int, str]) -> str:
    if actor_id == SYSTEM_ACTOR:
        return _("the bot (automatic)")
    return names.get(actor_id) or unknown_user(actor_id)


async def audit_screen(audit: AuditRepo, bot: Bot | None, settings: Settings, locale: str) -> str:
    entries = await audit.recent(AUDIT_RECENT)
    if not entries:
        return _("The audit log is empty.")
    people = {e.actor_id for e in entries if e.actor_id != SYSTEM_ACTOR}
    people |= {
        int(e.details.get("user_id") or 0)
        for e in entries
        if e.action.startswith("moderator.") and e.details.get("user_id")
    }
    names = await display_names(bot, people)
    lines: list[Any] = [as_line("🧾 ", Bold(_("Audit log")))]
    for entry in entries:
        when = local_time(entry.at, settings, locale) or entry.at
        lines.append(as_line(Bold(when), " — ", actor_name(entry.actor_id, names), ":"))
        lines.append(as_line("    ", describe(entry, names, settings, locale)))
    lines.append(as_line(_("Times are in {zone}.").format(zone=settings.timezone)))
    return Text(*lines).as_html().rstrip("\n")


async def cmd_audit(message: Message, audit: AuditRepo, settings: Settings, i18n: I18n) -> None:
    text = await audit_screen(audit, message.bot, settings, i18n.current_locale)
    for part in split_text(text):  # whole lines: no tag is cut in two
        await message.answer(part)


def create_router() -> Router:
    router = Router(name=__name__)
    admin_only = HasRole()  # admins pass every role check; nobody else passes this one
    router.message.filter(admin_only)
    router.callback_query.filter(admin_only)
    router.message.register(cmd_moderators, command("moderators"))
    router.message.register(cmd_audit, command("audit"))
    router.message.register(
        on_moderator_given, StateFilter(AddModerator.who), ~F.text.startswith("/")
    )
    router.callback_query.register(on_mod_action, ModCB.filter())
    return router
