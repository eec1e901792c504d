"""Per-host politeness: concurrency, spacing, and backing off after a 429."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.server import FakeSite, Reply
from watcher.errors import HostBackoff
from watcher.model import RateLimited, Seen, Target
from watcher.settings import PlatformSettings
from watcher.sources.http import HostGate, Http, Politeness
from watcher.sources.web import WebSource

HTML = {"content-type": "text/html"}


def test_at_most_n_requests_in_flight_per_host():
    gate, inside, peak, lock = HostGate(), [0], [0], threading.Lock()

    def request(host: str) -> None:
        with gate.slot(host, Politeness(max_concurrent=2)):
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(request, ["a.example"] * 16))
    assert peak[0] == 2


def test_hosts_do_not_share_limits():
    gate = HostGate()
    one = Politeness(max_concurrent=1)
    with gate.slot("a.example", one), gate.slot("b.example", one):
        pass  # would deadlock if the hosts shared a slot


def test_minimum_spacing_between_starts():
    gate, starts = HostGate(), []
    for _ in range(4):
        with gate.slot("a.example", Politeness(min_spacing=0.05)):
            starts.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 0.045 for gap in gaps)


def test_a_paused_host_fails_fast_with_the_time_left():
    now = [100.0]
    gate = HostGate(clock=lambda: now[0])
    with gate.slot("a.example", Politeness()):
        pass
    gate.pause("a.example", 30)
    now[0] = 110.0
    with pytest.raises(HostBackoff) as info, gate.slot("a.example", Politeness()):
        pass
    assert info.value.retry_after == pytest.approx(20)
    now[0] = 131.0
    with gate.slot("a.example", Politeness()):
        pass


def test_429_backs_the_host_off_for_its_retry_after(site: FakeSite):
    site.set("/p", Reply(429, "slow down", {**HTML, "retry-after": "120"}))
    with Http() as http:
        source = WebSource(http, PlatformSettings())
        first = source.fetch(Target(site.url + "/p", "web"))
        site.set("/p", Reply(200, "<html><body><p>fine</p></body></html>", HTML))
        second = source.fetch(Target(site.url + "/p", "web"))
    assert isinstance(first, RateLimited) and first.retry_after == 120
    assert isinstance(second, RateLimited)  # not even asked: the host said 2 minutes
    assert second.retry_after is not None and 115 < second.retry_after <= 120
    assert site.hits("/p") == 1


def test_other_hosts_are_not_paused(site: FakeSite):
    site.set("/p", Reply(429, "slow down", {**HTML, "retry-after": "120"}))
    site.set("/q", Reply(200, "<html><body><p>fine</p></body></html>", HTML))
    with Http() as http:
        source = WebSource(http, PlatformSettings())
        source.fetch(Target(site.url + "/p", "web"))
        other = source.fetch(Target(site.url.replace("127.0.0.1", "localhost") + "/q", "web"))
    assert isinstance(other, Seen)
