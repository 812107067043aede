"""aiogram's Telegram types validated lazily: each type's validator is built the first
time that type is used, not all 400 of them when aiogram is imported.

`aiogram.types` ends with a loop that calls ``model_rebuild`` on every type, handing
it a namespace of all the types (their annotations name each other under
``TYPE_CHECKING``). Each call builds a complete pydantic validator of its own, nested
types included, and `aiogram.methods` then builds its methods against them: 148 MB and
4-6 s of CPU in every process that imports aiogram (aiogram issue #1513), while this
bot validates about fifteen of those types. `install` puts an import hook in front of
the aiogram package: while the package is imported, the loop's calls only record the
namespace (methods that need a type's names are left to build on first use, as pydantic
does with any model it cannot complete); then its names are put where pydantic looks
when it builds a type later (the globals of each type's module, as if the
``TYPE_CHECKING`` imports had run). Every type is declared with ``defer_build``, so
pydantic builds it on first use, resolving the same annotations the loop would have.
Where aiogram is imported already, or a future aiogram rebuilds its types some other
way, nothing changes and aiogram builds them at import as before.
`tests/test_lazy_types.py` builds every type and method this way and compares their
resolved annotations with those of aiogram's own import.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

PACKAGE = "aiogram"
TYPES_PACKAGE = "aiogram.types"


def install() -> bool:
    """Defer the validators of `aiogram.types` when aiogram is imported; False when it
    has been imported already (its validators are built)."""
    if PACKAGE in sys.modules:
        return False
    if not any(isinstance(finder, _TypesFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _TypesFinder())
    return True


class _TypesFinder(importlib.abc.MetaPathFinder):
    """Finds the aiogram package as the next finders would, with a loader that defers."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != PACKAGE:
            return None
        sys.meta_path.remove(self)  # once: the package is imported once
        for finder in sys.meta_path:  # the finder that would have found it
            find_spec = getattr(finder, "find_spec", None)
            spec: importlib.machinery.ModuleSpec | None = (
                find_spec(fullname, path, target) if find_spec else None
            )
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _DeferringLoader(spec.loader)
                return spec
        return None


class _DeferringLoader(importlib.abc.Loader):
    """The package's own loader, running its module with the types' rebuilds recorded."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> Any:  # get_source, get_resource_reader, ...
        return getattr(self._loader, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with _recorded_rebuilds() as namespaces:
            self._loader.exec_module(module)
        if namespaces:
            _declare_names(namespaces[-1])


@contextmanager
def _recorded_rebuilds() -> Iterator[list[Mapping[str, Any]]]:
    """While aiogram is imported, the types package's rebuild of each type records the
    namespace instead of building; any other rebuild proceeds."""
    from pydantic import BaseModel

    original = vars(BaseModel)["model_rebuild"]
    namespaces: list[Mapping[str, Any]] = []

    def record(cls: type[BaseModel], /, **kwargs: Any) -> bool | None:
        namespace = kwargs.get("_types_namespace")
        if (
            namespace is not None
            and kwargs.keys() == {"_types_namespace"}
            and cls.__module__.startswith(f"{TYPES_PACKAGE}.")
        ):
            namespaces.append(namespace)
            return None
        result: bool | None = original.__func__(cls, **kwargs)
        return result

    BaseModel.model_rebuild = classmethod(record)  # type: ignore[assignment,method-assign]
    try:
        yield namespaces
    finally:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]


def _declare_names(names: Mapping[str, Any]) -> None:
    """Each types module gets the names its annotations use and it does not define."""
    prefix = f"{TYPES_PACKAGE}."
    for module_name, module in list(sys.modules.items()):
        if module is not None and module_name.startswith(prefix):
            for name, value in names.items():
                module.__dict__.setdefault(name, value)
