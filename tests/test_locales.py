"""Every user-visible string is translated in ru, kk and en, and the catalogues agree
with the code: a string missing, untranslated, fuzzy, or with different placeholders fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import LOCALES, PROJECT_ROOT
from bot.i18n import LOCALES_DIR, compile_catalogs, create_i18n

_PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]|%[sd]|</?[a-z]+>")
KAZAKH_LETTERS = set("әғқңөұүһі")


def _code_msgids() -> set[str]:
    keywords: dict[str, None] = {"_": None, "__": None}
    found = set()
    for _file, _line, msg, _comments, _ctx in extract_from_dir(
        str(PROJECT_ROOT / "bot"), keywords=keywords
    ):
        found.add(msg if isinstance(msg, str) else msg[0])
    assert len(found) > 40, "extraction found too few strings: the check would be blind"
    return found


def _catalog(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def _msgid(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _strings(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _ids(message: Message) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_covers_every_string_in_the_code(locale: str) -> None:
    catalog = _catalog(locale)
    have = {_msgid(m) for m in catalog if m.id}
    missing = _code_msgids() - have
    assert not missing, f"{locale}: strings not in the catalogue: {sorted(missing)[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_complete_not_fuzzy_and_placeholders_match(locale: str) -> None:
    catalog = _catalog(locale)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = _strings(message)
        if message.fuzzy:
            problems.append(f"fuzzy: {_msgid(message)!r}")
        if any(not s.strip() for s in strings):
            problems.append(f"untranslated: {_msgid(message)!r}")
            continue
        wanted = sorted(_PLACEHOLDER.findall(_ids(message)[-1]))
        for s in strings:
            if sorted(_PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"placeholders differ: {_msgid(message)!r} -> {s!r}")
    assert not problems, "\n".join(problems)


def test_plural_forms_match_the_language() -> None:
    assert _catalog("ru").num_plurals == 3
    assert _catalog("kk").num_plurals == 2
    assert _catalog("en").num_plurals == 2
    for locale in LOCALES:
        for message in _catalog(locale):
            if message.pluralizable and message.id:
                assert len(_strings(message)) == _catalog(locale).num_plurals


def test_kazakh_is_kazakh_not_russian() -> None:
    """A Kazakh catalogue copied from Russian would pass the checks above; this would not."""
    kk, ru = _catalog("kk"), _catalog("ru")
    ru_by_id = {_msgid(m): _strings(m) for m in ru if m.id}
    texts = [(m, _strings(m)) for m in kk if m.id and len(_msgid(m)) > 25]
    assert texts
    same_as_ru = [_msgid(m) for m, s in texts if s == ru_by_id.get(_msgid(m))]
    assert not same_as_ru
    with_kazakh_letters = [s for _m, s in texts if KAZAKH_LETTERS & set(" ".join(s).lower())]
    assert len(with_kazakh_letters) / len(texts) > 0.8


def test_catalogues_compile_and_load(tmp_path: Path) -> None:
    target = tmp_path / "locales"
    for locale in LOCALES:
        src = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
        dst = target / locale / "LC_MESSAGES" / "messages.po"
        dst.parent.mkdir(parents=True)
        dst.write_bytes(src.read_bytes())
    written = compile_catalogs(target)
    assert len(written) == len(LOCALES)
    assert compile_catalogs(target) == []  # up to date: nothing recompiled
    i18n = create_i18n("ru", target)
    assert set(i18n.available_locales) == set(LOCALES)
    assert i18n.gettext("History", locale="kk") == "Тарих"
    assert i18n.gettext("History", locale="ru") == "История"
