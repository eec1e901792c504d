"""The engine's HTTP: one aiohttp session per event loop, performing the `Request`s that source
flows yield, within the host gate, the byte cap and one deadline per check.

aiohttp is used directly (not through httpx): at 256 requests in flight it costs 0.13 ms of CPU
per request where httpx's own pool costs 13 ms and httpx over an aiohttp transport 0.36 ms
(`../shared/bench-peers/README.md`). Sources never see it: they see `wire.Request` and
`wire.Response`, so the client can change without touching a source.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlencode

from yarl import URL

from watcher.engine.addresses import AddressPolicy
from watcher.engine.decode import ACCEPT_ENCODING, Decoder
from watcher.engine.gate import DEFAULT_BACKOFF, HostGate
from watcher.errors import FetchError, TooLarge, TransportError
from watcher.settings import HttpSettings
from watcher.sources.common.refusals import rate_limit_wait
from watcher.sources.common.wire import Flow, Request, Response

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

T = TypeVar("T")

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REQUESTS = 400  # per flow: an HN account 10 pages deep takes 302; more is a loop
CHUNK = 64 * 1024


class Engine:
    """Runs source flows with real HTTP. Create it, and use it, inside one event loop."""

    def __init__(self, settings: HttpSettings | None = None, policy: AddressPolicy | None = None):
        self.settings = settings or HttpSettings()
        self.gate = HostGate()
        self.policy = policy or AddressPolicy()
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        # Imported on the first request: a pass with nothing due, or `status`, never pays it.
        import aiohttp

        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self.settings.max_connections,
                limit_per_host=0,  # the host gate limits each host
                enable_cleanup_closed=True,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # no cookie leaks from one check to another
                headers={
                    "user-agent": self.settings.user_agent,
                    "accept-encoding": ACCEPT_ENCODING,
                },
                auto_decompress=False,  # decoded here, under the cap (see decode.py)
            )
        return self._session

    # -- flows ----------------------------------------------------------------------------

    async def run(self, flow: Flow[T], deadline: float | None = None) -> T:
        """Drive `flow` to its answer: each request it yields is performed and its response
        sent back; a request's `FetchError` is thrown in where it asked. Past the deadline
        (whole seconds for every request of the flow, bodies included) each request fails at
        once, so the flow ends within it with whatever it makes of that."""
        loop = asyncio.get_running_loop()
        seconds = self.settings.deadline if deadline is None else deadline
        end = loop.time() + seconds
        try:
            request = next(flow)
            for _ in range(MAX_REQUESTS):
                try:
                    response = await self._within(request, end - loop.time(), seconds)
                except FetchError as exc:
                    request = flow.throw(exc)
                else:
                    request = flow.send(response)
            flow.close()
            raise TransportError(f"more than {MAX_REQUESTS} requests for one check")
        except StopIteration as finished:
            return finished.value  # type: ignore[no-any-return]

    async def _within(self, request: Request, left: float, seconds: float) -> Response:
        if left <= 0:
            raise TransportError(f"the check passed its {seconds:g}s deadline: {request.url}")
        try:
            async with asyncio.timeout(left):
                return await self.fetch(request)
        except TimeoutError:
            raise TransportError(
                f"the check passed its {seconds:g}s deadline: {request.url}"
            ) from None

    # -- one request ----------------------------------------------------------------------

    async def fetch(self, request: Request) -> Response:
        """GET politely, following redirects (never into a private network from a public
        one); raise `TransportError`, `TooLarge`, `BadBody` or `HostBackoff` instead of
        returning half an answer. A 429 pauses the host for as long as it asks."""
        url = _url(request)
        host = url.host or ""
        async with self.gate.slot(host, request.polite):
            response = await self._follow(request, url)
        if response.status == 429:
            self.gate.pause(host, rate_limit_wait(response.headers) or DEFAULT_BACKOFF)
        return response

    async def _follow(self, request: Request, url: URL) -> Response:
        headers = dict(request.headers)
        if request.cookies:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in request.cookies.items())
        start = url
        hops: list[Response] = []
        for _ in range(self.settings.max_redirects + 1):
            response, location = await self._send(url, headers)
            if location is None:
                return replace(response, hops=tuple(hops)) if hops else response
            hops.append(response)
            target = url.join(URL(location))
            if target.scheme not in ("http", "https") or not target.host:
                raise TransportError(
                    f"{url} redirected to {target.scheme or 'a'} URL; not followed"
                )
            await self._allow_redirect(start, target)
            url = target
        raise TransportError(f"too many redirects (a loop?) from {request.url}")

    async def _allow_redirect(self, start: URL, target: URL) -> None:
        """A public page may not send us into a private network (loopback, LAN, cloud
        metadata): its answer would be stored and shown. Allowed when the watch itself lives
        on such a network, or `[http] allow_private` is set."""
        if self.settings.allow_private or target.host == start.host:
            return
        if not await self.policy.private(target.host or ""):
            return
        if await self.policy.private(start.host or ""):
            return
        raise TransportError(f"{start} redirected to a private address ({target.host}); refused")

    async def _send(self, url: URL, headers: dict[str, str]) -> tuple[Response, str | None]:
        session = self._open()
        import aiohttp  # loaded by _open

        timeout = aiohttp.ClientTimeout(
            total=None, connect=self.settings.timeout, sock_read=self.settings.timeout
        )
        try:
            async with session.get(
                url, headers=headers, allow_redirects=False, timeout=timeout
            ) as resp:
                lowered = {k.lower(): v for k, v in resp.headers.items()}
                location = lowered.get("location") if resp.status in REDIRECTS else None
                if location is not None:
                    return Response(str(url), resp.status, lowered, b""), location
                body = await self._read(resp, str(url), lowered)
                return Response(str(resp.url), resp.status, lowered, body), None
        except FetchError:
            raise
        except TimeoutError as exc:
            raise TransportError(f"timed out after {self.settings.timeout:g}s: {url}") from exc
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise TransportError(f"request to {url} failed: {_why(exc)}") from exc

    async def _read(self, resp: aiohttp.ClientResponse, url: str, headers: dict[str, str]) -> bytes:
        cap = self.settings.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise TooLarge(f"response from {url} is {int(declared):,} bytes; cap is {cap:,}")
        decoder = Decoder(headers.get("content-encoding", ""), cap, url)
        raw = 0
        async for chunk in resp.content.iter_chunked(CHUNK):
            raw += len(chunk)
            if raw > cap:
                raise TooLarge(f"response from {url} passed the {cap:,}-byte cap")
            decoder.feed(chunk)
        return decoder.finish()


def _url(request: Request) -> URL:
    raw = request.url
    if request.params:  # encoded as a form would be (":" and "/" too), in the source's order
        raw += ("&" if "?" in raw else "?") + urlencode(list(request.params.items()))
    try:
        url = URL(raw, encoded=True)
        host = url.raw_host or ""
        if not host.isascii():  # an internationalised name as typed: its punycode is requested
            url = url.with_host(host)
            host = url.raw_host or ""
    except (ValueError, TypeError) as exc:  # UnicodeError too: a name IDNA cannot encode
        raise TransportError(f"not a URL we can request: {request.url} ({_why(exc)})") from exc
    if url.scheme not in ("http", "https") or not host:
        raise TransportError(f"not an http(s) URL: {request.url}")
    # DNS limits: aiohttp would fail later with a bare UnicodeError from the resolver.
    if len(host) > 253 or any(len(label) > 63 for label in host.split(".")):
        raise TransportError(f"not a URL we can request: {request.url} (host name too long)")
    return url


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text or type(exc).__name__
