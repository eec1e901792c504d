"""Undoing content codings as the body streams, with the byte cap on what comes out.

A 2 KB body sent as `Content-Encoding: gzip, gzip` can inflate to gigabytes. Every layer here
inflates at most `STEP` bytes per call, and every layer's output counts against the cap, so a
body is refused as soon as any layer passes it: memory stays within a few times the cap
whatever the body holds.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

from watcher.errors import BadBody, TooLarge

STEP = 64 * 1024  # bytes one layer may produce per call

try:  # brotli is optional: without it we never ask for br, and a server that sends it fails
    import brotli as _brotli
except ImportError:  # pragma: no cover (installed with watcher)
    _brotli = None

ACCEPT_ENCODING = "gzip, deflate, br" if _brotli is not None else "gzip, deflate"


class _Layer(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...
    def finish(self) -> Iterator[bytes]: ...


class _Zlib:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
        self._first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._first and not self._gzip and data:
            self._first = False
            if data[0] & 0x0F != 8:  # no zlib header: raw deflate
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        yield from self._drain(data)

    def _drain(self, data: bytes) -> Iterator[bytes]:
        try:
            while data:
                out = self._obj.decompress(data, STEP)
                data = self._obj.unconsumed_tail
                if out:
                    yield out
                if self._obj.eof:
                    data = self._next_member()
        except zlib.error as exc:
            raise BadBody(f"bad {'gzip' if self._gzip else 'deflate'} data: {exc}") from exc

    def _next_member(self) -> bytes:
        """gzip bodies may hold several members back to back; deflate ends at its end."""
        rest = self._obj.unused_data
        if not (self._gzip and rest):
            return b""
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return rest

    def finish(self) -> Iterator[bytes]:
        yield from self._drain(b"")
        try:
            tail = self._obj.flush(STEP)
        except zlib.error as exc:  # pragma: no cover
            raise BadBody(f"bad compressed data: {exc}") from exc
        if tail:
            yield tail


class _Brotli:
    def __init__(self) -> None:
        assert _brotli is not None
        self._obj = _brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.process(data, output_buffer_limit=STEP)
            while out:
                yield out
                if self._obj.can_accept_more_data():
                    break
                out = self._obj.process(b"", output_buffer_limit=STEP)
        except _brotli.error as exc:
            raise BadBody(f"bad br data: {exc}") from exc

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


def _layer(coding: str) -> _Layer:
    if coding in ("gzip", "x-gzip"):
        return _Zlib(gzip=True)
    if coding == "deflate":
        return _Zlib(gzip=False)
    if coding == "br" and _brotli is not None:
        return _Brotli()
    if coding in ("identity", ""):
        return _Identity()
    raise BadBody(f"unsupported content-encoding {coding!r}")


MAX_LAYERS = 4  # nobody encodes a body more than twice; more is an attack


class Decoder:
    """Undoes `Content-Encoding` (a comma-separated list, applied in order, so undone in
    reverse) chunk by chunk; `TooLarge` once any layer's output passes `cap` bytes."""

    def __init__(self, content_encoding: str, cap: int, url: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        if len(codings) > MAX_LAYERS:
            raise BadBody(f"{url} sent {len(codings)} layers of content-encoding")
        self._layers = [_layer(c) for c in reversed(codings)]
        self._sizes = [0] * len(self._layers)
        self._cap = cap
        self._url = url
        self._out: list[bytes] = []
        self.size = 0

    def feed(self, raw: bytes) -> None:
        self._push(0, raw, finish=False)

    def finish(self) -> bytes:
        self._push(0, b"", finish=True)
        return b"".join(self._out)

    def _push(self, index: int, data: bytes, finish: bool) -> None:
        if index == len(self._layers):
            self._count(data)
            self._out.append(data)
            return
        layer = self._layers[index]
        for out in layer.feed(data) if data else iter(()):
            self._grow(index, out)
            self._push(index + 1, out, finish=False)
        if finish:
            for out in layer.finish():
                self._grow(index, out)
                self._push(index + 1, out, finish=False)
            self._push(index + 1, b"", finish=True)

    def _grow(self, index: int, out: bytes) -> None:
        self._sizes[index] += len(out)
        if self._sizes[index] > self._cap:
            raise TooLarge(f"response from {self._url} passed the {self._cap:,}-byte cap")

    def _count(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._cap:
            raise TooLarge(f"response from {self._url} passed the {self._cap:,}-byte cap")
