"""Who may read the dashboard, and the headers every answer carries.

On this machine only (the default), nobody is asked for anything. Listening on any other
address needs a token: sent as `Authorization: Bearer <token>`, or remembered by a cookie the
login form sets. The cookie holds a hash of the token, never the token itself, so a copied
cookie does not reveal what to type into another client.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Mapping

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


def allowed(token: str, authorization: str, cookie: str) -> bool:
    """Whether a request with these headers may read (always, when there is no token)."""
    if not token:
        return True
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    return bool(cookie) and hmac.compare_digest(cookie.encode(), session_value(token).encode())


def token_matches(token: str, typed: str) -> bool:
    return bool(token) and hmac.compare_digest(typed.encode(), token.encode())
