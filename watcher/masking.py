"""Masking secrets for display: apprise URLs keep their scheme and recognisable parts, and lose
tokens, passwords and secret path segments (`tgram://****/****`). Used for every message, log
line and CLI output that could carry a channel URL."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

MASK = "****"


_URL = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<netloc>[^/?]*)(?P<path>[^?]*)(?:\?(?P<query>.*))?$",
    re.S,
)
_HOST = re.compile(
    r"^(?:\[[0-9a-f:.]+\]|localhost|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]*[a-z0-9])"
    r"(?::\d{1,5})?$",
    re.I,
)
ANY_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
# Query parameters whose values are settings, never secrets.
_PLAIN_KEYS = frozenset(
    "format overflow emojis tz store retry wait optional verify rto cto method mode blocks footer"
    " image avatar silent preview mdv content timestamp tts detect album batch fields".split()
)


def _is_channel(segment: str) -> bool:
    return segment.startswith(("#", "@", "%23", "%40"))


def _netloc(netloc: str) -> tuple[str, list[str]]:
    """The netloc for display, and its secret parts."""
    userinfo, at, hostport = netloc.rpartition("@")
    if not _HOST.match(hostport):  # the "host" is a token (tgram://123:ABC, slack://T000)
        return (MASK if netloc else ""), [netloc, *re.split(r"[:@]", netloc)]
    if not at:
        return hostport, []
    user, colon, password = userinfo.partition(":")
    return (f"{user}:{MASK}@{hostport}" if colon else f"{user}@{hostport}"), [password]


def _path(path: str) -> tuple[str, list[str]]:
    """The path for display (secret segments in a row become one ****), and its secrets."""
    shown: list[str] = []
    secrets: list[str] = []
    for segment in path.split("/")[1:]:
        if not segment or _is_channel(segment):
            shown.append(segment)
        else:
            secrets.append(segment)
            if not shown or shown[-1] != MASK:
                shown.append(MASK)
    return ("/" + "/".join(shown) if path else ""), secrets


def _query(query: str) -> tuple[str, list[str]]:
    shown: list[str] = []
    secrets: list[str] = []
    for item in query.split("&"):
        key, eq, value = item.partition("=")
        if eq and value and key.lower() not in _PLAIN_KEYS:
            secrets.append(value)
            item = f"{key}={MASK}"
        shown.append(item)
    return "?" + "&".join(shown), secrets


def _split(url: str) -> tuple[str, list[str]]:
    """`url` masked for display, and the secret strings it holds."""
    match = _URL.match(url.strip())
    if not match:
        return MASK, [url.strip()]
    netloc, secrets = _netloc(match["netloc"])
    path, more = _path(match["path"])
    secrets += more
    shown = f"{match['scheme']}://{netloc}{path}"
    if match["query"] is not None:
        query, more = _query(match["query"])
        shown, secrets = shown + query, secrets + more
    return shown, secrets


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """An apprise URL fit for display: the scheme, a real host name (with the user of an e-mail
    URL), channel names (`#chan`, `@name`) and setting parameters stay; tokens, passwords, hosts
    that are tokens, other path segments and parameter values become `****`. Secret path
    segments in a row are one `****`: `slack://T000/B000/XXXX/#chan` -> `slack://****/****/#chan`.
    Text that is not a URL becomes `****`. Any of `secrets` left in the result is masked too."""
    shown, _ = _split(text)
    return Scrubber((), secrets)(shown)


def mask_in(text: str, urls: Iterable[str]) -> str:
    """`text` (an error message, a log line) with every occurrence of each URL replaced by its
    masked form, and every secret part of those URLs (token, password, path segment) by `****`."""
    return Scrubber(urls)(text)


class Scrubber:
    """Replaces whole URLs by their masked form, then their secret parts by ****. A secret of 8 or
    more characters is masked anywhere ("bot123:ABC" in an API URL); a shorter one only where it
    is not part of a longer word, so that a path segment "notify" leaves "notification" alone."""

    def __init__(self, urls: Iterable[str], extra: Iterable[str] = ()) -> None:
        wholes = {u.strip() for u in urls if u.strip()}
        self._wholes = sorted(((u, _split(u)[0]) for u in wholes), key=lambda p: -len(p[0]))
        found = {s for u in wholes for s in _split(u)[1]} | {s for s in extra if s}
        found |= {unquote(s) for s in found}
        alternatives = [
            re.escape(s) if len(s) >= 8 else rf"(?<![A-Za-z0-9]){re.escape(s)}(?![A-Za-z0-9])"
            for s in sorted(found, key=len, reverse=True)
            if len(s) >= 3 and s != MASK
        ]
        self._secrets = re.compile("|".join(alternatives)) if alternatives else None

    def __call__(self, text: str) -> str:
        for url, shown in self._wholes:
            text = text.replace(url, shown)
        return self._secrets.sub(MASK, text) if self._secrets else text


# Query parameters of a database URL that hold secrets (libpq's password, sslpassword; any
# driver's token or secret key).
_DB_SECRET_KEY = re.compile(r"pass|secret|token|key|auth", re.I)


def mask_db_url(url: str) -> str:
    """A database URL fit for display: the host, port, database and settings stay; the password
    (`user:pw@` or a `?password=` parameter) and any other secret-looking parameter become
    `****`. Text that is not a URL (a SQLite path) is shown as it is: it holds no secret."""
    match = _URL.match(url.strip())
    if not match:
        return url
    userinfo, at, hostport = match["netloc"].rpartition("@")
    user, colon, _ = userinfo.partition(":")
    netloc = f"{user}{':' + MASK if colon else ''}@{hostport}" if at else hostport
    shown = f"{match['scheme']}://{netloc}{match['path']}"
    if match["query"] is None:
        return shown
    items = []
    for item in match["query"].split("&"):
        key, eq, value = item.partition("=")
        items.append(f"{key}={MASK}" if eq and value and _DB_SECRET_KEY.search(key) else item)
    return shown + "?" + "&".join(items)
