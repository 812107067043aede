"""What a recipient sees: the announcement text in their language, escaped for HTML.

Moderators type plain text; it is sent with ``parse_mode=HTML`` after escaping, so
``<``, ``>`` and ``&`` arrive as typed and nothing they write can break the markup
(or inject links). A link becomes one inline URL button under the message.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.broadcast.models import Announcement

#: The link button's label, in the language of the text it sits under.
LINK_LABELS: dict[str, str] = {"ru": "Подробнее", "kk": "Толығырақ", "en": "Read more"}


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str  # HTML: escaped plain text
    photo: str | None
    reply_markup: InlineKeyboardMarkup | None


def render(announcement: Announcement, text_lang: str) -> Rendered:
    """The message for `text_lang` (a language the announcement has a text for)."""
    text = html.escape(announcement.texts[text_lang], quote=False)
    markup = None
    if announcement.link:
        label = LINK_LABELS.get(text_lang, LINK_LABELS["en"])
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=label, url=announcement.link)]]
        )
    return Rendered(text=text, photo=announcement.photo, reply_markup=markup)


async def send_rendered(
    bot: Bot, chat_id: int, rendered: Rendered, *, request_timeout: int | None = None
) -> Message:
    """Send a rendered announcement: the one send call for recipients and for previews."""
    if rendered.photo:
        return await bot.send_photo(
            chat_id=chat_id,
            photo=rendered.photo,
            caption=rendered.text,
            parse_mode=ParseMode.HTML,
            reply_markup=rendered.reply_markup,
            request_timeout=request_timeout,
        )
    return await bot.send_message(
        chat_id=chat_id,
        text=rendered.text,
        parse_mode=ParseMode.HTML,
        reply_markup=rendered.reply_markup,
        request_timeout=request_timeout,
    )
