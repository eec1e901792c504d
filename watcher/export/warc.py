"""Evidence as WARC 1.1, written by warcio: a warcinfo record, then for each capture its
response and the request it answered, dated when the answer arrived (pure)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from watcher import __version__
from watcher.evidence import Capture
from watcher.export import Evidence

# Bodies are kept decoded and whole-read: a coding or framing header would misdescribe them.
_FRAMING = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def warc(evidence: Evidence) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    info = {
        "software": f"watcher {__version__}",
        "format": "WARC File Format 1.1",
        "description": f"evidence for watch {evidence.watch.id}: {evidence.watch.target.url}",
    }
    writer.write_record(writer.create_warcinfo_record(f"watch-{evidence.watch.id}.warc.gz", info))
    for kept in evidence.captures:
        response = _response(writer, kept.capture)
        request = _request(writer, kept.capture)
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        writer.write_record(response)
        writer.write_record(request)
    return out.getvalue()


def _response(writer: WARCWriter, capture: Capture) -> Any:
    reason = _reason(capture.status)
    headers = [(k, v) for k, v in capture.headers.items() if k not in _FRAMING]
    headers.append(("content-length", str(len(capture.body))))
    http = StatusAndHeaders(f"{capture.status} {reason}", headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        capture.final_url,
        "response",
        payload=io.BytesIO(capture.body),
        http_headers=http,
        warc_headers_dict=_dated(capture),
    )
    if capture.truncated:  # the cap cut the body; its hash and size are of the whole one
        record.rec_headers.add_header("WARC-Truncated", "length")
    return record


def _request(writer: WARCWriter, capture: Capture) -> Any:
    parts = urlsplit(capture.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("host", parts.netloc), *_items(capture.request_headers)]
    http = StatusAndHeaders(f"{capture.method} {path} HTTP/1.1", headers, is_http_request=True)
    return writer.create_warc_record(
        capture.url,
        "request",
        payload=io.BytesIO(b""),
        http_headers=http,
        warc_headers_dict=_dated(capture),
    )


def _dated(capture: Capture) -> dict[str, str]:
    """The record's date (to the microsecond, as 1.1 allows) and the raw body's SHA-256."""
    at = capture.at.astimezone(UTC).replace(tzinfo=None)
    return {
        "WARC-Date": datetime_to_iso_date(at, use_micros=True),
        "WARC-X-Body-SHA256": capture.sha256,
    }


def _items(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    return list(headers.items())


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
