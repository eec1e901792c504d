"""The source registry: platform name (as used in config and `--platform`) → adapter class."""

from __future__ import annotations

from watcher.errors import UsageError
from watcher.settings import PlatformSettings
from watcher.sources.base import Source
from watcher.sources.http import Http
from watcher.sources.jsonapi import JsonSource
from watcher.sources.mastodon import MastodonSource
from watcher.sources.web import WebSource

__all__ = ["SOURCES", "Source", "make_source", "platform_for"]

# Order matters for `platform_for`: specific platforms first, `web` (matches any URL) last.
SOURCES: dict[str, type[Source]] = {
    MastodonSource.name: MastodonSource,
    JsonSource.name: JsonSource,
    WebSource.name: WebSource,
}


def platform_for(url: str) -> str:
    """The platform that recognises `url`; "web" when none does."""
    for name, source in SOURCES.items():
        if source.matches(url):
            return name
    return WebSource.name


def make_source(name: str, http: Http, settings: PlatformSettings | None = None) -> Source:
    try:
        source = SOURCES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise UsageError(f"unknown platform {name!r}; known: {known}") from None
    return source(http, settings)
