"""The engine against a hostile or unlucky world: a server that drips, bodies that inflate,
redirects into private networks, flows that never end. Each is bounded and ends as a
`FetchError` (which a source turns into `Failed`), never a hang, a blow-up or a traceback."""

from __future__ import annotations

import asyncio
import resource
import socket
import threading
import zlib
from collections.abc import Iterator

import pytest

from tests.live import get, live, run
from tests.server import FakeSite, Reply
from watcher.engine.addresses import AddressPolicy, is_private_ip
from watcher.errors import BadBody, TooLarge, TransportError
from watcher.model import Failed, Target
from watcher.settings import HttpSettings
from watcher.sources.common import Flow, Request, Response
from watcher.sources.jsonapi import JsonSource

# --- one deadline per check ---------------------------------------------------------------


@pytest.fixture
def dripping() -> Iterator[str]:
    """A server that sends its headers, then one body byte every 0.1 s for a minute."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    def drip(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 600\r\n\r\n")
            for _ in range(600):
                if stop.wait(0.1):
                    return
                try:
                    conn.sendall(b"x")
                except OSError:
                    return

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/drip"
    stop.set()
    server.close()


def test_a_dripping_server_ends_at_the_deadline(dripping: str) -> None:
    # Each byte arrives well within the read timeout: only the overall deadline ends it.
    settings = HttpSettings(timeout=5.0, deadline=1.0)
    with pytest.raises(TransportError, match=r"passed its 1s deadline"):
        run(_fetch_flow(dripping), settings)


def test_the_deadline_covers_every_request_of_a_check(site: FakeSite) -> None:
    site.set("/slow", Reply(body="late", delay=0.4))
    answers: list[str] = []

    def three() -> Flow[list[str]]:
        for _ in range(3):
            try:
                resp = yield Request(site.url + "/slow")
                answers.append(resp.body.decode())
            except TransportError as exc:
                answers.append(str(exc))
        return answers

    result = run(three(), HttpSettings(deadline=1.0))
    assert result[:2] == ["late", "late"]
    assert "deadline" in result[2]


def test_a_flow_that_never_ends_is_stopped(site: FakeSite) -> None:
    site.reply("/again", 200, "again")

    def forever() -> Flow[None]:
        while True:
            yield Request(site.url + "/again")

    with pytest.raises(TransportError, match="requests for one check"):
        run(forever())


def _fetch_flow(url: str) -> Flow[Response]:
    return (yield Request(url))


# --- bodies that inflate ----------------------------------------------------------------


def _gzip(chunks: Iterator[bytes]) -> Iterator[bytes]:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        if out := packer.compress(chunk):
            yield out
    yield packer.flush()


def _zeros(megabytes: int) -> Iterator[bytes]:
    block = bytes(1 << 20)
    for _ in range(megabytes):
        yield block


def test_layered_gzip_bomb_is_refused_with_bounded_memory(site: FakeSite) -> None:
    bomb = b"".join(_gzip(_gzip(_zeros(1024))))  # 1 GiB of zeros, gzipped twice
    assert len(bomb) < 10_000
    site.set("/bomb", Reply(body=bomb, headers={"content-encoding": "gzip, gzip"}))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(TooLarge, match="cap"):
        get(site.url + "/bomb", HttpSettings(max_bytes=1 << 20))
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 100_000  # the 1 GiB never existed: at most a few caps' worth


def test_layered_encoding_within_the_cap_is_decoded(site: FakeSite) -> None:
    text = "小米 post text ".encode() * 100
    body = b"".join(_gzip(_gzip(iter([text]))))
    site.set("/twice", Reply(body=body, headers={"content-encoding": "gzip, gzip"}))
    assert get(site.url + "/twice").body == text


def test_deflate_and_brotli_are_decoded(site: FakeSite) -> None:
    import brotli

    text = b"the same words " * 50
    site.set("/deflate", Reply(body=zlib.compress(text), headers={"content-encoding": "deflate"}))
    site.set("/br", Reply(body=brotli.compress(text), headers={"content-encoding": "br"}))
    assert get(site.url + "/deflate").body == text
    assert get(site.url + "/br").body == text


def test_too_many_layers_or_an_unknown_coding_is_a_bad_body(site: FakeSite) -> None:
    site.set("/many", Reply(body=b"x", headers={"content-encoding": "gzip, " * 5 + "gzip"}))
    site.set("/odd", Reply(body=b"x", headers={"content-encoding": "compress"}))
    with pytest.raises(BadBody, match="layers"):
        get(site.url + "/many")
    with pytest.raises(BadBody, match="unsupported content-encoding"):
        get(site.url + "/odd")


def test_corrupt_gzip_is_a_bad_body(site: FakeSite) -> None:
    site.set("/bad", Reply(body=b"\x1f\x8bnot gzip", headers={"content-encoding": "gzip"}))
    with pytest.raises(BadBody, match="gzip"):
        get(site.url + "/bad")


def test_deeply_nested_json_fails_the_check(site: FakeSite) -> None:
    site.set("/deep", Reply(body=b"[" * 100_000 + b"]" * 100_000))
    result = live(JsonSource()).fetch(Target(site.url + "/deep", "json"))
    assert isinstance(result, Failed)
    assert "nests deeper than" in result.reason


def test_brackets_inside_strings_do_not_count_as_depth(site: FakeSite) -> None:
    site.set("/strings", Reply(body=b'{"text": "' + b"[{" * 5000 + b'"}'))
    result = live(JsonSource()).fetch(Target(site.url + "/strings", "json", field="text"))
    assert not isinstance(result, Failed), result


# --- redirects into private networks ------------------------------------------------------


class PublicLoopback(AddressPolicy):
    """Stages a public site on 127.0.0.1: that literal address counts as public here; every
    other private address (localhost, 169.254.169.254, 10.x) is what it is."""

    async def private(self, host: str) -> bool:
        return host != "127.0.0.1" and await super().private(host)


def _redirect(site: FakeSite, to: str) -> str:
    site.reply("/hop", 302, headers={"location": to})
    return site.url + "/hop"


@pytest.mark.parametrize(
    "where",
    [
        "http://localhost:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
    ],
)
def test_a_public_page_cannot_redirect_into_a_private_network(site: FakeSite, where: str) -> None:
    port = site.url.rsplit(":", 1)[1]
    site.reply("/secret", 200, "internal")
    with pytest.raises(TransportError, match="private address"):
        get(_redirect(site, where.format(port=port)), policy=PublicLoopback())
    assert site.hits("/secret") == 0


def test_allow_private_follows_such_a_redirect(site: FakeSite) -> None:
    port = site.url.rsplit(":", 1)[1]
    site.reply("/secret", 200, "internal")
    url = _redirect(site, f"http://localhost:{port}/secret")
    resp = get(url, HttpSettings(allow_private=True), policy=PublicLoopback())
    assert resp.body == b"internal"


def test_a_watch_on_a_private_network_may_redirect_within_it(site: FakeSite) -> None:
    port = site.url.rsplit(":", 1)[1]
    site.reply("/secret", 200, "internal")
    assert get(_redirect(site, f"http://localhost:{port}/secret")).body == b"internal"


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("192.168.0.1", True),
        ("172.16.5.4", True),
        ("169.254.169.254", True),
        ("::1", True),
        ("fe80::1", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
    ],
)
def test_private_addresses(address: str, private: bool) -> None:
    assert is_private_ip(address) is private
    assert asyncio.run(AddressPolicy().private(address)) is private


def test_localhost_names_are_private() -> None:
    assert asyncio.run(AddressPolicy().private("localhost"))
    assert asyncio.run(AddressPolicy().private("db.localhost"))
