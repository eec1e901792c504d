"""The source registry: platform name (as used in config and `--platform`) → adapter class.

Every module in this package that defines a `Source` subclass with a `name` registers it; adding
a platform is adding a module. `web` matches any URL and is the fallback when no platform
recognises one.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from watcher.errors import UsageError
from watcher.settings import PlatformSettings
from watcher.sources.base import Source
from watcher.sources.http import Http

__all__ = ["SOURCES", "Source", "make_source", "platform_for"]

FALLBACK = "web"
_NOT_ADAPTERS = frozenset({"base", "http"})


def _discover() -> dict[str, type[Source]]:
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _NOT_ADAPTERS:
            importlib.import_module(f"{__name__}.{info.name}")
    found = {sub.name: sub for sub in _subclasses(Source) if "name" in vars(sub)}
    return dict(sorted(found.items()))


def _subclasses(cls: Any) -> list[type[Source]]:
    """Every subclass, however deep (an adapter may specialise another)."""
    direct: list[type[Source]] = list(cls.__subclasses__())
    return direct + [sub for child in direct for sub in _subclasses(child)]


SOURCES: dict[str, type[Source]] = _discover()


def platform_for(url: str) -> str:
    """The platform that recognises `url` (a post or an account); "web" when none does."""
    for name, source in SOURCES.items():
        if name != FALLBACK and (source.matches(url) or source.account_ref(url) is not None):
            return name
    return FALLBACK


def make_source(name: str, http: Http, settings: PlatformSettings | None = None) -> Source:
    try:
        source = SOURCES[name]
    except KeyError:
        known = ", ".join(SOURCES)
        raise UsageError(f"unknown platform {name!r}; known: {known}") from None
    return source(http, settings)
