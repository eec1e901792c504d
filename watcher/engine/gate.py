"""Per-host politeness as async primitives: at most N requests in flight to a host, a minimum
spacing between request starts, and a pause after a 429. Waiting for a slot parks a coroutine,
never a worker; a paused host is not waited for at all: the request fails at once with
`HostBackoff`, so a check of a rate-limited host ends now instead of in minutes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from watcher.errors import HostBackoff
from watcher.sources.common.wire import Politeness

DEFAULT_BACKOFF = 60.0  # seconds to leave a host alone after a 429 without a wait header


class _Host:
    def __init__(self, max_concurrent: int) -> None:
        self.slots = asyncio.Semaphore(max(1, max_concurrent))
        self.next_start = 0.0  # clock time the next request may start
        self.paused_until = 0.0  # clock time a 429 pause ends


class HostGate:
    """Shared by every check of one engine (one event loop)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._hosts: dict[str, _Host] = {}

    @asynccontextmanager
    async def slot(self, host: str, polite: Politeness) -> AsyncIterator[None]:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(polite.max_concurrent)
        self._refuse_if_paused(host, state)
        async with state.slots:
            self._refuse_if_paused(host, state)
            now = self._clock()
            start = max(now, state.next_start)
            state.next_start = start + polite.min_spacing
            if start > now:
                await asyncio.sleep(start - now)
            yield

    def _refuse_if_paused(self, host: str, state: _Host) -> None:
        left = state.paused_until - self._clock()
        if left > 0:
            raise HostBackoff(f"{host} asked us to wait; {left:.0f}s left", left)

    def pause(self, host: str, seconds: float) -> None:
        state = self._hosts.get(host)
        if state is not None:
            state.paused_until = max(state.paused_until, self._clock() + seconds)
