"""Driving sources in tests: over real HTTP with the engine (`live`), or with no server at all
(`replayed`: answers from a table, through `wire.replay`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlencode

from watcher.engine import Engine
from watcher.engine.addresses import AddressPolicy
from watcher.errors import FetchError, TransportError
from watcher.model import Observation, Post, Target, TimelineObservation
from watcher.settings import HttpSettings
from watcher.sources.common import Flow, Request, Response, Source, replay

T = TypeVar("T")


def run(flow: Flow[T], http: HttpSettings | None = None, policy: AddressPolicy | None = None) -> T:
    """`flow`'s answer, its requests performed by a fresh engine in a fresh event loop."""

    async def go() -> T:
        async with Engine(http, policy) as engine:
            return await engine.run(flow)

    return asyncio.run(go())


@dataclass
class Live:
    """A source with its flows run over real HTTP: the blocking calls tests read best."""

    source: Source
    http: HttpSettings = field(default_factory=HttpSettings)

    def fetch(self, target: Target) -> Observation:
        return run(self.source.observe(target), self.http)

    def fetch_many(self, targets: Sequence[Target]) -> list[Observation]:
        return run(self.source.observe_many(targets), self.http)

    def timeline(self, target: Target, pages: int = 1) -> TimelineObservation:
        return run(self.source.timeline(target, pages), self.http)

    def history(self, target: Target, current: Post) -> tuple[Post, ...]:
        return run(self.source.history(target, current), self.http)


def live(source: Source, http: HttpSettings | None = None) -> Live:
    return Live(source, http or HttpSettings())


def request_key(request: Request) -> str:
    """A request as `url?query`, the way `replayed` tables name them."""
    query = urlencode(sorted(request.params.items())) if request.params else ""
    return f"{request.url}?{query}" if query else request.url


def replayed(
    flow: Flow[T], answers: Mapping[str, Response | FetchError] | Callable[[Request], Response]
) -> tuple[T, list[Request]]:
    """Run `flow` with no server: each request is answered from `answers` (by `request_key`,
    or a function); an unknown request is a transport failure. Returns the answer and the
    requests the flow made, in order."""
    asked: list[Request] = []

    def answer(request: Request) -> Response | FetchError:
        asked.append(request)
        if callable(answers):
            return answers(request)
        key = request_key(request)
        return answers.get(key) or TransportError(f"no recorded answer for {key}")

    return replay(flow, answer), asked


def get(
    url: str,
    http: HttpSettings | None = None,
    policy: AddressPolicy | None = None,
    **request: object,
) -> Response:
    """One request performed by a fresh engine: `Engine.fetch` as a blocking call."""

    async def go() -> Response:
        async with Engine(http, policy) as engine:
            return await engine.fetch(Request(url, **request))  # type: ignore[arg-type]

    return asyncio.run(go())
