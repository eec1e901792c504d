"""A local HTTP server for tests: serves canned responses that a test can change between checks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before answering (timeouts)

    def encoded(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Posted:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Handler = Callable[[str], Reply]  # gets the full path (with query), returns a reply


class FakeSite:
    """Routes by exact path-with-query first, then by path without query."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.posts: list[Posted] = []  # every POST body received, in order
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def set(self, path: str, reply: Reply | Handler) -> None:
        self.routes[path] = reply

    def reply(self, path: str, *args: object, **kwargs: object) -> None:
        self.routes[path] = Reply(*args, **kwargs)  # type: ignore[arg-type]

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path or p.split("?")[0] == path)

    def _lookup(self, path: str) -> Reply:
        route = self.routes.get(path) or self.routes.get(path.split("?")[0])
        if route is None:
            return Reply(404, "no route", {"content-type": "text/plain"})
        return route(path) if callable(route) else route

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs (~40 ms)

            def do_GET(self) -> None:
                site.requests.append((self.path, dict(self.headers)))
                self._send(site._lookup(self.path))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                reply = site._lookup(self.path)
                if reply.status < 300:  # a refused POST is not received
                    site.posts.append(Posted(self.path, dict(self.headers), body))
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.encoded()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                framed = {"content-length", "transfer-encoding"}
                if not any(k.lower() in framed for k in reply.headers):
                    self.send_header("content-length", str(len(body)))
                self.end_headers()
                with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return _Handler

    @contextmanager
    def running(self) -> Iterator[FakeSite]:
        thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
