"""How an announcement's audience is named to moderators (the wizard, the list, the
detail view)."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.broadcast import Audience, AudienceKind
from bot.config import LOCALES
from bot.handlers.subscriptions import topic_label
from bot.kb.search import KnowledgeBase


def audience_label(audience: Audience, kb: KnowledgeBase, lang: str) -> str:
    if audience.kind is AudienceKind.ALL:
        return _("everyone")
    if audience.kind is AudienceKind.LANGUAGE:
        return {
            "ru": _("users who read Russian"),
            "kk": _("users who read Kazakh"),
            "en": _("users who read English"),
        }[audience.key or "en"]
    if audience.kind is AudienceKind.REGION:
        return _("subscribers of {region}").format(
            region=kb.gazetteer.name(audience.key or "", lang)
        )
    if audience.kind is AudienceKind.REGION_REMINDER:
        return _("subscribers of {region} who keep reminders on").format(
            region=kb.gazetteer.name(audience.key or "", lang)
        )
    return _("subscribers of “{topic}”").format(topic=topic_label(audience.key or ""))


def reach_line(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    parts = " · ".join(f"{lang.upper()} {counts.get(lang, 0)}" for lang in LOCALES)
    return _(
        "It reaches {count} user ({parts}).", "It reaches {count} users ({parts}).", total
    ).format(count=total, parts=parts)
