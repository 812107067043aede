"""What the reception and event wizards show of their drafts: the heading with the step,
the date hint, the place with its region, and the texts given per language."""

from __future__ import annotations

from datetime import date

from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from bot.cards import texts_in
from bot.config import LOCALES
from bot.consular import ConsularDirectory, places
from bot.i18n import language_name
from bot.kb.search import KnowledgeBase

STEPS = 6  # both wizards: five steps and the confirmation


def header(is_event: bool, step: int) -> Text:
    title = _("New event") if is_event else _("New consular reception")
    progress = _("Step {step} of {total}").format(step=step, total=STEPS)
    return Text("📅 " if is_event else "🛂 ", Bold(title), " · ", progress)


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
    lines = []
    for lang in LOCALES:
        if lang not in texts:
            continue
        if field == "note":
            template = _("Note ({language}): {text}")
        elif field == "title":
            template = _("Title ({language}): {text}")
        else:
            template = _("Summary ({language}): {text}")
        icon = "📄 " if field == "title" else "📝 "
        lines.append(as_line(icon, template.format(language=language_name(lang), text=texts[lang])))
    return lines
