"""Evidence: the platform's raw answers kept with what a check stored (issue 11, part 3).

A check's flows are run through `recording`, which notes every request and the response it got;
`choose` (pure) decides which of them the check's plan carries to the store: under
`keep_raw = "changes"` (the default) only the answers behind a new revision or a gone signal,
under `"all"` every check's, under `"off"` none. An unchanged check stores nothing, so the hot
path stays one UPDATE.

What is kept is what the engine handed the source: the final URL, status, lower-case headers
and the body with its content coding undone. Secrets the request carried (cookies, tokens) are
masked before anything leaves memory; the hash is of the whole body even when only its first
`raw_max_bytes` are kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlencode

from watcher.errors import FetchError
from watcher.masking import MASK
from watcher.model import EventKind, Observation
from watcher.sources.common.wire import Flow, Request, Response

T = TypeVar("T")

RAW_MAX_BYTES = 2 * 1024 * 1024  # per answer: a post is far smaller; a page may not be
CHECK_MAX_BYTES = 8 * 1024 * 1024  # per check, all answers together (Weibo's show + extend)
# Header names whose values are credentials, in either direction.
_SECRET_WORDS = ("cookie", "auth", "token", "secret", "key", "session", "csrf")
_GONE = frozenset({EventKind.DELETED, EventKind.REMOVED})


@dataclass(frozen=True, slots=True)
class Capture:
    """One request and the platform's answer to it, as kept for evidence."""

    at: datetime  # when the answer arrived
    url: str  # the URL asked for, query included
    final_url: str  # where the answer came from, after redirects
    method: str
    status: int
    request_headers: Mapping[str, str]  # secrets masked
    headers: Mapping[str, str]  # the answer's, lower-case; secrets masked
    body: bytes  # at most the cap: see `truncated`
    sha256: str  # of the whole body as received
    size: int  # of the whole body
    truncated: bool = False


Answer = tuple[datetime, Request, Response]  # as noted: when it arrived, what was asked, what came


@dataclass(slots=True)
class Recorder:
    """The answers one check received, in order. Mutable: filled while the check's flows run.
    Noting an answer only keeps a reference; hashing and copying wait for `captures`, which a
    check calls only when it keeps them, so an unchanged check pays for neither."""

    clock: Callable[[], datetime]
    cap: int = RAW_MAX_BYTES
    budget: int = CHECK_MAX_BYTES
    answers: list[Answer] = field(default_factory=list)

    def note(self, request: Request, response: Response) -> None:
        """`response` to `request`, after each redirect that led to it (as asked of its URL)."""
        at = self.clock()
        for hop in response.hops:
            self.answers.append((at, replace(request, url=hop.url, params={}), hop))
        self.answers.append((at, request, response))

    def captures(self) -> list[Capture]:
        """The answers as kept: each cut at the cap, all within the check's budget."""
        kept, left = [], self.budget
        for at, request, response in self.answers:
            capture = make_capture(request, response, at, min(self.cap, left))
            left -= len(capture.body)
            kept.append(capture)
        return kept


@dataclass(frozen=True, slots=True)
class Prefetched:
    """A post as a batch request observed it, with the batch's answers: the evidence for
    each of the posts it carried (`watcher.checks.prefetch`)."""

    observation: Observation
    answers: tuple[Answer, ...] = ()


def make_capture(request: Request, response: Response, at: datetime, cap: int) -> Capture:
    """`response` to `request` as kept: masked headers, the body cut at `cap` bytes."""
    body = response.body
    sent = dict(request.headers)
    if request.cookies:
        sent["cookie"] = "; ".join(request.cookies)  # names only; masked below regardless
    return Capture(
        at=at,
        url=full_url(request),
        final_url=response.url,
        method="GET",
        status=response.status,
        request_headers=masked(sent),
        headers=masked(response.headers),
        body=body[: max(cap, 0)],
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        truncated=len(body) > max(cap, 0),
    )


def full_url(request: Request) -> str:
    """The URL with the request's params, as the engine asks for it."""
    if not request.params:
        return request.url
    joiner = "&" if "?" in request.url else "?"
    return request.url + joiner + urlencode(list(request.params.items()))


def masked(headers: Mapping[str, str]) -> dict[str, str]:
    """`headers` with the values of credential headers replaced by `MASK`."""
    return {
        name.lower(): MASK if any(w in name.lower() for w in _SECRET_WORDS) else value
        for name, value in headers.items()
    }


def recording(flow: Flow[T], recorder: Recorder | None) -> Flow[T]:
    """`flow`, unchanged, with every response it is sent noted in `recorder` (None: as is)."""
    if recorder is None:
        return flow
    return _recorded(flow, recorder)


def _recorded(flow: Flow[T], recorder: Recorder) -> Flow[T]:
    try:
        request = next(flow)
        while True:
            try:
                response = yield request
            except FetchError as exc:  # no answer to keep: the flow decides what it means
                request = flow.throw(exc)
                continue
            recorder.note(request, response)
            request = flow.send(response)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def choose(
    keep_raw: str,
    recorder: Recorder,
    stored: bool,
    events: frozenset[EventKind],
    gone_signal: bool,
) -> tuple[Capture, ...]:
    """The captures a check's plan carries: all of them under "all"; under "changes" only
    when the check stores a revision, records a deletion or removal, or sees a gone signal
    (the first of the answers a deletion is confirmed by); none under "off"."""
    wanted = keep_raw == "changes" and (stored or events & _GONE or gone_signal)
    return tuple(recorder.captures()) if keep_raw == "all" or wanted else ()
