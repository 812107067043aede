"""All CallbackData factories in one place.

Packed data must stay under Telegram's 64 bytes, so fields carry short ids and
enums, never titles. A value that does not unpack (stale or forged) fails the
filter and falls through to the fallback handler.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class Lang(StrEnum):
    ru = "ru"
    kk = "kk"
    en = "en"


class Section(StrEnum):
    history = "history"
    events = "events"
    consular = "consular"
    ask = "ask"
    subscriptions = "subs"
    language = "lang"
    help = "help"
    home = "home"


class LangCB(CallbackData, prefix="lang"):
    code: Lang


class MenuCB(CallbackData, prefix="m"):
    section: Section


class ForgetCB(CallbackData, prefix="forget"):
    """Yes (with the proof of the confirmation shown) or no to /forget."""

    confirm: bool
    proof: str = ""  # the nonce kept in the FSM data when the question was shown


class ResultCB(CallbackData, prefix="r"):
    """Show result `n` (0-based) of stored question `q`."""

    q: int
    n: int


class VoteCB(CallbackData, prefix="v"):
    """👍/👎 on result `n` of question `q`."""

    q: int
    n: int
    up: bool


class TopicCB(CallbackData, prefix="t"):
    """A history topic (ids from data/topics.toml are short slugs)."""

    id: str
    page: int = 0


class AskTopicCB(CallbackData, prefix="ta"):
    id: str


class EventsCB(CallbackData, prefix="ev"):
    """The events list with its filters; `upcoming` shows only future events."""

    country: str = ""
    city: str = ""
    year: int = 0
    kind: str = ""
    page: int = 0
    upcoming: bool = False


class EventFilterCB(CallbackData, prefix="ef"):
    """Choose a value for one filter `dim`, keeping the others."""

    dim: str
    country: str = ""
    city: str = ""
    year: int = 0
    kind: str = ""


class EventCB(CallbackData, prefix="e"):
    """An event card; `key` is a short hash of the document id."""

    key: str


class ConsularCB(CallbackData, prefix="c"):
    action: str  # home | next | list | offices | services | city | near


class OfficeCB(CallbackData, prefix="co"):
    id: str


class ServiceCB(CallbackData, prefix="cs"):
    key: str


class ReceptionCB(CallbackData, prefix="cr"):
    id: str


class MapCB(CallbackData, prefix="cm"):
    id: str  # a reception's


class OfficeMapCB(CallbackData, prefix="cmo"):
    id: str  # an office's


class SubCB(CallbackData, prefix="s"):
    """Toggle a subscription: kind t (topic) or r (region)."""

    kind: str
    key: str
    page: int = 0


class SubViewCB(CallbackData, prefix="sv"):
    view: str  # topics | regions
    page: int = 0


# -- moderation (every prefix starts with "md": the guard router refuses them to users) --


class ModAction(StrEnum):
    """The moderators list's buttons (admins only)."""

    add = "add"
    remove = "remove"  # user_id: the moderator to remove


class ModCB(CallbackData, prefix="mdm"):
    """Moderators list: add one, or remove one (admins only)."""

    action: ModAction
    user_id: int = 0


class AnnounceAction(StrEnum):
    """The announcement wizard's buttons; each has one handler, in the scene it belongs to."""

    menu = "menu"  # open an audience submenu (value: lang | topic | region.PAGE | top)
    audience = "aud"  # choose the audience (value: all | lang.CODE | topic.KEY | region.ID)
    skip = "skip"  # no text in the language asked for
    fallback = "fallback"  # what readers of a language without text get (value: a language)
    no_media = "media"  # no photo or link
    when = "when"  # now | later
    confirm = "confirm"
    cancel = "cancel"


class AnnounceCB(CallbackData, prefix="mda"):
    """A step of the announcement wizard."""

    action: AnnounceAction
    value: str = ""


class AnnouncementAction(StrEnum):
    """The announcements list's buttons; `cancel` is only ever offered on the confirm
    screen that `ask_cancel` shows."""

    view = "view"
    ask_cancel = "ask_cancel"  # the first tap: asks to confirm
    cancel = "cancel"  # "Yes, cancel": the confirmed one
    back = "back"  # back to the list
    approve = "approve"
    reject = "reject"


class AnnouncementCB(CallbackData, prefix="mdl"):
    """Announcements list: view, cancel (after confirming), approve or reject one."""

    action: AnnouncementAction
    id: int


class ReceptionAnnounceCB(CallbackData, prefix="mdra"):
    """Offer a ready announcement for a newly added reception."""

    id: str


class DetailField(StrEnum):
    """What a moderator may give for an office or a reception (`DETAIL_FIELDS`)."""

    venue = "venue"
    hours = "hours"
    booking = "booking_url"
    contact = "contact"
    point = "point"  # the venue's map point (lat, lon)
    services = "services"


class EditCB(CallbackData, prefix="mde"):
    """A moderator's edit of an office's (`office`) or a reception's details: no field
    opens the menu of fields, a field opens its step."""

    id: str
    office: bool = False
    field: DetailField | None = None


class UploadAction(StrEnum):
    add = "add"  # as it is, without the publisher or link asked for
    cancel = "cancel"


class UploadCB(CallbackData, prefix="mdu"):
    """The source step of an upload."""

    action: UploadAction


class ContentAction(StrEnum):
    """The reception and event wizards' buttons; each has one handler."""

    office = "office"  # value: the office's short key
    service = "svc"  # toggle one service (value: its short key)
    services_done = "svc_done"
    kind = "kind"  # the event's kind
    mission = "mission"  # whose office: RU (in Kazakhstan) or KZ (in Russia)
    office_kind = "okind"  # value: one of OFFICE_KINDS
    remove = "remove"  # a detail's Remove button (value: the field)
    skip = "skip"  # no text in this language (value: FIELD_LANG, the step it skips)
    confirm = "confirm"  # value: reception | event | office
    cancel = "cancel"


class ContentCB(CallbackData, prefix="mdc"):
    """A step of the reception/event wizards."""

    action: ContentAction
    value: str = ""


class ReminderCB(CallbackData, prefix="rem"):
    """Turn the day-before reminders of receptions on (`on`) or off (subscriptions screen)."""

    on: bool
