"""aiogram's types validated lazily (`bot.lazy_types`) resolve exactly as aiogram's own
import resolves them, and the bot's import leaves them unbuilt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Prints, as JSON: what importing the bot imported and left unbuilt, then every type's
# and method's resolved field annotations once each is built (raising if one cannot be).
PROBE = r"""
import json, re, sys
lazy = sys.argv[1] == "lazy"
report = {}
if lazy:
    import bot.kb.search
    report["kb_imports_aiogram"] = "aiogram" in sys.modules
    import bot.runner
import aiogram.methods, aiogram.types
from pydantic import BaseModel
report["unbuilt"] = sorted(
    name for name in ("Update", "Message", "CallbackQuery", "InlineQuery")
    if not getattr(aiogram.types, name).__pydantic_complete__
)
update = aiogram.types.Update.model_validate({"update_id": 1, "message": {
    "message_id": 2, "date": 0, "chat": {"id": 3, "type": "private"},
    "from": {"id": 3, "is_bot": False, "first_name": "A"}, "text": "hi",
    "reply_to_message": {"message_id": 1, "date": 0, "chat": {"id": 3, "type": "private"}},
}})
report["reply_chat"] = update.message.reply_to_message.chat.id
if lazy:
    from bot.session import COMMON_METHODS, build_common_types
    report["common_unbuilt"] = [m.__name__ for m in COMMON_METHODS if not m.__pydantic_complete__]
    build_common_types()
    report["common_unbuilt_after"] = [
        m.__name__ for m in COMMON_METHODS if not m.__pydantic_complete__
    ]
fields = {}
for module in (aiogram.types, aiogram.methods):
    for name in module.__all__:
        cls = getattr(module, name)
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            cls.model_rebuild(raise_errors=True)
            fields[name] = {
                field: re.sub(r" at 0x[0-9a-f]+", "", repr(info.annotation))
                for field, info in cls.model_fields.items()
            }
report["fields"] = fields
print(json.dumps(report))
"""


def _probes() -> dict[str, dict[str, object]]:
    procs = {
        mode: subprocess.Popen(
            [sys.executable, "-c", PROBE, mode],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode in ("lazy", "eager")
    }
    reports = {}
    for mode, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{mode}: {err[-2000:]}"
        reports[mode] = json.loads(out.strip().splitlines()[-1])
    return reports


@pytest.mark.slow
def test_lazily_built_types_resolve_as_aiogram_resolves_them() -> None:
    reports = _probes()
    lazy, eager = reports["lazy"], reports["eager"]
    # The bot's whole import leaves the types it validates to their first use...
    assert lazy["unbuilt"] == ["CallbackQuery", "InlineQuery", "Message", "Update"]
    assert eager["unbuilt"] == []
    # ...and the knowledge base's tools do not import aiogram at all.
    assert lazy["kb_imports_aiogram"] is False
    # What nearly every update needs is built at start (`BotRunner.open`), not at first use.
    assert lazy["common_unbuilt"] != []
    assert lazy["common_unbuilt_after"] == []
    # A nested, self-referencing type validates on first use.
    assert lazy["reply_chat"] == eager["reply_chat"] == 3
    # Every type and method builds, with the very annotations aiogram's import gives.
    assert len(lazy["fields"]) == len(eager["fields"]) > 500  # type: ignore[arg-type]
    differing = [
        name
        for name, annotations in lazy["fields"].items()  # type: ignore[attr-defined]
        if eager["fields"].get(name) != annotations  # type: ignore[attr-defined]
    ]
    assert differing == []


def test_install_changes_nothing_once_aiogram_is_imported() -> None:
    import aiogram.types  # noqa: F401  (imported, lazily or not, before install)

    from bot import lazy_types

    before = list(sys.meta_path)
    assert lazy_types.install() is False
    assert sys.meta_path == before
