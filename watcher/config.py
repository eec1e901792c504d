"""TOML → validated, frozen `Settings`. Every error names the file and the key."""

from __future__ import annotations

import functools
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import platformdirs

from watcher.errors import ConfigError
from watcher.masking import MASK, mask
from watcher.model import EventKind, Filters
from watcher.notify import check_url
from watcher.render import FORMATS
from watcher.settings import (
    KEEP_RAW,
    AccountSettings,
    ChannelSettings,
    DaemonSettings,
    DetectSettings,
    DigestSettings,
    HttpSettings,
    PlatformSettings,
    ServeSettings,
    Settings,
    WatchSettings,
)

_ENV = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_COMPOUND = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
T = TypeVar("T")
_TOP_KEYS = {
    "store",
    "http",
    "detect",
    "defaults",
    "daemon",
    "accounts",
    "platforms",
    "channels",
    "watches",
    "digests",
    "serve",
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_AT = re.compile(r"(?:(?P<day>[a-z]{3})\s+)?(?P<hour>\d{1,2}):(?P<minute>\d\d)")
MAX_TOP = 50  # posts in a digest's top list
_CHANNEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_EVENT_KINDS = frozenset(kind.value for kind in EventKind)
# The platform names of `watcher.sources.SOURCES`, written out: the registry imports every
# adapter (lxml, ...), which loading a config must not. A test keeps the two equal.
PLATFORMS = frozenset(
    {"bluesky", "feed", "hackernews", "json", "mastodon", "reddit", "telegram", "web", "weibo", "x"}
)
# Upper bounds: past them a value is a typo (or 1e308), and some would overflow a date.
HOUR, DAY = 3600.0, 86400.0
MAX_DURATION = 366 * DAY  # any duration: intervals, follow_for, backoffs
MAX_WAIT = HOUR  # what a check or the daemon waits for: timeouts, deadlines, ticks, pauses
MAX_PAGES = 10  # as `watcher add --pages`: more would be a crawl, not a watch
MAX_PATTERN = 1000  # characters of an `ignore` regex: a pattern, not a program
MAX_MIN_CHANGE = 100_000  # as `watcher add --min-change`: characters, a long post's worth


# Config files found in the current folder without `-c`, in this order.
LOCAL_CONFIGS = ("watcher.toml", "config.toml")


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir("watcher")) / "config.toml"


def config_file(path: str | Path | None = None) -> Path | None:
    """The config file a command reads: `path` (`-c`), else `$WATCHER_CONFIG`, else
    `./watcher.toml` or `./config.toml` in the current folder, else the user's config file;
    None when none of the found ones exists. A named file is returned even if missing, so
    that reading it says so."""
    explicit = path or os.environ.get("WATCHER_CONFIG")
    if explicit:
        return Path(explicit)
    here = [Path.cwd() / name for name in LOCAL_CONFIGS]
    return next((file for file in [*here, default_config_path()] if file.is_file()), None)


def config_places() -> str:
    """Where a config file is looked for, in order, for messages that say none was found."""
    names = ", ".join(f"./{name}" for name in LOCAL_CONFIGS)
    return f"-c FILE, $WATCHER_CONFIG, {names}, {default_config_path()}"


def load_settings(path: str | Path | None = None, deliver: bool = False) -> Settings:
    """Settings from the config file `config_file(path)` names, or the defaults if none.

    Channel URLs are checked for their shape on every load, and with apprise itself only for
    a command that sends (`deliver`): loading apprise's hundreds of plugins costs a command
    that sends nothing (`check`, `list`) a fifth of a second."""
    file = config_file(path)
    if file is None:
        return Settings()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: no such config file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    settings = parse_settings(data, str(file), deliver)
    return replace(settings, db_url=beside(settings.db_url, file.resolve().parent))


def database_url(db: str | None, settings: Settings) -> str:
    """The database a command opens: `--db`, else `$WATCHER_DB`, else the config's
    `[store] url`, else `watcher.db` in the user's data folder (the README's order: the
    command line and the environment override the file)."""
    from watcher.store.engine import resolve_db_url

    return resolve_db_url(db or os.environ.get("WATCHER_DB", "") or settings.db_url)


# A SQLite URL and its parts: `sqlite[+driver]:///` + the path + the query.
_SQLITE_URL = re.compile(r"(sqlite(?:\+\w+)?:///)([^?]*)(\?.*)?", re.DOTALL)


def beside(db_url: str, folder: Path) -> str:
    """A config file's `[store] url` with a relative SQLite path (`sqlite:///watcher.db`, or a
    bare path) made relative to the file's `folder`: where the file is, not where a command
    happens to run, is what its author meant. `--db` and `WATCHER_DB` stay relative to the
    current folder. Other URLs, absolute paths, `:memory:` and SQLite URIs are kept as they
    are."""
    if not db_url:
        return db_url
    found = _SQLITE_URL.fullmatch(db_url)
    if found is None:
        return db_url if "://" in db_url else str(_join(folder, db_url))
    prefix, path, query = found.group(1), found.group(2), found.group(3) or ""
    if path in ("", ":memory:") or path.startswith("file:") or "uri=true" in query:
        return db_url
    return f"{prefix}{_join(folder, path)}{query}"


def _join(folder: Path, path: str) -> Path:
    """`path` as it is when absolute (after `~`), else under `folder`."""
    expanded = Path(path).expanduser()
    return expanded if expanded.is_absolute() else folder / expanded


def parse_settings(
    data: Mapping[str, Any], source: str = "config", deliver: bool = False
) -> Settings:
    reader = _Reader(source)
    reader.keys(data, _TOP_KEYS, "")
    store = reader.table(data, "store", {"url", "keep_raw", "raw_max_bytes"})
    defaults = reader.table(data, "defaults", {"interval", "timezone"})
    return Settings(
        db_url=reader.value(store, "store.url", str, ""),
        keep_raw=reader.choice(store, "store.keep_raw", KEEP_RAW),
        raw_max_bytes=reader.positive(store, "store.raw_max_bytes", 2 * 1024 * 1024, 1 << 30),
        default_interval=reader.duration(defaults, "defaults.interval", 600.0),
        timezone=reader.timezone(defaults, "defaults.timezone") or "UTC",
        http=_http(reader, reader.table(data, "http", set(HttpSettings.__slots__))),
        detect=_detect(reader, reader.table(data, "detect", set(DetectSettings.__slots__))),
        daemon=_daemon(reader, reader.table(data, "daemon", set(DaemonSettings.__slots__))),
        accounts=_accounts(reader, reader.table(data, "accounts", set(AccountSettings.__slots__))),
        serve=_serve(reader, reader.table(data, "serve", {"token"})),
        platforms=_platforms(reader, reader.table(data, "platforms", None)),
        channels=(channels := _channels(reader, reader.array(data, "channels"), deliver)),
        watches=_watches(reader, reader.array(data, "watches"), {c.name for c in channels}),
        digests=_digests(reader, reader.array(data, "digests"), {c.name for c in channels}),
        source=source,
    )


def _http(r: _Reader, t: Mapping[str, Any]) -> HttpSettings:
    d = HttpSettings()
    return HttpSettings(
        timeout=r.duration(t, "http.timeout", d.timeout, most=MAX_WAIT),
        deadline=r.duration(t, "http.deadline", d.deadline, most=MAX_WAIT),
        max_bytes=r.positive(t, "http.max_bytes", d.max_bytes, 1 << 30),
        max_redirects=r.positive(t, "http.max_redirects", d.max_redirects, 100),
        user_agent=r.value(t, "http.user_agent", str, d.user_agent),
        max_connections=r.positive(t, "http.max_connections", d.max_connections, 10_000),
        allow_private=r.value(t, "http.allow_private", bool, d.allow_private),
    )


def _serve(r: _Reader, t: Mapping[str, Any]) -> ServeSettings:
    return ServeSettings(token=r.value(t, "serve.token", str, "").strip())


def _detect(r: _Reader, t: Mapping[str, Any]) -> DetectSettings:
    d = DetectSettings()
    return DetectSettings(
        confirm_deletions=r.positive(t, "detect.confirm_deletions", d.confirm_deletions, 100),
        confirm_pause=r.duration(t, "detect.confirm_pause", d.confirm_pause, most=MAX_WAIT),
    )


def _daemon(r: _Reader, t: Mapping[str, Any]) -> DaemonSettings:
    d = DaemonSettings()
    return DaemonSettings(
        concurrency=r.positive(t, "daemon.concurrency", d.concurrency, 10_000),
        tick=r.duration(t, "daemon.tick", d.tick, most=MAX_WAIT),
        drain_interval=r.duration(t, "daemon.drain_interval", d.drain_interval, most=MAX_WAIT),
        max_attempts=r.positive(t, "daemon.max_attempts", d.max_attempts, 1000),
        retry_base=r.duration(t, "daemon.retry_base", d.retry_base),
        retry_max=r.duration(t, "daemon.retry_max", d.retry_max),
        shutdown_grace=r.duration(t, "daemon.shutdown_grace", d.shutdown_grace, most=MAX_WAIT),
        max_backoff=r.duration(t, "daemon.max_backoff", d.max_backoff),
    )


def _accounts(r: _Reader, t: Mapping[str, Any]) -> AccountSettings:
    d = AccountSettings()
    return AccountSettings(
        follow_for=r.duration(t, "accounts.follow_for", d.follow_for),
        young_for=r.duration(t, "accounts.young_for", d.young_for, zero_ok=True),
        young_interval=r.duration(t, "accounts.young_interval", d.young_interval),
        max_interval=r.duration(t, "accounts.max_interval", d.max_interval),
    )


def _channels(
    r: _Reader, tables: list[Mapping[str, Any]], deliver: bool
) -> tuple[ChannelSettings, ...]:
    channels: list[ChannelSettings] = []
    for i, t in enumerate(tables):
        key = f"channels[{i}]"
        r.keys(t, {"name", "url", "events", "format", "timezone"}, key + ".")
        name = r.required(t, f"{key}.name")
        if not _CHANNEL_NAME.fullmatch(name):
            raise r.fail(f"{key}.name", f"{name!r} is not a valid name (letters, digits, _ . -)")
        if any(c.name == name for c in channels):
            raise r.fail(f"{key}.name", f"channel {name!r} is defined twice")
        url = r.required(t, f"{key}.url")
        r.wrap(f"{key}.url", check_url if deliver else _url_shape, url)
        fmt = r.value(t, f"{key}.format", str, "")
        if fmt and fmt not in FORMATS:
            raise r.fail(f"{key}.format", f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        events = r.string_list(t, f"{key}.events", _EVENT_KINDS)
        zone = r.timezone(t, f"{key}.timezone")
        channels.append(ChannelSettings(name, url, frozenset(events), fmt, zone))
    return tuple(channels)


def _digests(
    r: _Reader, tables: list[Mapping[str, Any]], channel_names: set[str]
) -> tuple[DigestSettings, ...]:
    digests: list[DigestSettings] = []
    for i, t in enumerate(tables):
        key = f"digests[{i}]"
        r.keys(t, {"account", "every", "at", "tz", "channels", "top", "name"}, key + ".")
        account = r.required(t, f"{key}.account")
        if not account.startswith("@"):
            r.wrap(f"{key}.account", check_watch_url, account)
        every = r.value(t, f"{key}.every", str, "week")
        if every not in ("week", "day"):
            raise r.fail(f"{key}.every", f'must be "week" or "day", not {every!r}')
        at = r.value(t, f"{key}.at", str, "mon 09:00" if every == "week" else "09:00")
        weekday, hour, minute = r.wrap(f"{key}.at", functools.partial(_at, every=every), at)
        digest = DigestSettings(
            account=account,
            every=every,
            weekday=weekday,
            hour=hour,
            minute=minute,
            tz=r.timezone(t, f"{key}.tz"),
            channels=tuple(r.string_list(t, f"{key}.channels", channel_names, what="channel")),
            top=r.positive(t, f"{key}.top", 3, MAX_TOP),
            name=r.value(t, f"{key}.name", str, "").strip(),
        )
        if any(d.key == digest.key for d in digests):
            raise r.fail(key, f"digest {digest.key!r} is defined twice (give each a name)")
        digests.append(digest)
    return tuple(digests)


def _at(text: str, every: str) -> tuple[str, int, int]:
    """`mon 09:00` (weekly) or `09:00` (daily) → (weekday, hour, minute)."""
    found = _AT.fullmatch(text.strip().lower())
    shape = '"mon 09:00" (a weekday and a time)' if every == "week" else '"09:00"'
    if found is None or (found["day"] is None) == (every == "week"):
        raise ValueError(f"{text!r} is not a time like {shape}")
    day, hour, minute = found["day"] or "mon", int(found["hour"]), int(found["minute"])
    if day not in _WEEKDAYS or hour > 23 or minute > 59:
        raise ValueError(f"{text!r} is not a time like {shape}")
    return day, hour, minute


def _watches(
    r: _Reader, tables: list[Mapping[str, Any]], channel_names: set[str]
) -> tuple[WatchSettings, ...]:
    watches = []
    for i, t in enumerate(tables):
        key = f"watches[{i}]"
        allowed = {"url", "interval", "platform", "selector", "field", "channels", "pages"}
        allowed |= {"ignore", "min_change", "silence"}
        r.keys(t, allowed, key + ".")
        channels = r.string_list(t, f"{key}.channels", channel_names, what="channel")
        url = r.required(t, f"{key}.url")
        if not url.startswith("@"):  # a @user@instance handle is an account, not a URL
            r.wrap(f"{key}.url", check_watch_url, url)
        platform = r.value(t, f"{key}.platform", str, "")
        if platform and platform not in PLATFORMS:
            raise r.fail(f"{key}.platform", _unknown_platform(platform))
        watches.append(
            WatchSettings(
                url=url,
                platform=platform,
                selector=r.value(t, f"{key}.selector", str, ""),
                field=r.value(t, f"{key}.field", str, ""),
                interval=r.duration(t, f"{key}.interval", 0.0) if "interval" in t else 0.0,
                channels=tuple(channels),
                pages=r.positive(t, f"{key}.pages", 1, MAX_PAGES),
                filters=_filters(r, t, key),
                silence=r.wrap(f"{key}.silence", parse_silence, t["silence"])
                if "silence" in t
                else "",
            )
        )
    return tuple(watches)


def _filters(r: _Reader, t: Mapping[str, Any], key: str) -> Filters:
    """A [[watches]] entry's `ignore` (a regex, compiled now) and `min_change`."""
    ignore: str = r.value(t, f"{key}.ignore", str, "")
    if ignore:
        r.wrap(f"{key}.ignore", check_pattern, ignore)
    min_change: int = r.value(t, f"{key}.min_change", int, 0)
    if not 0 <= min_change <= MAX_MIN_CHANGE:
        raise r.fail(f"{key}.min_change", f"must be 0 to {MAX_MIN_CHANGE:,}, not {min_change:,}")
    return Filters(ignore, min_change)


def _platforms(r: _Reader, table: Mapping[str, Any]) -> Mapping[str, PlatformSettings]:
    result = {}
    for name in table:
        key = f"platforms.{name}"
        t = r.table(table, name, set(PlatformSettings.__slots__), key)
        d = PlatformSettings()
        settings = PlatformSettings(
            base_url=r.value(t, f"{key}.base_url", str, ""),
            headers=r.strings(t, f"{key}.headers"),
            cookies=r.strings(t, f"{key}.cookies"),
            max_concurrent=r.positive(t, f"{key}.max_concurrent", d.max_concurrent, 1000),
            min_spacing=r.duration(
                t, f"{key}.min_spacing", d.min_spacing, zero_ok=True, most=MAX_WAIT
            ),
        )
        if name not in PLATFORMS:  # a typo would otherwise drop its headers silently
            raise r.fail(key, _unknown_platform(name))
        result[name] = settings
    return MappingProxyType(result)


def _unknown_platform(name: str) -> str:
    return f"unknown platform {name!r} (known: {', '.join(sorted(PLATFORMS))})"


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
            # The value's type only: a misplaced value may be a token (url = ["tgram://..."]).
            raise self.fail(key, f"must be a {kind.__name__}, not {_toml_type(value)}")
        return self.expand(key, value) if isinstance(value, str) else value

    def choice(self, t: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
        """One of `allowed`; the first when not given."""
        value: str = self.value(t, key, str, allowed[0])
        if value not in allowed:
            raise self.fail(key, f"must be one of {', '.join(allowed)}, not {value!r}")
        return value

    def positive(self, t: Mapping[str, Any], key: str, default: int, most: int) -> int:
        value: int = self.value(t, key, int, default)
        if value < 1:
            raise self.fail(key, f"must be at least 1, not {value}")
        if value > most:
            raise self.fail(key, f"must be at most {most:,}, not {value:,}")
        return value

    def duration(
        self,
        t: Mapping[str, Any],
        key: str,
        default: float,
        zero_ok: bool = False,
        most: float = MAX_DURATION,
    ) -> float:
        value = t.get(key.rsplit(".", 1)[-1], default)
        return self.wrap(key, lambda v: parse_duration(v, zero_ok, most), value)

    def timezone(self, t: Mapping[str, Any], key: str) -> str:
        """An IANA time zone name ("Europe/Berlin", "UTC"), or '' when not given."""
        name: str = self.value(t, key, str, "").strip()
        if name:
            self.wrap(key, check_timezone, name)
        return name

    def required(self, t: Mapping[str, Any], key: str) -> str:
        if key.rsplit(".", 1)[-1] not in t:
            raise self.fail(key, "is required")
        value: str = self.value(t, key, str, "")
        if not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def array(self, data: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
        """An array of tables (`[[name]]`)."""
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(name, f"must be an array of tables ([[{name}]])")
        return value

    def string_list(
        self, t: Mapping[str, Any], key: str, allowed: Iterable[str], what: str = "event"
    ) -> list[str]:
        value = t.get(key.rsplit(".", 1)[-1], [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of strings")
        known = set(allowed)
        for item in value:
            if item not in known:
                names = ", ".join(sorted(known)) or "none defined"
                raise self.fail(key, f"unknown {what} {item!r} (known: {names})")
        return value

    def strings(self, t: Mapping[str, Any], key: str) -> Mapping[str, str]:
        value = t.get(key.rsplit(".", 1)[-1], {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(key, "must be a table of strings")
        return MappingProxyType({k: self.expand(f"{key}.{k}", v) for k, v in value.items()})

    def expand(self, key: str, text: str) -> str:
        return self.wrap(key, expand_env, text)

    def wrap(self, key: str, parse: Callable[[Any], T], value: Any) -> T:
        try:
            return parse(value)
        except (ValueError, ConfigError) as exc:
            raise self.fail(key, str(exc)) from exc


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    names |= {list: "an array", dict: "a table"}
    return names.get(type(value), "a date or time")


_URL_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S")


def _url_shape(url: str) -> None:
    """A channel URL's shape (`scheme://…`), checked without apprise (see `load_settings`)."""
    if not _URL_SHAPE.match(url):
        raise ConfigError(f"{mask(url)} is not an apprise URL (scheme://...)")


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


def check_watch_url(url: str) -> None:
    """Raise ValueError (one line, no password in it) unless `url` is an http(s) URL a watch
    can keep: no credentials (they would be shown in every list and alert, and sent as the
    link), a host name DNS can carry."""
    shown = _USERINFO.sub(rf"\1{MASK}@", url)
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # raises for a malformed port
    except ValueError:
        valid = False
    if not valid or any(c.isspace() for c in url):
        raise ValueError(f"not an http(s) URL: {shown!r}")
    if parts.username or parts.password:
        raise ValueError(
            f"{shown!r}: a user name or password in a watch URL would be shown in output and "
            "alerts; send credentials as [platforms.NAME] headers instead"
        )
    problem = _host_problem(parts.hostname or "")
    if problem:
        raise ValueError(f"not an http(s) URL: {shown!r} ({problem})")


def _host_problem(host: str) -> str:
    try:
        encoded = host.encode("idna")  # what the resolver will be asked
    except UnicodeError:
        return "a host name label is empty or longer than 63 characters"
    if len(encoded) > 253:
        return "host name longer than 253 characters"
    return ""


def check_pattern(pattern: str) -> None:
    """Raise ValueError (one line) unless `pattern` is a regex a watch can ignore text by
    (compiled as `watcher.filters` compiles it). The regex module loads only for one."""
    import regex

    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"must be at most {MAX_PATTERN:,} characters, not {len(pattern):,}")
    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"bad regex: {exc}") from None


def check_timezone(name: str) -> None:
    """Raise ValueError unless `name` is a time zone this system knows (an IANA name)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # ValueError: "../x", "/x"
        shown = name if len(name) <= 60 else name[:60] + "…"
        raise ValueError(
            f"unknown time zone {shown!r} (an IANA name such as UTC, Europe/Berlin, Asia/Shanghai)"
        ) from exc


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


def parse_duration(value: object, zero_ok: bool = False, most: float = MAX_DURATION) -> float:
    """Seconds from a number of seconds or a string like "30s", "10m", "1h30m", "2d"; at
    most `most` (by default 366 days)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:  # an integer past a float's range
            seconds = math.inf if value > 0 else -math.inf
    elif isinstance(value, str) and _COMPOUND.fullmatch(text := value.replace(" ", "").lower()):
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(text))
    else:
        seconds = math.nan
    if math.isnan(seconds):
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 10m, 1h30m, 2d)")
    if seconds < 0 or (seconds == 0 and not zero_ok):
        raise ValueError(f"duration must be positive, not {value!r}")
    if seconds > most:
        raise ValueError(f"duration must be at most {_limit_text(most)}, not {value!r}")
    return seconds


MIN_SILENCE = HOUR  # a shorter silence threshold would be one between two checks


def parse_silence(value: object) -> str:
    """An account's silence setting as stored: "auto", "off", or the threshold in seconds
    ("108000") from a duration such as "30h" or "3d" (at least 1h, at most 366d)."""
    if isinstance(value, str) and value.strip().lower() in ("auto", "off"):
        return value.strip().lower()
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise ValueError(
            f'must be "auto", "off" or a duration such as 30h or 3d, not {value!r}'
        ) from None
    if seconds < MIN_SILENCE:
        raise ValueError(f"a silence threshold must be at least 1h, not {value!r}")
    return str(int(seconds)) if seconds.is_integer() else repr(seconds)


def _limit_text(seconds: float) -> str:
    """A bound for messages, in the largest unit that divides it: "366d", "1h"."""
    for unit in ("w", "d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds / _UNIT_SECONDS[unit]:g}{unit}"
    return f"{seconds:g}s"
