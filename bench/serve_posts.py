"""A local fake Mastodon instance serving N statuses, for benchmarks. Run as a subprocess so its
CPU time is not counted as watcher's.

    python bench/serve_posts.py PORT N [ACCOUNTS]

With ACCOUNTS, also that many accounts (`@user<k>`), each listing N statuses of its own.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


def status(i: int, edits: int = 0, user: str = "bench") -> bytes:
    text = f"<p>Post number {i}. 今天的更新：第{i}条。 Some more words to make it realistic. 🚀</p>"
    if edits:
        text += f"<p>Edited {edits} time(s).</p>"
    return json.dumps(
        {
            "id": str(i),
            "created_at": CREATED_AT,
            "edited_at": None,
            "content": text,
            "spoiler_text": "",
            "url": f"https://bench.example/@{user}/{i}",
            "account": {"acct": user, "username": user},
            "media_attachments": [],
            "replies_count": i % 7,
            "reblogs_count": i % 11,
            "favourites_count": i % 13,
        }
    ).encode()


CREATED_AT = "2026-08-01T13:54:00.505Z"


def accounts(count: int, posts: int) -> dict[str, bytes]:
    """Lookup and timeline bodies for `count` accounts of `posts` statuses each."""
    bodies = {}
    for k in range(1, count + 1):
        user = f"user{k}"
        lookup = json.dumps({"id": str(k), "acct": user, "username": user}).encode()
        bodies[f"/api/v1/accounts/lookup?acct={user}"] = lookup
        listed = [json.loads(status(k * 100_000 + j, user=user)) for j in range(posts, 0, -1)]
        bodies[f"/api/v1/accounts/{k}/statuses"] = json.dumps(listed).encode()
    return bodies


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs (~40 ms)
    bodies: ClassVar[dict[str, bytes]] = {}
    edits: ClassVar[dict[int, int]] = {}

    def do_POST(self) -> None:
        """`POST /edit/<i>`: change post i's text (benchmarks that need edits)."""
        index = int(self.path.rsplit("/", 1)[1])
        Handler.edits[index] = Handler.edits.get(index, 0) + 1
        Handler.bodies[f"/api/v1/statuses/{index}"] = status(index, Handler.edits[index])
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        body = self.bodies.get(self.path) or self.bodies.get(self.path.split("?")[0])
        code = 200 if body is not None else 404
        body = body if body is not None else b'{"error":"Record not found"}'
        self.send_response(code)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    port, count = int(sys.argv[1]), int(sys.argv[2])
    Handler.bodies = {f"/api/v1/statuses/{i}": status(i) for i in range(1, count + 1)}
    if len(sys.argv) > 3:
        Handler.bodies |= accounts(int(sys.argv[3]), count)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
