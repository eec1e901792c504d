"""The sans-I/O boundary between sources and the engine: what a source asks for (`Request`),
what it gets back (`Response`), and the generator shape of an observation (`Flow`).

A source never opens a socket. Its `observe` is a generator: it yields a `Request`, is sent the
`Response` (or has the request's `FetchError` thrown in at the `yield`), and finally returns
its answer. The engine (`watcher.engine`) drives flows with real HTTP; `replay` drives one with
answers given by a function, which is how tests run a source with no server at all.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from watcher.errors import BadBody, FetchError
from watcher.sources.common.charset import decode_body

log = logging.getLogger(__name__)

T = TypeVar("T")

_NO_STRINGS: Mapping[str, str] = MappingProxyType({})
MAX_JSON_DEPTH = 200  # no API we read nests deeper than ~20; deeper is hostile or broken


@dataclass(frozen=True, slots=True)
class Politeness:
    """How a host wants to be treated: requests in flight at once, seconds between starts."""

    max_concurrent: int = 2
    min_spacing: float = 0.0


@dataclass(frozen=True, slots=True)
class Request:
    """One GET a source needs. `params` are added to the URL's query."""

    url: str
    params: Mapping[str, str] = field(default_factory=lambda: _NO_STRINGS)
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_STRINGS)
    cookies: Mapping[str, str] = field(default_factory=lambda: _NO_STRINGS)
    polite: Politeness = Politeness()


@dataclass(frozen=True, slots=True)
class Response:
    """A whole answer: the final URL (after redirects), status, lower-case headers and the
    decoded body (content codings undone, capped)."""

    url: str
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    # the redirects that led here, in order (each with its own URL, status and `location`;
    # no body): kept as evidence, never read by sources
    hops: tuple[Response, ...] = field(default=(), compare=False, repr=False)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        return decode_body(self.body, self.headers.get("content-type", ""))

    def json(self) -> Any:
        """The body as JSON, nested at most `MAX_JSON_DEPTH` deep; `BadBody` otherwise."""
        kind = self.content_type or "no content-type"
        if _too_deep(self.body, MAX_JSON_DEPTH):
            raise BadBody(f"response from {self.url} nests deeper than {MAX_JSON_DEPTH} ({kind})")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise BadBody(f"response from {self.url} is not JSON ({kind})") from exc


# Brackets outside strings: a string's own brackets and escaped quotes do not count.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')


def _too_deep(body: bytes, limit: int) -> bool:
    """Whether JSON `body` opens more than `limit` arrays/objects at once. A linear scan, so a
    hostile body costs its length, never the parser's recursion."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for match in _JSON_TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


# An observation in the making: yields requests, is sent responses, returns a T.
Flow = Generator[Request, Response, T]


def replay(flow: Flow[T], answer: Callable[[Request], Response | FetchError]) -> T:
    """Run `flow` to its end, answering each request with `answer(request)`: a `Response`, or a
    `FetchError` thrown into the flow where it asked. No I/O: for tests and recorded answers."""
    try:
        request = next(flow)
        while True:
            reply = answer(request)
            request = flow.throw(reply) if isinstance(reply, FetchError) else flow.send(reply)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
