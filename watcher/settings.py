"""Frozen, validated settings. `config.py` builds them from TOML; defaults live here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from watcher.model import Filters

_NO_STRINGS: Mapping[str, str] = MappingProxyType({})
_NO_FILTERS = Filters()
KEEP_RAW = ("changes", "all", "off")  # `[store] keep_raw`, the default first (watcher.evidence)


@dataclass(frozen=True, slots=True)
class HttpSettings:
    timeout: float = 20.0  # seconds, for connect and for each read
    deadline: float = 45.0  # seconds for a whole check: every request, redirect and body
    max_bytes: int = 10 * 1024 * 1024  # a post is never this large; a bigger body is refused
    max_redirects: int = 10
    user_agent: str = "watcher/0.1 (+https://github.com/watcher/watcher)"
    max_connections: int = 256  # open connections in all; each host is limited by its platform
    allow_private: bool = False  # follow redirects from public pages into private networks


@dataclass(frozen=True, slots=True)
class PlatformSettings:
    base_url: str = ""  # empty: the platform's public API (or the URL's own origin)
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_STRINGS)
    cookies: Mapping[str, str] = field(default_factory=lambda: _NO_STRINGS)
    # Politeness towards each host of this platform:
    max_concurrent: int = 2  # requests in flight at once
    min_spacing: float = 0.0  # seconds between the starts of two requests


# What a channel gets when it names no `events`: what happened to posts and accounts. The
# operational states (failed, blocked, broken, hidden: a check could not see the post) go only
# to channels that ask for them. `silent` and `back`: an account going quiet, coming back
# (`watcher.silence`). The `quoted_*` kinds are what happened to the post a watched post
# reposts or quotes (`watcher.quotes`): news about what the watched post shows, so they are
# changes too.
DEFAULT_EVENTS = frozenset(
    {"edited", "deleted", "removed", "restored", "new", "silent", "back"}
    | {"quoted_edited", "quoted_deleted", "quoted_removed", "quoted_hidden", "quoted_restored"}
)


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """Where alerts go: one apprise URL, the events it wants, the body format, the time zone."""

    name: str
    url: str  # an apprise URL; secret, never logged or printed unmasked
    events: frozenset[str] = frozenset()  # event kinds; empty means DEFAULT_EVENTS
    format: str = ""  # empty: chosen from the URL's scheme (see watcher.render.format_for_url)
    timezone: str = ""  # IANA name for the times in its alerts; empty: Settings.timezone

    def wants(self, kind: str) -> bool:
        return kind in (self.events or DEFAULT_EVENTS)


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """A watch declared in the config file; synced into the database when the daemon starts."""

    url: str
    platform: str = ""
    selector: str = ""
    field: str = ""
    interval: float = 0.0  # 0: [defaults] interval
    channels: tuple[str, ...] = ()  # empty: every channel
    pages: int = 1  # accounts: timeline pages read per check
    filters: Filters = _NO_FILTERS  # what its checks leave out
    silence: str = ""  # accounts: "auto", "off" or seconds (watcher.activity); "": not given


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """A digest the daemon sends on a schedule (`[[digests]]`): each `every` (a week, Monday to
    Sunday, or a day) it sends the period that just ended, at `weekday hour:minute` in `tz`."""

    account: str  # the account watch's URL (or @user@instance)
    every: str = "week"  # "week" | "day"
    weekday: str = "mon"  # weekly digests: the day they go out
    hour: int = 9
    minute: int = 0
    tz: str = ""  # IANA name; empty: the platform's (Asia/Shanghai for Weibo, else UTC)
    channels: tuple[str, ...] = ()  # empty: every channel
    top: int = 3  # posts in its top list
    name: str = ""  # what names it in logs and the database; empty: `every` and the account

    @property
    def key(self) -> str:
        """What records its periods: its name, else every and account."""
        return self.name or f"{self.every} {self.account}"


@dataclass(frozen=True, slots=True)
class DaemonSettings:
    concurrency: int = 8  # checks in flight at once
    tick: float = 1.0  # seconds between two looks for due watches
    drain_interval: float = 2.0  # seconds between two looks for pending deliveries
    max_attempts: int = 8  # a delivery that failed this often is dead
    retry_base: float = 30.0  # seconds before the first retry; doubles each time
    retry_max: float = 3600.0
    shutdown_grace: float = 20.0  # seconds in-flight checks get to finish on SIGTERM
    max_backoff: float = 6 * 3600.0  # cap for failing watches' backed-off interval


@dataclass(frozen=True, slots=True)
class DetectSettings:
    confirm_deletions: int = 2  # consecutive gone signals before a post counts as deleted
    confirm_pause: float = 3.0  # seconds a one-off check waits before it re-fetches


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """How posts discovered on an account's timeline are followed (see schedule.follow_interval)."""

    follow_for: float = 7 * 86400.0  # seconds a post is followed after it was published
    young_for: float = 3600.0  # while younger than this, a post is checked every young_interval
    young_interval: float = 120.0
    max_interval: float = 6 * 3600.0  # older posts back off with age, up to this


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """`watcher serve`: the token that lets people in when it listens beyond this machine."""

    token: str = field(default="", repr=False)  # a secret: never logged, printed or shown


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str = ""  # empty: SQLite file in the user's data dir
    keep_raw: str = "changes"  # raw answers kept as evidence: "changes" | "all" | "off"
    raw_max_bytes: int = 2 * 1024 * 1024  # per answer kept; longer bodies are cut (and say so)
    default_interval: float = 600.0  # seconds, for `watcher add` without --interval
    timezone: str = "UTC"  # IANA name: times in alerts, unless a channel names its own
    http: HttpSettings = field(default_factory=HttpSettings)
    detect: DetectSettings = field(default_factory=DetectSettings)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    accounts: AccountSettings = field(default_factory=AccountSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    channels: tuple[ChannelSettings, ...] = ()
    watches: tuple[WatchSettings, ...] = ()
    digests: tuple[DigestSettings, ...] = ()
    platforms: Mapping[str, PlatformSettings] = field(default_factory=lambda: MappingProxyType({}))
    source: str = "config"  # the file these settings came from, for errors found later

    def platform(self, name: str) -> PlatformSettings:
        return self.platforms.get(name) or PlatformSettings()

    def channel(self, name: str) -> ChannelSettings | None:
        return next((c for c in self.channels if c.name == name), None)
