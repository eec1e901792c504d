"""The source registry: platform name (as used in config and `--platform`) → adapter class.

Every package (or module) in this folder that defines a `Source` subclass with a `name`
registers it; adding a platform is adding a package. Adapters are imported on first use, so a
command that reads no platform (`--version`, `status`) pays nothing for them. URL recognition
asks adapters in `Source.priority` order; `web` matches any URL and is the fallback.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from watcher.errors import UsageError
from watcher.settings import PlatformSettings
from watcher.sources.common.base import Source

__all__ = ["SOURCES", "Source", "make_source", "platform_for"]

FALLBACK = "web"
_NOT_ADAPTERS = frozenset({"common"})


@cache
def _discover() -> dict[str, type[Source]]:
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _NOT_ADAPTERS:
            importlib.import_module(f"{__name__}.{info.name}")
    found = {sub.name: sub for sub in _subclasses(Source) if "name" in vars(sub)}
    return dict(sorted(found.items(), key=lambda item: (item[1].priority, item[0])))


def _subclasses(cls: Any) -> list[type[Source]]:
    """Every subclass, however deep (an adapter may specialise another)."""
    direct: list[type[Source]] = list(cls.__subclasses__())
    return direct + [sub for child in direct for sub in _subclasses(child)]


class _Registry(Mapping[str, type[Source]]):
    """The adapters by name, in recognition order; discovered on first use."""

    def __getitem__(self, name: str) -> type[Source]:
        return _discover()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_discover())

    def __len__(self) -> int:
        return len(_discover())


SOURCES: Mapping[str, type[Source]] = _Registry()


def platform_for(url: str) -> str:
    """The platform that recognises `url` (a post or an account); "web" when none does."""
    for name, source in SOURCES.items():
        if name != FALLBACK and (source.matches(url) or source.account_ref(url) is not None):
            return name
    return FALLBACK


def make_source(name: str, settings: PlatformSettings | None = None) -> Source:
    try:
        source = SOURCES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise UsageError(f"unknown platform {name!r}; known: {known}") from None
    return source(settings)
