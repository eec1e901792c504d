"""Frozen, validated settings. `config.py` builds them from TOML; defaults live here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_NO_STRINGS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class HttpSettings:
    timeout: float = 20.0  # seconds, for connect, read and write each
    max_bytes: int = 10 * 1024 * 1024  # a post is never this large; a bigger body is refused
    max_redirects: int = 10
    user_agent: str = "watcher/0.1 (+https://github.com/watcher/watcher)"
    max_connections: int = 10  # httpx scans its pool linearly: small pools are faster


@dataclass(frozen=True, slots=True)
class PlatformSettings:
    base_url: str = ""  # empty: the platform's public API (or the URL's own origin)
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_STRINGS)
    cookies: Mapping[str, str] = field(default_factory=lambda: _NO_STRINGS)


@dataclass(frozen=True, slots=True)
class DetectSettings:
    confirm_deletions: int = 2  # consecutive gone signals before a post counts as deleted
    confirm_pause: float = 3.0  # seconds a one-off check waits before it re-fetches


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str = ""  # empty: SQLite file in the user's data dir
    default_interval: float = 600.0  # seconds, for `watcher add` without --interval
    http: HttpSettings = field(default_factory=HttpSettings)
    detect: DetectSettings = field(default_factory=DetectSettings)
    platforms: Mapping[str, PlatformSettings] = field(default_factory=lambda: MappingProxyType({}))

    def platform(self, name: str) -> PlatformSettings:
        return self.platforms.get(name) or PlatformSettings()
