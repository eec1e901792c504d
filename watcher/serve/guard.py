"""Who may read the dashboard, and the headers every answer carries.

On this machine only (the default), nobody is asked for anything. Listening on any other
address needs a token: sent as `Authorization: Bearer <token>`, or remembered by a cookie the
login form sets. The cookie holds a hash of the token, never the token itself, so a copied
cookie does not reveal what to type into another client. Wrong tokens are counted per client
address (`Attempts`): a few a minute, then the address waits.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from watcher.errors import UsageError

COOKIE = "watcher_session"
# No script at all, styles from our own stylesheet only, images inline (the SVG charts are
# markup, not images) or ours; nothing may frame the pages or receive their forms elsewhere.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: Mapping[str, str] = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",  # pages show what may be evidence: no shared caches
}


def is_local(host: str) -> bool:
    """Whether `host` is an address only this machine can reach (loopback, or localhost)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def check_bind(host: str, token: str) -> None:
    """UsageError when `host` is reachable from elsewhere and no token guards it."""
    if not is_local(host) and not token:
        raise UsageError(
            f"serve: --host {host} is reachable from other machines: set [serve] token"
            ' (e.g. token = "${WATCHER_TOKEN}") or keep the default 127.0.0.1'
        )


def session_value(token: str) -> str:
    """What the login cookie holds for `token`."""
    return hashlib.sha256(f"watcher-serve:{token}".encode()).hexdigest()


def bearer(authorization: str) -> str | None:
    """The token an `Authorization: Bearer <token>` header gives; None for no header or another
    scheme (a proxy's Basic credentials are not an attempt at ours)."""
    scheme, _, given = authorization.partition(" ")
    return given.strip() if scheme.lower() == "bearer" else None


def cookie_matches(token: str, cookie: str) -> bool:
    return bool(token and cookie) and hmac.compare_digest(
        cookie.encode(), session_value(token).encode()
    )


def token_matches(token: str, typed: str) -> bool:
    return bool(token) and hmac.compare_digest(typed.encode(), token.encode())


LIMIT, WINDOW = 5, 60.0  # wrong tokens an address may send within the window (seconds)
MAX_ADDRESSES = 4096  # addresses remembered at once: about 1 MB at most


class Attempts:
    """Wrong tokens per client address, so that the token cannot be guessed at speed: after
    `limit` wrong ones within `window` seconds, the address must wait (`wait`) until the
    oldest of them is `window` old; then it may try once more. A right token forgets the
    address. At most `most` addresses are kept (the one that failed longest ago is forgotten
    first), so a flood of addresses costs bounded memory. Not thread-safe: the dashboard
    calls it from its event loop only. `clock` is seconds (monotonic), injectable for tests."""

    def __init__(
        self,
        limit: int = LIMIT,
        window: float = WINDOW,
        most: int = MAX_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.most, self.clock = limit, window, most, clock
        self._failed: OrderedDict[str, tuple[float, ...]] = OrderedDict()

    def wait(self, address: str) -> int:
        """Whole seconds before `address` may send a token again; 0 when it may now."""
        recent = self._recent(address)
        if len(recent) < self.limit:
            return 0
        return max(1, math.ceil(recent[-self.limit] + self.window - self.clock()))

    def failed(self, address: str) -> None:
        """Count a wrong token from `address`."""
        self._failed[address] = (*self._recent(address), self.clock())[-self.limit :]
        self._failed.move_to_end(address)
        while len(self._failed) > self.most:
            self._failed.popitem(last=False)

    def attempt(self, address: str, token: str, given: str) -> int | None:
        """Judge `given` from `address`: None when it is `token`; else the seconds the address
        must wait before it may try again (0: it may now, `given` was only wrong). While it
        waits nothing is compared, the right token included."""
        wait = self.wait(address)
        if wait:
            return wait
        if token_matches(token, given):
            self.succeeded(address)
            return None
        self.failed(address)
        return 0

    def succeeded(self, address: str) -> None:
        """A right token from `address`: its wrong ones are forgotten."""
        self._failed.pop(address, None)

    def __len__(self) -> int:
        """How many addresses are remembered."""
        return len(self._failed)

    def _recent(self, address: str) -> tuple[float, ...]:
        """`address`'s wrong tokens within the window (forgetting it when there are none)."""
        now = self.clock()
        recent = tuple(t for t in self._failed.get(address, ()) if now - t < self.window)
        if not recent:
            self._failed.pop(address, None)
        return recent


def client_key(host: str | None) -> str:
    """Who is counted as one client: its IPv4 address, or its IPv6 /64 network (one machine
    may hold a whole /64, so counting its addresses one by one would count nothing)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return host or ""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
