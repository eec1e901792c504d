"""Evidence rows (schema 8: `raw_answer` and `raw_body`): writing a plan's captures, reading a
watch's back. Bodies and headers are zlib-compressed here and nowhere else. `Store` inherits
`CaptureQueries`.

A body is stored once per plan however many watches it is evidence for: the timeline page
that listed twenty new posts is one `raw_body` row and twenty-one `raw_answer` rows (the
account's and each post's). Answers from one host share a preset zlib dictionary
(`raw_dict`: the first body or headers kept from that host), which shrinks a post's answer to
what differs from the first one; zlib with that dictionary gives the exact bytes back.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    inspect,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from watcher.evidence import Capture
from watcher.store.tables import RAW_ANSWER, RAW_BODY, RAW_DICT, UTCDateTime

# Schema 7's one table, a body per row: read once by `move_v7_captures`, then dropped.
_V7 = Table(
    "capture",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("watch_id", Integer),
    Column("revision", Integer),
    Column("at", UTCDateTime()),
    *(Column(name, String) for name in ("url", "final_url", "method", "sha256")),
    *(Column(name, JSON) for name in ("request_headers", "headers")),
    Column("body", LargeBinary),
    Column("status", Integer),
    Column("size", Integer),
    Column("truncated", Boolean),
)

__all__ = ["CaptureQueries", "Kept", "delete_captures", "keep", "move_v7_captures", "write_answers"]

DICT_MAX = 32 * 1024  # zlib's window: more of a dictionary than this is never used

# One answer as stored: its row's values but the watch and revision it is evidence for.
Kept = dict[str, Any]


def keep(conn: Connection, captures: Sequence[Capture]) -> list[Kept]:
    """Store the bodies of `captures` and compress their headers, once, in the caller's
    transaction: what `write_answers` then writes for each watch they are evidence for."""
    packed = _Packer(conn)
    return [_kept(conn, capture, packed) for capture in captures]


class _Packer:
    """Compresses one transaction's answers, reading each host's dictionary once."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dictionaries: dict[str, tuple[int, bytes]] = {}

    def __call__(self, key: str, data: bytes) -> tuple[int, bytes]:
        """`data` compressed with the dictionary of `key`, and that dictionary's id."""
        if key not in self.dictionaries:
            self.dictionaries[key] = _dictionary(self.conn, key, data)
        dict_id, zdict = self.dictionaries[key]
        return dict_id, _compress(data, zdict)


def _kept(conn: Connection, capture: Capture, packed: _Packer) -> Kept:
    host = urlsplit(capture.final_url or capture.url).netloc.lower()
    body_dict, data = packed(f"body:{host}", capture.body)
    body = {"data": data, "dict_id": body_dict, "sha256": capture.sha256}
    body |= {"size": capture.size, "truncated": capture.truncated}
    headers = {"request": dict(capture.request_headers), "response": dict(capture.headers)}
    headers_dict, headers_data = packed(f"headers:{host}", _json(headers))
    return {
        "at": capture.at,
        "body_id": conn.execute(RAW_BODY.insert().returning(RAW_BODY.c.id), body).scalar_one(),
        "url": capture.url,
        "final_url": "" if capture.final_url == capture.url else capture.final_url,
        "method": capture.method,
        "status": capture.status,
        "headers": headers_data,
        "dict_id": headers_dict,
    }


def write_answers(
    conn: Connection, watch_id: int, revision: int | None, kept: Sequence[Kept]
) -> None:
    """The answers `keep` stored, as evidence for a watch beside its `revision`."""
    if kept:
        mine = {"watch_id": watch_id, "revision": revision or None}
        conn.execute(RAW_ANSWER.insert(), [answer | mine for answer in kept])


def delete_captures(conn: Connection, watch_id: int) -> None:
    """A watch's answers, and the bodies no other watch's answer refers to."""
    mine = select(RAW_ANSWER.c.body_id).where(RAW_ANSWER.c.watch_id == watch_id)
    bodies = list(conn.execute(mine).scalars())
    conn.execute(delete(RAW_ANSWER).where(RAW_ANSWER.c.watch_id == watch_id))
    if bodies:
        shared = select(RAW_ANSWER.c.body_id).where(RAW_ANSWER.c.body_id.in_(bodies))
        still = set(conn.execute(shared).scalars())
        gone = [b for b in bodies if b not in still]
        conn.execute(delete(RAW_BODY).where(RAW_BODY.c.id.in_(gone)))


def move_v7_captures(conn: Connection) -> None:
    """Schema 7 kept each answer in one `capture` row: store them as today's answers, then
    drop it (an `upgrade` step; nothing is lost: every byte comes back as it was)."""
    if not inspect(conn).has_table(_V7.name):
        return
    for row in conn.execute(select(_V7).order_by(_V7.c.id)).mappings().all():
        capture = Capture(
            at=row["at"],
            url=row["url"],
            final_url=row["final_url"],
            method=row["method"],
            status=row["status"],
            request_headers=row["request_headers"] or {},
            headers=row["headers"] or {},
            body=zlib.decompress(row["body"]),
            sha256=row["sha256"],
            size=row["size"],
            truncated=bool(row["truncated"]),
        )
        write_answers(conn, row["watch_id"], row["revision"], keep(conn, [capture]))
    _V7.drop(conn)


def _json(headers: Mapping[str, Mapping[str, str]]) -> bytes:
    return json.dumps(headers, separators=(",", ":")).encode()


def _compress(data: bytes, zdict: bytes = b"") -> bytes:
    packer = zlib.compressobj(6, zdict=zdict) if zdict else zlib.compressobj(6)
    return packer.compress(data) + packer.flush()


def _decompress(data: bytes, zdict: bytes = b"") -> bytes:
    unpacker = zlib.decompressobj(zdict=zdict) if zdict else zlib.decompressobj()
    return unpacker.decompress(data) + unpacker.flush()


def _dictionary(conn: Connection, key: str, sample: bytes) -> tuple[int, bytes]:
    """The dictionary of `key`: made from `sample` by the first answer kept for it (two
    processes making one at once agree on the first written), then read as it is."""
    query = select(RAW_DICT.c.id, RAW_DICT.c.data).where(RAW_DICT.c.key == key)
    found = conn.execute(query).first()
    if found is None:
        row = {"key": key, "data": _compress(sample[:DICT_MAX])}
        conn.execute(_insert_new(conn).values(row))
        found = conn.execute(query).one()
    return found.id, zlib.decompress(found.data)


def _insert_new(conn: Connection) -> Any:
    """An INSERT that leaves an existing dictionary of the same key as it is."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(RAW_DICT).on_conflict_do_nothing(index_elements=["key"])
    return sqlite.insert(RAW_DICT).on_conflict_do_nothing(index_elements=["key"])


def _record(row: Mapping[Any, Any], zdicts: Mapping[int, bytes]) -> tuple[int | None, Capture]:
    headers = json.loads(_decompress(row["headers"], zdicts.get(row["dict_id"], b"")))
    capture = Capture(
        at=row["at"],
        url=row["url"],
        final_url=row["final_url"] or row["url"],
        method=row["method"],
        status=row["status"],
        request_headers=headers["request"],
        headers=headers["response"],
        body=_decompress(row["data"], zdicts.get(row["body_dict"], b"")),
        sha256=row["sha256"],
        size=row["size"],
        truncated=bool(row["truncated"]),
    )
    return row["revision"], capture


class CaptureQueries:
    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # Store's: one transaction, errors mapped to StoreError

    def captures(self, watch_id: int) -> list[tuple[int | None, Capture]]:
        """Every capture of a watch, oldest first, each with the revision it stands beside."""
        answer, body = RAW_ANSWER.c, RAW_BODY.c
        query = (
            select(*answer, body.data, body.dict_id.label("body_dict"), body.sha256, body.size)
            .add_columns(body.truncated)
            .join_from(RAW_ANSWER, RAW_BODY, answer.body_id == body.id)
            .where(answer.watch_id == watch_id)
            .order_by(answer.at, answer.id)
        )
        with self._connection() as conn:
            rows = [row._mapping for row in conn.execute(query)]
            wanted = {row[key] for row in rows for key in ("dict_id", "body_dict")} - {None}
            found = conn.execute(select(RAW_DICT).where(RAW_DICT.c.id.in_(wanted)))
            zdicts = {d.id: zlib.decompress(d.data) for d in found}
        return [_record(row, zdicts) for row in rows]
