"""What moderators are writing: the wizards' drafts (pydantic models kept as JSON in the
FSM data, so they survive a restart and another instance) and how each reads back to
them: the heading with the step, hints, and the summary shown before Confirm."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Self

from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _
from pydantic import BaseModel, Field

from bot.broadcast import Announcement, AnnouncementStatus, Audience
from bot.cards import event_kind_label, texts_in
from bot.config import LOCALES, Settings
from bot.consular import ConsularDirectory, places
from bot.consular_cards import mission_label, office_kind_label, service_label
from bot.formatting import format_kb_date
from bot.i18n import language_name
from bot.kb.search import KnowledgeBase
from bot.keyboards.callbacks import DetailField
from bot.staff.audience import audience_label, reach_line
from bot.staff.people import when_label

STEPS = 6  # the reception and event wizards: five steps and the confirmation
OFFICE_STEPS = 5

# -- the drafts ---------------------------------------------------------------------------------


class Draft(BaseModel):
    """A wizard's work in progress, stored as JSON in the FSM data under `KEY`."""

    KEY: ClassVar[str]

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        return cls.model_validate(data.get(cls.KEY) or {})

    def to_data(self) -> dict[str, Any]:
        return {self.KEY: self.model_dump(mode="json")}


class AnnouncementDraft(Draft):
    KEY: ClassVar[str] = "announcement"

    audience: str = ""  # Audience.to_json()
    counts: dict[str, int] = Field(default_factory=dict)  # recipients by language
    languages: list[str] = Field(default_factory=list)  # to ask a text in, in order
    asked: int = 0
    texts: dict[str, str] = Field(default_factory=dict)
    fallback: str | None = None
    photo: str | None = None
    link: str | None = None
    send_at: datetime | None = None
    typing_time: bool = False  # "At a time…" was pressed: a typed time is expected

    def target(self) -> Audience:
        return Audience.from_json(self.audience)

    def announcement(self, author: int) -> Announcement:
        return Announcement(
            id=0,
            created_by=author,
            created_at="",
            status=AnnouncementStatus.DRAFT,
            audience=self.target(),
            texts=dict(self.texts),
            fallback=self.fallback,
            photo=self.photo,
            link=self.link,
        )


class ReceptionDraft(Draft):
    KEY: ClassVar[str] = "reception"

    office: str = ""
    city: str = ""
    date: str = ""  # ISO
    services: list[str] = Field(default_factory=list)
    note: dict[str, str] = Field(default_factory=dict)
    asked: int = 0  # languages asked for a note


class EventDraft(Draft):
    KEY: ClassVar[str] = "event"

    title: dict[str, str] = Field(default_factory=dict)
    titles_asked: int = 0
    date: str = ""
    city: str = ""
    kind: str = ""
    summary: dict[str, str] = Field(default_factory=dict)
    summaries_asked: int = 0


class OfficeDraft(Draft):
    KEY: ClassVar[str] = "office"

    country: str = ""
    kind: str = ""
    city: str = ""
    name: dict[str, str] = Field(default_factory=dict)
    asked: int = 0


class UploadDraft(Draft):
    """A file that does not say who published it, waiting for the moderator's answer."""

    KEY: ClassVar[str] = "upload"

    document: dict[str, Any] = Field(default_factory=dict)  # `document_to_dict`


class DetailsDraft(Draft):
    """The office or reception being edited, the field, and (texts) the answers so far."""

    KEY: ClassVar[str] = "details"

    id: str = ""
    office: bool = False
    field: DetailField = DetailField.venue
    texts: dict[str, str] = Field(default_factory=dict)
    asked: int = 0
    services: list[str] = Field(default_factory=list)


# -- pieces of the screens ----------------------------------------------------------------------


def header(is_event: bool, step: int) -> Text:
    title = _("New event") if is_event else _("New consular reception")
    progress = _("Step {step} of {total}").format(step=step, total=STEPS)
    return Text("📅 " if is_event else "🛂 ", Bold(title), " · ", progress)


def office_header(step: int) -> Text:
    progress = _("Step {step} of {total}").format(step=step, total=OFFICE_STEPS)
    return Text("🏛 ", Bold(_("New consular office")), " · ", progress)


def date_hint(today: date) -> str:
    return _("Type the date as YYYY-MM-DD or DD.MM.YYYY, for example {iso} or {dotted}.").format(
        iso=today.isoformat(), dotted=today.strftime("%d.%m.%Y")
    )


def place_with_region(consular: ConsularDirectory, kb: KnowledgeBase, city: str, lang: str) -> str:
    name = places(kb).name(city, lang)
    region = consular.region_of(city)
    if region is not None and region.id != city:
        name += ", " + texts_in(region.name, lang)
    return name


def texts_lines(field: str, texts: dict[str, str]) -> list[Text]:
    """'Note (Russian): …' for every language given."""
    templates = {
        "note": ("📝 ", _("Note ({language}): {text}")),
        "title": ("📄 ", _("Title ({language}): {text}")),
        "summary": ("📝 ", _("Summary ({language}): {text}")),
        "name": ("🏛 ", _("Name ({language}): {text}")),
    }
    icon, template = templates[field]
    return [
        as_line(icon, template.format(language=language_name(lang), text=texts[lang]))
        for lang in LOCALES
        if lang in texts
    ]


def past_warning(iso_date: str, today: date) -> list[Text]:
    return (
        [as_line("⚠️ ", _("This date is in the past."))]
        if date.fromisoformat(iso_date) < today
        else []
    )


# -- the summaries before Confirm ---------------------------------------------------------------


def announcement_summary(draft: AnnouncementDraft, kb: KnowledgeBase, settings: Settings,
                         lang: str) -> Text:  # fmt: skip
    languages = ", ".join(language_name(code) for code in LOCALES if code in draft.texts)
    audience = audience_label(draft.target(), kb, lang)
    lines = [
        as_line("📣 ", Bold(_("Ready to send"))),
        as_line(
            _("Audience: {audience}.").format(audience=audience), " ", reach_line(draft.counts)
        ),
        as_line(_("Texts: {languages}.").format(languages=languages)),
        as_line(_("When: {when}.").format(when=when_label(draft.send_at, settings, lang))),
    ]
    if settings.require_approval:
        lines.append(as_line(_("A second moderator must approve it before it is sent.")))
    return Text(*lines)


async def reception_summary(draft: ReceptionDraft, kb: KnowledgeBase, consular: ConsularDirectory,
                            lang: str, today: date) -> Text:  # fmt: skip
    office = await consular.office(draft.office)
    when = format_kb_date(draft.date, "day", lang) or draft.date
    services = ", ".join(service_label(kb, k, lang) for k in draft.services)
    place = place_with_region(consular, kb, draft.city, lang)
    lines: list[Text | str] = [
        header(False, 6), "\n\n",
        as_line(Bold(_("Check the reception and confirm."))),
        as_line("🏛 ", _("Office: {office}").format(
            office=texts_in(office.name, lang) if office else draft.office)),
        as_line("📍 ", _("Place: {place}").format(place=place)),
        as_line("🗓 ", _("Date: {date}").format(date=when)),
        as_line("🧾 ", _("Services: {services}").format(services=services)),
        *texts_lines("note", draft.note),
        *past_warning(draft.date, today),
    ]  # fmt: skip
    known = await consular.receptions()
    if any((r.office, r.city, r.date) == (draft.office, draft.city, draft.date) for r in known):
        text = _("A reception by this office in this city on this date is already known.")
        lines.append(as_line("⚠️ ", text))
    return Text(*lines)


def event_summary(draft: EventDraft, kb: KnowledgeBase, lang: str, today: date) -> Text:
    when = format_kb_date(draft.date, "day", lang) or draft.date
    return Text(
        header(True, 6), "\n\n",
        as_line(Bold(_("Check the event and confirm."))),
        *texts_lines("title", draft.title),
        as_line("🗓 ", _("Date: {date}").format(date=when)),
        as_line("📍 ", _("Place: {place}").format(place=places(kb).name(draft.city, lang))),
        as_line("🏷 ", _("Kind: {kind}").format(kind=event_kind_label(draft.kind))),
        *texts_lines("summary", draft.summary),
        *past_warning(draft.date, today),
    )  # fmt: skip


async def office_summary(draft: OfficeDraft, kb: KnowledgeBase, consular: ConsularDirectory,
                         lang: str) -> Text:  # fmt: skip
    lines: list[Text | str] = [
        office_header(5), "\n\n",
        as_line(Bold(_("Check the office and confirm."))),
        as_line("🏷 ", office_kind_label(draft.kind), " · ", mission_label(draft.country)),
        as_line("📍 ", _("Place: {place}").format(place=places(kb).name(draft.city, lang))),
        *texts_lines("name", draft.name),
    ]  # fmt: skip
    names = {n.strip().casefold() for n in draft.name.values()}
    for office in await consular.offices():
        if office.city == draft.city and names & {n.casefold() for n in office.name.values()}:
            lines.append(as_line("⚠️ ", _("An office of this name in this city is already known.")))
            break
    return Text(*lines)
