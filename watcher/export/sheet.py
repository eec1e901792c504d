"""Evidence as one self-contained HTML page that prints well: the URL, every version with when
it was captured and its hashes, the diffs between them, the events, and the raw answers kept
(for a deleted post, the gone answers). No script, no external resource; every text from the
platform is escaped (pure)."""

from __future__ import annotations

from datetime import datetime
from html import escape
from itertools import pairwise

from watcher.differ import diff_texts
from watcher.export import Evidence, Kept
from watcher.model import Revision, StoredEvent

BODY_SHOWN = 64 * 1024  # bytes of a body printed; the WARC and JSON exports have all of it

_CSS = """
body{font:14px/1.45 Georgia,serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.15rem;border-bottom:1px solid #999;margin-top:2rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:.25rem .4rem;
text-align:left;vertical-align:top}pre{white-space:pre-wrap;word-break:break-word;
background:#f6f6f6;padding:.5rem;border:1px solid #ddd;font-size:12px}
code{font-size:12px;word-break:break-all}del{background:#fdd}ins{background:#dfd}
.meta{color:#444}section{break-inside:avoid}
@media print{body{margin:0;max-width:none;font-size:11pt}pre{background:none;font-size:9pt}
a{color:#000;text-decoration:none}section{page-break-inside:avoid}h2{page-break-after:avoid}
del{text-decoration:line-through}ins{text-decoration:underline}}
"""


def sheet(evidence: Evidence) -> bytes:
    url = evidence.watch.target.url
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>Evidence: {escape(url)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Evidence for {escape(url)}</h1>",
        f"<p class=meta>Watch {evidence.watch.id} · {escape(evidence.watch.target.platform)}"
        f" · exported {_time(evidence.made_at)}</p>",
        _versions(evidence),
        _diffs(evidence.revisions),
        _events(evidence.events),
        _answers(evidence.captures),
        "</body></html>\n",
    ]
    return "".join(parts).encode()


def _versions(evidence: Evidence) -> str:
    rows = [_version(r, evidence.captures) for r in evidence.revisions]
    return "<section><h2>Versions</h2>" + ("".join(rows) or "<p>None stored.</p>") + "</section>"


def _version(revision: Revision, captures: tuple[Kept, ...]) -> str:
    post = revision.post
    answers = [k.capture for k in captures if k.revision == revision.number]
    hashes = "".join(f"<br>raw answer SHA-256 <code>{c.sha256}</code>" for c in answers)
    return (
        f"<h3>Revision {revision.number}</h3><p class=meta>captured {_time(revision.observed_at)}"
        f" · posted {_time(post.created_at)} · edited {_time(post.edited_at)}"
        f"<br>by {escape(post.author) or '—'} · <code>{escape(post.url)}</code>"
        f"<br>content hash <code>{escape(revision.content_hash)}</code>{hashes}</p>"
        f"<pre>{escape(post.document)}</pre>"
    )


def _diffs(revisions: tuple[Revision, ...]) -> str:
    pairs = list(pairwise(revisions))
    if not pairs:
        return ""
    shown = [f"<h3>Revision {a.number} → {b.number}</h3>{_diff(a, b)}" for a, b in pairs]
    return "<section><h2>Changes</h2>" + "".join(shown) + "</section>"


def _diff(old: Revision, new: Revision) -> str:
    marks = {-1: "del", 1: "ins"}
    pieces = []
    for op, text in diff_texts(old.post.document, new.post.document):
        tag = marks.get(op)
        pieces.append(f"<{tag}>{escape(text)}</{tag}>" if tag else escape(text))
    return "<pre>" + "".join(pieces) + "</pre>"


def _events(events: tuple[StoredEvent, ...]) -> str:
    rows = "".join(
        f"<tr><td>{_time(e.at)}</td><td>{escape(str(e.kind))}</td>"
        f"<td>{e.revision or ''}</td><td>{escape(e.detail)}</td></tr>"
        for e in events
    )
    head = "<tr><th>When</th><th>Event</th><th>Revision</th><th>Detail</th></tr>"
    return f"<section><h2>Events</h2><table>{head}{rows}</table></section>"


def _answers(captures: tuple[Kept, ...]) -> str:
    if not captures:
        return "<section><h2>Raw answers</h2><p>None kept.</p></section>"
    return "<section><h2>Raw answers</h2>" + "".join(_answer(k) for k in captures) + "</section>"


def _answer(kept: Kept) -> str:
    c = kept.capture
    cut = " (truncated when kept: the hash and size are of the whole body)" if c.truncated else ""
    shown = c.body[:BODY_SHOWN].decode("utf-8", "replace")
    more = (
        "\n[… shown in part; the WARC and JSON exports have it all]"
        if len(c.body) > BODY_SHOWN
        else ""
    )
    headers = "\n".join(f"{k}: {v}" for k, v in c.headers.items())
    return (
        f"<section><h3>{escape(c.method)} {escape(c.url)} → {c.status}</h3>"
        f"<p class=meta>received {_time(c.at)} · from <code>{escape(c.final_url)}</code>"
        f"<br>SHA-256 <code>{c.sha256}</code> · {c.size:,} bytes{cut}</p>"
        f"<pre>{escape(headers)}</pre><pre>{escape(shown + more)}</pre></section>"
    )


def _time(at: datetime | None) -> str:
    return at.isoformat(timespec="seconds") if at is not None else "—"
