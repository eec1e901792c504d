"""The one HTTP client all sources share: byte cap, charset decoding, error mapping.

Every request goes through `Http.get`, so limits and (later) per-host politeness live in one
place. httpx exceptions never leave this module: they become `FetchError`s.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import charset_normalizer
import httpx

from watcher.errors import BadBody, HostBackoff, TooLarge, TransportError
from watcher.model import Blocked, Failed, Gone, Observation, RateLimited
from watcher.settings import HttpSettings

log = logging.getLogger(__name__)

GONE_STATUSES = frozenset({404, 410})
BLOCKED_STATUSES = frozenset({401, 403, 407, 418, 432, 451})

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
# Browsers decode these labels with a superset codec; so must we, or GBK pages lose characters.
_CODEC_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        return decode_body(self.body, self.headers.get("content-type", ""))

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            kind = self.content_type or "no content-type"
            raise BadBody(f"response from {self.url} is not JSON ({kind})") from exc


@dataclass(frozen=True, slots=True)
class Politeness:
    max_concurrent: int = 2  # requests in flight to one host
    min_spacing: float = 0.0  # seconds between the starts of two requests to one host


DEFAULT_BACKOFF = 60.0  # seconds to leave a host alone after a 429 without Retry-After


class _Host:
    def __init__(self, max_concurrent: int) -> None:
        self.slots = threading.BoundedSemaphore(max_concurrent)
        self.next_start = 0.0  # monotonic time the next request may start
        self.paused_until = 0.0  # monotonic time a 429 pause ends


class HostGate:
    """Per-host politeness shared by all threads: at most N requests in flight, a minimum
    spacing between request starts, and a pause after a 429. A paused host is not waited for:
    the request fails at once with `HostBackoff`, so no worker sits idle for minutes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}

    @contextmanager
    def slot(self, host: str, polite: Politeness) -> Iterator[None]:
        state = self._state(host, polite)
        with state.slots:
            with self._lock:
                now = self._clock()
                if state.paused_until > now:
                    left = state.paused_until - now
                    raise HostBackoff(f"{host} asked us to wait; {left:.0f}s left", left)
                start = max(now, state.next_start)
                state.next_start = start + polite.min_spacing
            if start > now:
                time.sleep(start - now)
            yield

    def pause(self, host: str, seconds: float) -> None:
        with self._lock:
            state = self._hosts.get(host)
            if state is not None:
                state.paused_until = max(state.paused_until, self._clock() + seconds)

    def _state(self, host: str, polite: Politeness) -> _Host:
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = _Host(polite.max_concurrent)
            return self._hosts[host]


class Http:
    """A small facade over one shared `httpx.Client`."""

    def __init__(self, settings: HttpSettings | None = None) -> None:
        self.settings = settings or HttpSettings()
        self.gate = HostGate()
        self._client = httpx.Client(
            timeout=self.settings.timeout,
            follow_redirects=True,
            max_redirects=self.settings.max_redirects,
            headers={"user-agent": self.settings.user_agent},
            limits=httpx.Limits(
                max_connections=self.settings.max_connections,
                max_keepalive_connections=self.settings.max_connections,
            ),
        )

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        polite: Politeness | None = None,
    ) -> Response:
        """GET `url` politely; raise `TransportError`, `TooLarge` or `HostBackoff` instead of
        returning half an answer. A 429 pauses the host for its Retry-After."""
        host = urlsplit(url).hostname or ""
        with self.gate.slot(host, polite or Politeness()):
            response = self._get(url, params, headers, cookies)
        if response.status == 429:
            self.gate.pause(host, retry_after(response.headers) or DEFAULT_BACKOFF)
        return response

    def _get(
        self,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        cookies: Mapping[str, str] | None,
    ) -> Response:
        all_headers = dict(headers or {})
        if cookies:
            all_headers["cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        try:
            with self._client.stream("GET", url, params=params, headers=all_headers) as resp:
                body = self._read_capped(resp)
                return Response(str(resp.url), resp.status_code, _lower(resp.headers), body)
        except httpx.TooManyRedirects as exc:
            raise TransportError(f"too many redirects (a loop?) from {url}") from exc
        except httpx.TimeoutException as exc:
            raise TransportError(f"timed out after {self.settings.timeout:g}s: {url}") from exc
        except httpx.DecodingError as exc:
            raise BadBody(f"could not decode the body of {url}: {exc}") from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise TransportError(f"request to {url} failed: {exc or type(exc).__name__}") from exc

    def _read_capped(self, resp: httpx.Response) -> bytes:
        cap = self.settings.max_bytes
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise TooLarge(f"response from {resp.url} is {int(declared):,} bytes; cap is {cap:,}")
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise TooLarge(f"response from {resp.url} passed the {cap:,}-byte cap")
            chunks.append(chunk)
        return b"".join(chunks)


def _lower(headers: httpx.Headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def unobserved(resp: Response) -> Observation | None:
    """The observation for a response that says nothing about the post, or None.

    404/410 are left to the caller: whether they mean "gone" depends on the source.
    """
    status = resp.status
    if status == 429:
        return RateLimited("HTTP 429 Too Many Requests", retry_after(resp.headers))
    if status in BLOCKED_STATUSES:
        return Blocked(f"HTTP {status} from {resp.url}")
    if status >= 400 and status not in GONE_STATUSES:
        return Failed(f"HTTP {status} from {resp.url}")
    return None


def refusal(resp: Response) -> Observation | None:
    """The observation for any non-success answer, where 404/410 mean the post is gone."""
    if resp.status in GONE_STATUSES:
        return Gone(f"HTTP {resp.status} from {resp.url}")
    return unobserved(resp)


def retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), or None."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def decode_body(body: bytes, content_type: str = "") -> str:
    """Decode like a browser: header charset, BOM, <meta charset>, then detection."""
    for label in (_header_charset(content_type), _bom_charset(body), _meta_charset(body)):
        if label:
            codec = _CODEC_ALIASES.get(label.lower(), label)
            try:
                return body.decode(codec, errors="replace").lstrip("\ufeff")
            except LookupError:
                log.debug("unknown charset %r, trying the next clue", label)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(body).best()
        return str(best) if best is not None else body.decode("utf-8", errors="replace")


def _header_charset(content_type: str) -> str:
    match = re.search(r"charset\s*=\s*[\"']?([-\w.:]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else ""


def _bom_charset(body: bytes) -> str:
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return ""


def _meta_charset(body: bytes) -> str:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", errors="ignore") if match else ""
