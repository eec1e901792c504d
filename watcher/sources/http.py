"""The one HTTP client all sources share: byte cap, charset decoding, error mapping.

Every request goes through `Http.get`, so limits and (later) per-host politeness live in one
place. httpx exceptions never leave this module: they become `FetchError`s.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import charset_normalizer
import httpx

from watcher.errors import BadBody, TooLarge, TransportError
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


class Http:
    """A small facade over one shared `httpx.Client`."""

    def __init__(self, settings: HttpSettings | None = None) -> None:
        self.settings = settings or HttpSettings()
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
    ) -> Response:
        """GET `url`; raise `TransportError` or `TooLarge` instead of returning half an answer."""
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
