"""The audit log in words: each record as a sentence in the reader's language, at local
time, with names (`/audit`)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.formatting import format_kb_date
from bot.services.knowledge import SYSTEM_ACTOR
from bot.staff.people import actor_name, display_names, local_time, unknown_user
from bot.storage.roles import AuditEntry, AuditRepo

AUDIT_RECENT = 20
SHOWN_IDS = 5  # of the documents one import or revert touched
ERROR_CHARS = 200


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
