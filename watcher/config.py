"""TOML → validated, frozen `Settings`. Every error names the file and the key."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import platformdirs

from watcher.errors import ConfigError
from watcher.settings import DetectSettings, HttpSettings, PlatformSettings, Settings

_ENV = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_COMPOUND = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
T = TypeVar("T")
_TOP_KEYS = {"store", "http", "detect", "defaults", "platforms"}


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir("watcher")) / "config.toml"


def load_settings(path: str | Path | None = None) -> Settings:
    """Settings from `path`, `$WATCHER_CONFIG`, or the user's config file if it exists."""
    explicit = path or os.environ.get("WATCHER_CONFIG")
    file = Path(explicit) if explicit else default_config_path()
    if not explicit and not file.exists():
        return Settings()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: no such config file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    return parse_settings(data, str(file))


def parse_settings(data: Mapping[str, Any], source: str = "config") -> Settings:
    reader = _Reader(source)
    reader.keys(data, _TOP_KEYS, "")
    store = reader.table(data, "store", {"url"})
    defaults = reader.table(data, "defaults", {"interval"})
    return Settings(
        db_url=reader.value(store, "store.url", str, ""),
        default_interval=reader.duration(defaults, "defaults.interval", 600.0),
        http=_http(reader, reader.table(data, "http", set(HttpSettings.__slots__))),
        detect=_detect(reader, reader.table(data, "detect", set(DetectSettings.__slots__))),
        platforms=_platforms(reader, reader.table(data, "platforms", None)),
    )


def _http(r: _Reader, t: Mapping[str, Any]) -> HttpSettings:
    d = HttpSettings()
    return HttpSettings(
        timeout=r.duration(t, "http.timeout", d.timeout),
        max_bytes=r.positive(t, "http.max_bytes", d.max_bytes),
        max_redirects=r.positive(t, "http.max_redirects", d.max_redirects),
        user_agent=r.value(t, "http.user_agent", str, d.user_agent),
        max_connections=r.positive(t, "http.max_connections", d.max_connections),
    )


def _detect(r: _Reader, t: Mapping[str, Any]) -> DetectSettings:
    d = DetectSettings()
    return DetectSettings(
        confirm_deletions=r.positive(t, "detect.confirm_deletions", d.confirm_deletions),
        confirm_pause=r.duration(t, "detect.confirm_pause", d.confirm_pause),
    )


def _platforms(r: _Reader, table: Mapping[str, Any]) -> Mapping[str, PlatformSettings]:
    result = {}
    for name in table:
        key = f"platforms.{name}"
        t = r.table(table, name, {"base_url", "headers", "cookies"}, key)
        result[name] = PlatformSettings(
            base_url=r.value(t, f"{key}.base_url", str, ""),
            headers=r.strings(t, f"{key}.headers"),
            cookies=r.strings(t, f"{key}.cookies"),
        )
    return MappingProxyType(result)


class _Reader:
    """Typed access to parsed TOML that reports the full key path on every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: {key}: {problem}")

    def keys(self, table: Mapping[str, Any], allowed: set[str] | None, prefix: str) -> None:
        for key in table:
            if allowed is not None and key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(prefix + key, f"unknown key (known: {known})")

    def table(
        self, parent: Mapping[str, Any], name: str, allowed: set[str] | None, key: str = ""
    ) -> Mapping[str, Any]:
        key = key or name
        value = parent.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        self.keys(value, allowed, key + ".")
        return value

    def value(self, t: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
        value = t.get(key.rsplit(".", 1)[-1], default)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(key, f"must be a {kind.__name__}, not {value!r}")
        return self.expand(key, value) if isinstance(value, str) else value

    def positive(self, t: Mapping[str, Any], key: str, default: int) -> int:
        value: int = self.value(t, key, int, default)
        if value < 1:
            raise self.fail(key, f"must be at least 1, not {value}")
        return value

    def duration(self, t: Mapping[str, Any], key: str, default: float) -> float:
        value = t.get(key.rsplit(".", 1)[-1], default)
        return self._wrap(key, parse_duration, value)

    def strings(self, t: Mapping[str, Any], key: str) -> Mapping[str, str]:
        value = t.get(key.rsplit(".", 1)[-1], {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(key, "must be a table of strings")
        return MappingProxyType({k: self.expand(f"{key}.{k}", v) for k, v in value.items()})

    def expand(self, key: str, text: str) -> str:
        return self._wrap(key, expand_env, text)

    def _wrap(self, key: str, parse: Callable[[Any], T], value: Any) -> T:
        try:
            return parse(value)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from exc


def expand_env(text: str) -> str:
    """Replace `${NAME}` with the environment variable; `$$` is a literal `$`."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "$"
        if name not in os.environ:
            raise ValueError(f"environment variable {name} is not set")
        return os.environ[name]

    return _ENV.sub(sub, text)


def parse_duration(value: object) -> float:
    """Seconds from a number of seconds or a string like "30s", "10m", "1h30m", "2d"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and _COMPOUND.fullmatch(text := value.replace(" ", "").lower()):
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(text))
    else:
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 10m, 1h30m, 2d)")
    if seconds <= 0:
        raise ValueError(f"duration must be positive, not {value!r}")
    return seconds
