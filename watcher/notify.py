"""The apprise boundary: send rendered bodies to a channel, and keep its URL's secrets out of sight.

How each body format is handed to apprise 2.2 (`_FORMATS`), so that the service receives the body
exactly as `render` made it:

    format         body_format  URL params added          what the service receives
    telegram-html  html         format=html (tgram)       sendMessage text, parse_mode HTML
    slack-mrkdwn   markdown     format=markdown (slack)   attachments[0].text, mrkdwn: true
    discord-md     markdown     none (format=markdown     content
                                would switch to embeds)
    html           html         none                      apprise converts if the service needs
    text           text         none                      apprise converts if the service needs

A Discord message pings only the targets its URL names with `ping=`: never anyone a post names,
whatever the URL's `format=` (`watcher.mentions`).

Each notification also carries apprise's title (what happened and who, plain text) and type
(info, success, warning: the colour or icon a service shows). The title goes only to a service
that shows it apart from the body (an e-mail's subject, Slack's attachment title, json's
`title`): where apprise would fold it into the body (Telegram, Discord's content, SMS-like
services: `title_maxlen` 0), the body already starts with the same line, and the title would
push it past the limit `render` measured. It is cut to the service's `title_maxlen`.

Every URL also gets `overflow=upstream`: apprise must never split or truncate, our bodies are
already within the service's limits. A parameter the user wrote into the URL is never overridden.

The three chat formats are already in the service's own dialect, so apprise's dialect conversion
(`dialect_convert`) is switched off for them: left on it rewrites them. Telegram reduces the HTML
(every "\\n" becomes "\\r\\n", line-leading spaces go, `&quot;` becomes `"`), Slack reads the body
as CommonMark (`*bold*` turns italic, `<url|text>` becomes `<url%7Ctext>`), Discord escapes
`:name:`. Without a declared body_format ("passthrough") Telegram collapses blank lines and Slack
escapes `&` a second time (`&lt;` arrives as `&amp;lt;`). What apprise still does: it strips
whitespace at the end of a body.

apprise logs through the `apprise` logger, and urllib3 beneath it logs request lines: both can hold
URLs and tokens (Telegram logs its POST URL with the bot token at DEBUG). `_Redactor` is a filter on
those loggers that masks every URL this module has seen, their secret parts and any other
`scheme://` URL in the record, before any handler formats it; the `apprise` logger is also set to
WARNING unless the application set a level for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from watcher.errors import ConfigError, DeliveryError
from watcher.masking import ANY_URL, Scrubber, mask, mask_in
from watcher.mentions import quiet_discord
from watcher.settings import ChannelSettings

if TYPE_CHECKING:  # at run time the functions that use apprise import it: loading the
    import apprise  # config or starting the CLI must not load it

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Format:
    apprise_format: str  # what notify(body_format=) is told
    native: bool = False  # already in the service's own dialect: no dialect_convert
    title: bool = True  # the service may get a title (see the module docstring)
    params: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # protocol -> params


_FORMATS: Mapping[str, _Format] = MappingProxyType(
    {
        "telegram-html": _Format(
            "html", native=True, title=False, params={"tgram": {"format": "html"}}
        ),
        "slack-mrkdwn": _Format("markdown", native=True, params={"slack": {"format": "markdown"}}),
        "discord-md": _Format("markdown", native=True, title=False),  # content: title + body
        "html": _Format("html"),
        "text": _Format("text"),
    }
)
_ALWAYS = MappingProxyType({"overflow": "upstream"})


# ---- logging -------------------------------------------------------------------------------

_GUARDED_LOGGERS = (
    "apprise",
    "urllib3",
    "urllib3.connectionpool",  # logs '"POST /bot<token>/sendMessage HTTP/1.1" 200' at DEBUG
    "urllib3.connection",
    "urllib3.util.retry",
    "requests",
)


class _Redactor(logging.Filter):
    """Masks known channel URLs, their secrets and any other URL in records of apprise and the
    HTTP stack beneath it. A logger filter runs before any handler sees the record."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._urls: tuple[str, ...] = ()
        self._scrub = Scrubber(())
        self._installed = False

    def install(self) -> None:
        with self._lock:
            if self._installed:
                return
            for name in _GUARDED_LOGGERS:
                logging.getLogger(name).addFilter(self)
            apprise_logger = logging.getLogger("apprise")
            if apprise_logger.level == logging.NOTSET:  # DEBUG there prints payloads, URLs
                apprise_logger.setLevel(logging.WARNING)
            self._installed = True

    def remember(self, *urls: str) -> None:
        with self._lock:
            new = tuple(u for u in urls if u and u not in self._urls)
            if new:
                self._urls += new
                self._scrub = Scrubber(self._urls)

    def scrub(self, text: str) -> str:
        return ANY_URL.sub(lambda m: mask(m.group()), self._scrub(text))

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep nothing of it
            message = f"(unformattable {record.levelname} record from {record.name})"
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        record.msg, record.args = self.scrub(message), ()
        return True


_REDACTOR = _Redactor()


class _Collect(logging.Filter):
    """Keeps the (already redacted) WARNING+ messages apprise logs in this thread, and lets none
    of this thread's records through: what apprise says about a URL it cannot use is the reason
    in watcher's own one-line error, not lines of its own before it. Other threads' records
    pass (a filter on the logger sees each record before any handler)."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread != self.thread:
            return True
        if record.levelno >= logging.WARNING:
            self.messages.append(record.getMessage())
        return False


@contextmanager
def _apprise_warnings() -> Iterator[list[str]]:
    collect = _Collect()
    logger = logging.getLogger("apprise")
    logger.addFilter(collect)  # after _REDACTOR's: it sees records already masked
    try:
        yield collect.messages
    finally:
        logger.removeFilter(collect)


# ---- URLs ----------------------------------------------------------------------------------


def _asset() -> apprise.AppriseAsset:
    import apprise

    # No :emoji: expansion and no escape decoding: post text is untrusted and must arrive as is.
    # Sequential dispatch keeps the send (and its log records) in the calling thread.
    return apprise.AppriseAsset(async_mode=False, interpret_emojis=False, interpret_escapes=False)


def _instantiate(url: str, asset: apprise.AppriseAsset) -> tuple[Any, str]:
    """The apprise plugin for `url` (None when apprise cannot use it), and apprise's reason."""
    import apprise

    _REDACTOR.install()
    _REDACTOR.remember(url)
    with _apprise_warnings() as warnings:
        try:
            plugin = apprise.Apprise.instantiate(url, asset=asset, suppress_exceptions=True)
        except Exception as exc:  # apprise promises None, but a plugin may still raise
            plugin, warnings[:] = None, [f"{type(exc).__name__}: {exc}"]
    reason = " ".join(_REDACTOR.scrub(warnings[0]).split()) if warnings else ""
    return plugin, reason


def _user_params(url: str) -> set[str]:
    """The query parameter names the user wrote (apprise reads names case-insensitively)."""
    _, _, query = url.partition("?")
    return {item.partition("=")[0].lower() for item in query.split("&") if item}


def _with_params(url: str, params: Mapping[str, str]) -> str:
    """`url` with `params` appended, the user's own text left as it is. apprise reads the query
    from the first "?" on (a "#chan" before it is part of the path), so appending is safe."""
    added = "&".join(f"{key}={value}" for key, value in params.items())
    if "?" not in url:
        return f"{url}?{added}"
    return f"{url}{'' if url.endswith(('?', '&')) else '&'}{added}"


def _protocols(plugin: Any) -> set[str]:
    names = getattr(plugin, "secure_protocol", None) or ()
    return {names} if isinstance(names, str) else set(names)


def _unchanged(body: str, *args: object, **kwargs: object) -> str:
    return body


def check_url(url: str) -> None:
    """Raise ConfigError (one line, URL masked) unless apprise can build a service from `url`."""
    plugin, reason = _instantiate(url, _asset())
    if plugin is None:
        because = f" ({reason})" if reason else ""
        raise ConfigError(f"{mask(url)} is not a usable apprise URL{because}")


# ---- sending -------------------------------------------------------------------------------


@dataclass
class _Target:
    """One channel's apprise object, built once and reused (a plugin keeps state between sends:
    throttling, rate-limit headers); the lock keeps two threads from sending through it at once."""

    apprise: apprise.Apprise
    urls: tuple[str, ...]  # what the user wrote and what apprise was given: both to mask
    title_max: int = 0  # the longest title the service shows apart from the body; 0: none
    lock: threading.Lock = field(default_factory=threading.Lock)


class Notifier:
    """Sends rendered bodies to channels through apprise, one notification per body, in order."""

    def __init__(self) -> None:
        self._built: apprise.AppriseAsset | None = None
        self._targets: dict[tuple[str, str, str], _Target] = {}
        self._lock = threading.Lock()
        _REDACTOR.install()

    @property
    def _asset(self) -> apprise.AppriseAsset:
        """apprise's asset, built (and apprise imported) on the first send: a daemon with
        nothing to send never loads apprise's hundreds of plugin modules."""
        if self._built is None:
            self._built = _asset()
        return self._built

    def send(
        self,
        channel: ChannelSettings,
        bodies: Sequence[str],
        body_format: str,
        title: str = "",
        notify_type: str = "info",
        attachments: Sequence[Attachment] = (),
    ) -> None:
        """Deliver each body as one notification, with `title` where the service shows one and
        apprise's `notify_type` (info, success, warning, failure); `attachments` go with the
        first body, where the service takes attachments (others get the bodies alone).
        DeliveryError (with `delivered`, the number of bodies the channel accepted before it
        failed) when apprise fails, raises or cannot use the channel's URL."""
        fmt = _FORMATS.get(body_format)
        if fmt is None:
            known = ", ".join(_FORMATS)
            raise DeliveryError(
                f"channel {channel.name!r}: unknown body format {body_format!r} (known: {known})"
            )
        target = self._target(channel, body_format, fmt)
        heading = _clip(" ".join(title.split()), target.title_max)
        with target.lock:
            for index, body in enumerate(bodies):
                attach = attachments if index == 0 else ()
                problem = self._notify(
                    target, body, fmt.apprise_format, heading, notify_type, attach
                )
                if problem:
                    raise DeliveryError(
                        f"channel {channel.name!r}: message {index + 1}/{len(bodies)} was not "
                        f"delivered to {mask(channel.url)}: {problem}",
                        delivered=index,
                    )
        log.debug("sent %d message(s) to channel %s", len(bodies), channel.name)

    def _target(self, channel: ChannelSettings, body_format: str, fmt: _Format) -> _Target:
        key = (channel.name, channel.url, body_format)
        with self._lock:
            target = self._targets.get(key)
            if target is None:
                target = self._targets[key] = self._build(channel, fmt)
            return target

    def _build(self, channel: ChannelSettings, fmt: _Format) -> _Target:
        import apprise

        url = channel.url
        plugin, reason = _instantiate(url, self._asset)
        if plugin is not None:
            wanted = dict(_ALWAYS)
            for protocol in _protocols(plugin):
                wanted.update(fmt.params.get(protocol, {}))
            missing = {k: v for k, v in wanted.items() if k not in _user_params(url)}
            if missing:
                url = _with_params(url, missing)
                plugin, reason = _instantiate(url, self._asset)
        if plugin is None:
            because = f" ({reason})" if reason else ""
            raise DeliveryError(
                f"channel {channel.name!r}: {mask(channel.url)} is not a usable apprise URL"
                f"{because}"
            )
        if fmt.native and plugin.resolve_format(fmt.apprise_format) == fmt.apprise_format:
            plugin.dialect_convert = _unchanged
        if "discord" in _protocols(plugin) and not quiet_discord(plugin):
            raise DeliveryError(
                f"channel {channel.name!r}: the Discord plugin of apprise {apprise.__version__} "
                "cannot be kept from pinging the people a post names; use another apprise version"
            )
        sender = apprise.Apprise(asset=self._asset)
        sender.add(plugin)
        title_max = int(getattr(plugin, "title_maxlen", 0) or 0) if fmt.title else 0
        return _Target(sender, (channel.url, url), max(0, title_max))

    @staticmethod
    def _notify(
        target: _Target,
        body: str,
        body_format: str,
        title: str,
        kind: str,
        attachments: Sequence[Attachment] = (),
    ) -> str:
        """'' when the service accepted `body`, else why not (one line, masked)."""
        import apprise

        attach = _attach(attachments, target) if attachments else None
        try:
            result = target.apprise.notify(
                body=body,
                title=title,
                notify_type=_notify_type(kind),
                body_format=body_format,
                interpret_escapes=False,
                attach=attach,
            )
        except Exception as exc:
            return _one_line(f"apprise raised {type(exc).__name__}: {exc}", target.urls)
        with result:
            # Judged by each service's last attempt, not result.status: an URL with optional=yes
            # makes apprise call a failed send a success.
            statuses = [service.attempts[-1].status for service in result if service.attempts]
            if statuses and all(s == apprise.AppriseResultStatus.SUCCESS for s in statuses):
                return ""
            warnings = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR")]
            reason = warnings[-1] if warnings else f"apprise reported {result.status.name}"
            return _one_line(reason, target.urls)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message, from memory (a digest's chart)."""

    name: str
    content: bytes
    mimetype: str


def _attach(attachments: Sequence[Attachment], target: _Target) -> apprise.AppriseAttachment | None:
    """apprise's attachments, for a service that takes them (None for one that does not: it
    would fail the whole message rather than send the text alone)."""
    import apprise
    from apprise.attachment.memory import AttachMemory

    if not all(getattr(service, "attachment_support", False) for service in target.apprise):
        return None
    found = apprise.AppriseAttachment()
    for item in attachments:
        memory = AttachMemory(content=item.content, name=item.name, mimetype=item.mimetype)  # type: ignore[no-untyped-call]
        found.add(memory)
    return found


def _notify_type(kind: str) -> apprise.NotifyType:
    import apprise

    try:
        return apprise.NotifyType(kind)
    except ValueError:
        return apprise.NotifyType.INFO


def _clip(text: str, size: int) -> str:
    """`text` within `size` characters ("…" at the end if cut); '' for a size of 0."""
    if len(text) <= size:
        return text
    return text[: size - 1].rstrip() + "…" if size > 1 else ""


def _one_line(text: str, urls: Iterable[str]) -> str:
    return " ".join(_REDACTOR.scrub(mask_in(text, urls)).split())
