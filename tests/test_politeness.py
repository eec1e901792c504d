"""Per-host politeness: concurrency, spacing, and backing off after a 429, as async gates."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from tests.live import live
from tests.server import FakeSite, Reply
from watcher.engine import Engine
from watcher.engine.gate import HostGate
from watcher.errors import HostBackoff
from watcher.model import RateLimited, Seen, Target
from watcher.sources.common import Politeness
from watcher.sources.web import WebSource

HTML = {"content-type": "text/html"}


def test_at_most_n_requests_in_flight_per_host() -> None:
    gate, inside, peak = HostGate(), [0], [0]

    async def request(host: str) -> None:
        async with gate.slot(host, Politeness(max_concurrent=2)):
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
            await asyncio.sleep(0.02)
            inside[0] -= 1

    async def main() -> None:
        await asyncio.gather(*(request("a.example") for _ in range(16)))

    asyncio.run(main())
    assert peak[0] == 2


def test_waiting_for_a_host_parks_no_other_host() -> None:
    """A slow, strictly spaced host makes its own requests wait; another host's request goes
    through meanwhile (no worker is parked on the slow one)."""
    gate, done = HostGate(), []

    async def request(host: str, polite: Politeness) -> None:
        async with gate.slot(host, polite):
            done.append((host, time.monotonic()))

    async def main() -> None:
        slow = Politeness(max_concurrent=1, min_spacing=0.2)
        await asyncio.gather(
            *(request("slow.example", slow) for _ in range(3)),
            request("fast.example", Politeness()),
        )

    start = time.monotonic()
    asyncio.run(main())
    fast = next(at for host, at in done if host == "fast.example")
    assert fast - start < 0.15
    assert [host for host, _ in done].count("slow.example") == 3


def test_hosts_do_not_share_limits() -> None:
    gate = HostGate()
    one = Politeness(max_concurrent=1)

    async def main() -> None:
        async with gate.slot("a.example", one), gate.slot("b.example", one):
            pass  # would deadlock if the hosts shared a slot

    asyncio.run(main())


def test_minimum_spacing_between_starts() -> None:
    gate, starts = HostGate(), []

    async def main() -> None:
        for _ in range(4):
            async with gate.slot("a.example", Politeness(min_spacing=0.05)):
                starts.append(time.monotonic())

    asyncio.run(main())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 0.045 for gap in gaps)


def test_a_paused_host_fails_fast_with_the_time_left() -> None:
    now = [100.0]
    gate = HostGate(clock=lambda: now[0])

    async def enter() -> None:
        async with gate.slot("a.example", Politeness()):
            pass

    asyncio.run(enter())
    gate.pause("a.example", 30)
    now[0] = 110.0
    with pytest.raises(HostBackoff) as info:
        asyncio.run(enter())
    assert info.value.retry_after == pytest.approx(20)
    now[0] = 131.0
    asyncio.run(enter())


def test_429_backs_the_host_off_for_its_retry_after(site: FakeSite) -> None:
    site.set("/p", Reply(429, "slow down", {**HTML, "retry-after": "120"}))
    source = WebSource()

    async def twice() -> tuple[object, object]:
        async with Engine() as engine:
            first = await engine.run(source.observe(Target(site.url + "/p", "web")))
            site.set("/p", Reply(200, "<html><body><p>fine</p></body></html>", HTML))
            second = await engine.run(source.observe(Target(site.url + "/p", "web")))
        return first, second

    first, second = asyncio.run(twice())
    assert isinstance(first, RateLimited) and first.retry_after == 120
    assert isinstance(second, RateLimited)  # not even asked: the host said 2 minutes
    assert second.retry_after is not None and 115 < second.retry_after <= 120
    assert site.hits("/p") == 1


def test_other_hosts_are_not_paused(site: FakeSite) -> None:
    site.set("/p", Reply(429, "slow down", {**HTML, "retry-after": "120"}))
    site.set("/q", Reply(200, "<html><body><p>fine</p></body></html>", HTML))
    source = live(WebSource())
    source.fetch(Target(site.url + "/p", "web"))
    other = source.fetch(Target(site.url.replace("127.0.0.1", "localhost") + "/q", "web"))
    assert isinstance(other, Seen)
