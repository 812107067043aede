"""Texts shown in several places (greeting, help, about, privacy), rendered per locale.

Every function must be called inside an i18n context (a handler, or
`i18n.use_locale`). The results are HTML; anything dynamic is escaped.
"""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot import __version__
from bot.commands import staff_commands
from bot.middlewares.roles import ADMIN, MODERATOR, USER


def greeting() -> str:
    return "\n\n".join(
        [
            html.bold(_("Welcome to Dostyq!")),
            _(
                "I tell the story of the shared heritage of Russia and Kazakhstan, "
                "keep track of bilateral events and of consular receptions, and answer "
                "your questions with a reference to the source."
            ),
            _("Choose a section below or just type a question."),
        ]
    )


def choose_language() -> str:
    return "\n\n".join(
        [
            html.bold(_("Welcome to Dostyq!")),
            _("Please choose your language. You can change it later with /language."),
        ]
    )


def help_text() -> str:
    lines = [
        html.bold(_("How to use Dostyq")),
        "",
        _("Type a question in Russian, Kazakh or English, or open a section from the menu."),
        "",
        "/menu — " + html.quote(_("main menu")),
        "/history — " + html.quote(_("topics of the shared history")),
        "/events — " + html.quote(_("events, newest first, with filters")),
        "/consular — " + html.quote(_("consular receptions and offices")),
        "/subscriptions — " + html.quote(_("what you are notified about")),
        "/language — " + html.quote(_("change the language")),
        "/help — " + html.quote(_("this help")),
        "/about — " + html.quote(_("what this bot is and where its facts come from")),
        "/privacy — " + html.quote(_("what is stored about you")),
        "/forget — " + html.quote(_("delete everything stored about you")),
    ]
    return "\n".join(lines)


def help_for(role: str = USER) -> str:
    """/help for `role`: staff (moderators, admins) also see their commands, the same
    ones their own command menu lists; nobody else learns they exist."""
    text = help_text()
    if role not in (MODERATOR, ADMIN):
        return text
    lines = ["", html.bold(_("For moderators"))]
    lines += [
        f"/{c.command} — " + html.quote(c.description) for c in staff_commands(admin=role == ADMIN)
    ]
    lines.append("/cancel — " + html.quote(_("cancel the current step")))
    return text + "\n" + "\n".join(lines)


def about_text() -> str:
    return "\n\n".join(
        [
            html.bold(_("About Dostyq")),
            _(
                "Dostyq (\u201cfriendship\u201d in Kazakh) is a guide to the shared heritage "
                "of Russia and Kazakhstan, bilateral events and consular receptions."
            ),
            _(
                "Its answers come only from a knowledge base built from published news "
                "reports. Every answer names the source document and its date. When the "
                "sources say nothing, the bot says it does not know instead of guessing."
            ),
            _("Version {version}").format(version=html.quote(__version__)),
        ]
    )


def privacy_text() -> str:
    return "\n\n".join(
        [
            html.bold(_("Privacy")),
            _(
                "To serve you the bot stores your Telegram user id, the language you chose, "
                "the language of your Telegram app, when you first and last wrote, and "
                "whether the bot can still message you. It does not store your name, "
                "username or phone number."
            ),
            _(
                "If you use them, it also keeps your subscriptions (topics and regions), the "
                "questions you asked (so that moderators can see what the sources lack) and "
                "your 👍/👎 on answers."
            ),
            _("This is used only to serve you. Nothing is shared."),
            _("Send /forget to delete everything stored about you."),
        ]
    )


def ask_prompt() -> str:
    return "\n\n".join(
        [
            _("Type your question in Russian, Kazakh or English."),
            _(
                "For example: \u201cWhich Kazakh divisions fought at Stalingrad?\u201d or "
                "\u201cWhat services did the consular reception in Taldykorgan offer?\u201d"
            ),
            _(
                "Each answer names its source and date. In any other chat, type the bot's "
                "username and a question to share an answer."
            ),
        ]
    )
