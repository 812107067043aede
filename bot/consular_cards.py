"""Cards of the consular directory: a reception and an office, with what the sources
or a moderator gave (venue, hours, booking link, contact, services) and, once, what
nobody gave. HTML; every piece of text is escaped.
"""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _
from babel.lists import format_list

from bot.cards import note_in, own_or_other, source_line, texts_in
from bot.consular import places
from bot.formatting import date_locale, format_kb_date
from bot.i18n import language_name
from bot.kb.search import KnowledgeBase
from bot.kb.sources import Office, Reception, VenueDetails


def service_label(kb: KnowledgeBase, key: str, lang: str) -> str:
    return texts_in(kb.catalog.services.get(key, {}), lang) or key


def office_kind_label(kind: str | None) -> str:
    labels = {
        "embassy": _("Embassy"),
        "consulate-general": _("Consulate general"),
        "consulate": _("Consulate"),
        "honorary-consul": _("Honorary consul"),
    }
    return labels.get(kind or "", _("Consular office"))


def mission_label(country: str) -> str:
    """Whose mission it is, and so where it serves."""
    if country == "RU":
        return _("Russian mission in Kazakhstan")
    if country == "KZ":
        return _("Kazakh mission in Russia")
    return country


def given_in(texts: dict[str, str], lang: str) -> str:
    """A moderator's text in `lang`, or in the language it was given in, marked as such."""
    text, other = own_or_other(texts, lang)
    if other is None:
        return text
    return _("{text} (in {language})").format(text=text, language=language_name(other))


def reception_title(kb: KnowledgeBase, reception: Reception, lang: str) -> str:
    city = places(kb).name(reception.city, lang)
    when = format_kb_date(reception.date, reception.date_precision, lang) or reception.date
    return _("Reception in {city}, {date}").format(city=city, date=when)


def detail_lines(item: VenueDetails, lang: str) -> list[str]:
    """Venue, hours, booking link and contact, those given (HTML)."""
    lines = []
    venue = given_in(item.venue, lang)
    if venue:
        lines.append("🏠 " + escape(_("Address: {address}").format(address=venue)))
    hours = given_in(item.hours, lang)
    if hours:
        lines.append("🕘 " + escape(_("Hours: {hours}").format(hours=hours)))
    if item.booking_url:
        link = f'<a href="{escape(item.booking_url)}">{escape(_("Book an appointment"))}</a>'
        lines.append("📝 " + link)
    if item.contact:
        lines.append("☎️ " + escape(_("Contact: {contact}").format(contact=item.contact)))
    return lines


def unknown_line(item: VenueDetails, lang: str) -> str | None:
    """One line naming what neither a source nor a moderator gave, or None."""
    missing = []
    if not item.venue:
        missing.append(_("the address"))
    if not item.hours:
        missing.append(_("the opening hours"))
    if not item.booking_url:
        missing.append(_("how to book"))
    if not item.contact:
        missing.append(_("a phone number or e-mail"))
    if not missing:
        return None
    return "ℹ️ " + escape(
        _("Not given by the sources: {missing}.").format(
            missing=format_list(missing, locale=date_locale(lang))
        )
    )


def reception_card(
    kb: KnowledgeBase, reception: Reception, lang: str, *, past: bool, office: Office | None = None
) -> str:
    office = office or kb.catalog.offices.get(reception.office)
    place = places(kb).name(reception.city, lang)
    if reception.region:
        place += ", " + places(kb).name(reception.region, lang)
    when = format_kb_date(reception.date, reception.date_precision, lang) or reception.date
    title = (
        _("Outreach consular reception")
        if reception.kind == "outreach"
        else _("Consular reception")
    )
    lines = [f"<b>{escape(title)}</b>" + (" — " + escape(_("past")) if past else "")]
    lines.append("🗓 " + escape(when))
    lines.append("📍 " + escape(place))
    if office is not None:
        lines.append("🏛 " + escape(texts_in(office.name, lang)))
    lines += detail_lines(reception, lang)
    if reception.services:
        lines += ["", "<b>" + escape(_("Services")) + "</b>"]
        lines += ["• " + escape(service_label(kb, key, lang)) for key in reception.services]
    note = note_in(reception.note, lang)
    if note:
        lines += ["", escape(note)]
    unknown = None if past else unknown_line(reception, lang)  # helps only before it
    if unknown:
        lines += ["", unknown, escape(_("Please check with the consulate before you go."))]
    documents = kb.documents_by_source([reception.source] if reception.source else [])
    source = source_line(documents[0], lang) if documents else None
    if source:
        lines.append("🔗 " + source)
    return "\n".join(lines)


def office_card(kb: KnowledgeBase, office: Office, lang: str) -> str:
    lines = [
        "<b>" + escape(texts_in(office.name, lang)) + "</b>",
        "🏷 " + escape(f"{office_kind_label(office.kind)} · {mission_label(office.country)}"),
        "📍 " + escape(places(kb).name(office.city, lang)),
    ]
    lines += detail_lines(office, lang)
    head = texts_in(office.head_title, lang)
    if head:
        lines.append("👤 " + escape(head))
    if office.services:
        lines += ["", "<b>" + escape(_("Services")) + "</b>"]
        lines += ["• " + escape(service_label(kb, key, lang)) for key in office.services]
    note = note_in(office.note, lang)
    if note:
        lines += ["", escape(note)]
    unknown = unknown_line(office, lang)
    if unknown:
        lines += ["", unknown]
    if office.sources:
        lines.append("🔗 " + escape(_("Source: {source}").format(source=", ".join(office.sources))))
    return "\n".join(lines)
