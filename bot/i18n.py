"""Gettext catalogues: compile `.po` to `.mo` when stale, and build aiogram's I18n.

Message ids are the English source text. `.mo` files are build products (ignored
by git) compiled at install and again at start when a `.po` is newer.
"""

from __future__ import annotations

from pathlib import Path

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import LOCALES, PROJECT_ROOT

LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = "messages"

#: Names shown on the language buttons, each in its own language.
LANGUAGE_NAMES: dict[str, str] = {"ru": "Русский", "kk": "Қазақша", "en": "English"}


def language_name(code: str) -> str:
    """A language's name in the reader's language (LANGUAGE_NAMES are each in their own)."""
    names = {"ru": _("Russian"), "kk": _("Kazakh"), "en": _("English")}
    return names.get(code, code)


def in_language(code: str) -> str:
    """ "in Russian" as it fits into a sentence ("на русском языке", "орыс тілінде"), for
    the wizards' prompts that ask for a text in one language."""
    phrases = {"ru": _("in Russian"), "kk": _("in Kazakh"), "en": _("in English")}
    return phrases.get(code, code)


def compile_catalogs(locales_dir: Path = LOCALES_DIR, *, force: bool = False) -> list[Path]:
    """Compile every `messages.po` whose `.mo` is missing or older; returns those written."""
    written = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        tmp.replace(mo_path)
        written.append(mo_path)
    return written


def create_i18n(default_locale: str, locales_dir: Path = LOCALES_DIR) -> I18n:
    """Compile what is stale, then load the catalogues for every supported locale."""
    compile_catalogs(locales_dir)
    i18n = I18n(path=locales_dir, default_locale=default_locale, domain=DOMAIN)
    missing = set(LOCALES) - set(i18n.available_locales)
    if missing:
        raise RuntimeError(f"missing compiled catalogues for: {', '.join(sorted(missing))}")
    return i18n


def match_locale(language_code: str | None) -> str | None:
    """Map Telegram's `language_code` (e.g. 'kk', 'ru-RU', 'en-GB') to a supported locale."""
    if not language_code:
        return None
    base = language_code.replace("_", "-").split("-")[0].lower()
    if base == "kz":  # a common mistake for Kazakh
        base = "kk"
    return base if base in LOCALES else None
