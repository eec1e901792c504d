"""Evidence: the platform's raw answers kept beside what checks stored, bounded by
`[store] keep_raw` and a size cap, and `watcher export` as WARC, an HTML sheet and JSON —
through the local fake site and a real SQLite file."""

from __future__ import annotations

import hashlib
import io
import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    inspect,
)
from warcio.archiveiterator import ArchiveIterator

from tests.server import FakeSite
from tests.test_store_version import columns, record_version, recorded_version
from watcher.cli import cli
from watcher.evidence import Capture, Recorder, make_capture, recording
from watcher.masking import MASK
from watcher.model import Target
from watcher.sources.common.wire import Request, Response, replay
from watcher.store import Store
from watcher.store.schema import SCHEMA_VERSION

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HTML = {"content-type": "text/html; charset=utf-8"}
HOSTILE = "<script>alert('x')</script> & <b>bold</b>"


def page(body: str) -> str:
    return f"<html><head><title>Post</title></head><body><article>{body}</article></body></html>"


class Cli:
    def __init__(self, tmp_path: Path, site: FakeSite, store: str = "") -> None:
        self.db = str(tmp_path / "w.db")
        self.config = tmp_path / "c.toml"
        self.config.write_text(f"[detect]\nconfirm_pause = 0.01\n{store}", encoding="utf-8")
        self.url = f"{site.url}/p"

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(cli, [*args, "--db", self.db, "-c", str(self.config)])

    def check(self) -> Result:
        return self("check", self.url)

    def captures(self) -> list[tuple[int | None, Capture]]:
        store = Store(f"sqlite:///{self.db}")
        try:
            return store.captures(store.resolve(self.url).id)
        finally:
            store.close()


@pytest.fixture
def run(tmp_path: Path, site: FakeSite) -> Cli:
    return Cli(tmp_path, site)


def keeping(tmp_path: Path, site: FakeSite, store: str) -> Cli:
    return Cli(tmp_path, site, f"[store]\n{store}\n")


# -- what is kept ----------------------------------------------------------------------------


def test_a_first_snapshot_keeps_the_answer_with_its_hash(run: Cli, site: FakeSite):
    body = page("<p>Hello world</p>")
    site.reply("/p", 200, body, HTML)
    assert run.check().exit_code == 0
    [(revision, capture)] = run.captures()
    assert revision == 1
    assert capture.body == body.encode()
    assert capture.sha256 == hashlib.sha256(body.encode()).hexdigest()
    assert (capture.status, capture.method, capture.url) == (200, "GET", run.url)
    assert capture.size == len(body.encode()) and not capture.truncated
    assert capture.headers["content-type"] == HTML["content-type"]


def test_each_redirect_on_the_way_is_kept_before_the_answer(run: Cli, site: FakeSite):
    body = page("<p>Moved here</p>")
    site.reply("/p", 301, "", {"location": "/q"})
    site.reply("/q", 302, "", {"location": "/final"})
    site.reply("/final", 200, body, HTML)
    assert run.check().exit_code == 0
    first, moved, answer = [c for _, c in run.captures()]
    assert (first.url, first.status, first.headers["location"]) == (run.url, 301, "/q")
    assert (moved.url, moved.status, moved.headers["location"]) == (f"{site.url}/q", 302, "/final")
    assert (answer.url, answer.final_url) == (run.url, f"{site.url}/final")
    assert answer.body == body.encode() and first.body == moved.body == b""


def test_an_unchanged_check_keeps_nothing_and_an_edit_keeps_its_answer(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>Hello world</p>"), HTML)
    run.check()
    run.check()
    assert len(run.captures()) == 1
    edited = page("<p>Hello there</p>")
    site.reply("/p", 200, edited, HTML)
    assert run.check().exit_code == 1
    kept = run.captures()
    assert [number for number, _ in kept] == [1, 2]
    assert kept[-1][1].body == edited.encode()


def test_a_confirmed_deletion_keeps_both_gone_answers(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>Evidence</p>"), HTML)
    run.check()
    site.reply("/p", 404, "not found", HTML)
    assert run.check().exit_code == 1
    gone = [c for _, c in run.captures() if c.status == 404]
    assert [c.body for c in gone] == [b"not found", b"not found"]
    assert gone[0].at <= gone[1].at
    run.check()  # still gone: nothing new to prove
    assert len(run.captures()) == 3


def test_keep_raw_off_keeps_nothing(tmp_path: Path, site: FakeSite):
    run = keeping(tmp_path, site, 'keep_raw = "off"')
    site.reply("/p", 200, page("<p>Hello</p>"), HTML)
    run.check()
    site.reply("/p", 200, page("<p>Bye</p>"), HTML)
    run.check()
    assert run.captures() == []


def test_keep_raw_all_keeps_every_check(tmp_path: Path, site: FakeSite):
    run = keeping(tmp_path, site, 'keep_raw = "all"')
    site.reply("/p", 200, page("<p>Hello</p>"), HTML)
    for _ in range(3):
        run.check()
    assert len(run.captures()) == 3


def test_the_size_cap_truncates_and_says_so(tmp_path: Path, site: FakeSite):
    run = keeping(tmp_path, site, "raw_max_bytes = 100")
    body = page("<p>" + "long " * 200 + "</p>").encode()
    site.reply("/p", 200, body, HTML)
    run.check()
    [(_, capture)] = run.captures()
    assert capture.truncated and capture.body == body[:100]
    assert (capture.size, capture.sha256) == (len(body), hashlib.sha256(body).hexdigest())


def test_a_bad_keep_raw_is_one_line_naming_the_file_and_key(tmp_path: Path, site: FakeSite):
    run = keeping(tmp_path, site, 'keep_raw = "some"')
    result = run("list")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert str(run.config) in line and "store.keep_raw" in line


def test_secrets_a_request_carries_are_masked():
    request = Request(
        "https://api.example/p",
        params={"id": "7"},
        headers={"Authorization": "Bearer s3cret", "Accept": "application/json"},
        cookies={"SUB": "s3cret"},
    )
    response = Response("https://api.example/p?id=7", 200, {"set-cookie": "s=s3cret"}, b"{}")
    capture = make_capture(request, response, T0, 10)
    assert capture.url == "https://api.example/p?id=7"
    assert capture.request_headers["authorization"] == MASK
    assert capture.request_headers["cookie"] == MASK
    assert capture.request_headers["accept"] == "application/json"
    assert capture.headers["set-cookie"] == MASK
    assert "s3cret" not in repr(capture)


def test_every_answer_of_a_multi_request_flow_is_recorded():
    def flow() -> Any:
        show = yield Request("https://weibo.example/show")
        extend = yield Request("https://weibo.example/extend")
        return show.body + extend.body

    recorder = Recorder(lambda: T0)
    answer = replay(
        recording(flow(), recorder), lambda r: Response(r.url, 200, {}, r.url[-4:].encode())
    )
    assert answer == b"showtend"
    assert [c.url for c in recorder.captures()] == [
        "https://weibo.example/show",
        "https://weibo.example/extend",
    ]


def test_a_check_keeps_at_most_its_budget_in_all():
    recorder = Recorder(lambda: T0, cap=10, budget=15)
    for path in ("/a", "/b", "/c"):
        recorder.note(Request(f"https://x.example{path}"), Response(path, 200, {}, b"x" * 20))
    kept = recorder.captures()
    assert [len(c.body) for c in kept] == [10, 5, 0]
    assert all(c.truncated and c.size == 20 for c in kept)


# -- export ----------------------------------------------------------------------------------


@pytest.fixture
def deleted(run: Cli, site: FakeSite) -> Iterator[Cli]:
    """A post stored, edited to hostile text, then deleted (confirmed by two 404s)."""
    site.reply("/p", 200, page("<p>First words</p>"), HTML)
    run.check()
    site.reply("/p", 200, page(f"<p>{HOSTILE.replace('<', '&lt;').replace('>', '&gt;')}</p>"), HTML)
    run.check()
    site.reply("/p", 404, "gone for good", HTML)
    run.check()
    yield run


def test_export_warc_has_a_request_and_a_response_per_capture(deleted: Cli, tmp_path: Path):
    out = tmp_path / "e.warc.gz"
    result = deleted("export", deleted.url, "--format", "warc", "-o", str(out))
    assert result.exit_code == 0, result.output
    kept = [c for _, c in deleted.captures()]
    with out.open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Date"), r.content_stream().read())
            for r in ArchiveIterator(stream)
        ]
    assert records[0][0] == "warcinfo"
    responses = [r for r in records if r[0] == "response"]
    assert len(responses) == len(kept) == 4
    assert len([r for r in records if r[0] == "request"]) == 4
    assert [body for _, _, body in responses] == [c.body for c in kept]
    for (_, date, _), capture in zip(responses, kept, strict=True):
        assert date.startswith(capture.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))


def test_an_exported_warc_reads_back_in_a_second_independent_reader(deleted: Cli, tmp_path: Path):
    from fastwarc.warc import ArchiveIterator as FastIterator
    from fastwarc.warc import WarcRecordType

    out = tmp_path / "e.warc.gz"
    assert deleted("export", deleted.url, "--format", "warc", "-o", str(out)).exit_code == 0
    kept = [c for _, c in deleted.captures()]
    with out.open("rb") as stream:  # gzip, recognised by the reader; a bad digest is skipped
        records = [
            (r.record_type, r.http_headers.status_code if r.is_http else None, r.reader.read())
            for r in FastIterator(stream, verify_digests=True)
        ]
    kinds = [kind for kind, _, _ in records]
    assert kinds[0] == WarcRecordType.warcinfo
    responses = [
        (status, body) for kind, status, body in records if kind == WarcRecordType.response
    ]
    assert len(responses) == kinds.count(WarcRecordType.request) == len(kept) == 4
    assert responses == [(c.status, c.body) for c in kept]


def test_export_html_is_a_printable_sheet_with_versions_hashes_and_gone_answers(deleted: Cli):
    result = deleted("export", deleted.url, "--format", "html")
    assert result.exit_code == 0, result.output
    sheet = result.stdout
    assert "@media print" in sheet and "<script>" not in sheet
    assert "&lt;script&gt;" in sheet  # the hostile text, escaped
    assert "Revision 1" in sheet and "Revision 2" in sheet
    assert "First words" in sheet
    for _, capture in deleted.captures():
        assert capture.sha256 in sheet
    assert sheet.count("gone for good") == 2  # both gone answers, with their bodies
    assert "deleted" in sheet


def test_export_json_has_the_same_data(deleted: Cli):
    result = deleted("export", deleted.url, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["number"] for r in data["revisions"]] == [1, 2]
    assert data["revisions"][1]["text"].startswith("<script>")
    assert [c["status"] for c in data["captures"]] == [200, 200, 404, 404]
    assert "deleted" in [e["kind"] for e in data["events"]]
    assert data["diffs"][0]["from"] == 1


def test_export_of_an_unknown_watch_is_one_line(run: Cli):
    result = run("export", "999")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


# -- schema ----------------------------------------------------------------------------------


def test_a_version_6_database_gains_the_evidence_tables(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in ("raw_answer", "raw_body", "daemon"):
            conn.exec_driver_sql(f"DROP TABLE {table}")
    engine.dispose()
    record_version(url, 6)
    store = Store(url)
    try:
        assert store.captures(1) == []
    finally:
        store.close()
    assert "sha256" in columns(url, "raw_body")
    assert recorded_version(url) == SCHEMA_VERSION == 8


# Schema 7 kept each answer in one row, its body beside it.
V7 = Table(
    "capture",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("watch_id", Integer, nullable=False),
    Column("revision", Integer),
    Column("at", DateTime, nullable=False),
    *(Column(name, String, nullable=False) for name in ("url", "final_url", "method", "sha256")),
    *(Column(name, JSON, nullable=False) for name in ("request_headers", "headers")),
    Column("body", LargeBinary, nullable=False),
    Column("status", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("truncated", Boolean, nullable=False),
)


def test_a_version_7_databases_answers_move_to_the_new_tables_unchanged(db_url: str):
    body = b'{"text": "the post"}'
    store = Store(db_url)
    try:
        watch = store.ensure_watch(Target("https://example.com/p", "web"), 60.0, T0, True)
    finally:
        store.close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        for table in ("raw_answer", "raw_body"):
            conn.exec_driver_sql(f"DROP TABLE {table}")
        V7.create(conn)
        conn.execute(
            V7.insert(),
            {
                "watch_id": watch.id,
                "revision": 1,
                "at": T0.replace(tzinfo=None),
                "url": "https://example.com/p",
                "final_url": "https://example.com/p/",
                "method": "GET",
                "sha256": hashlib.sha256(body).hexdigest(),
                "request_headers": {"user-agent": "watcher"},
                "headers": {"content-type": "application/json"},
                "body": zlib.compress(body),
                "status": 200,
                "size": len(body),
                "truncated": False,
            },
        )
    engine.dispose()
    record_version(db_url, 7)
    store = Store(db_url)
    try:
        ((revision, capture),) = store.captures(watch.id)
    finally:
        store.close()
    assert revision == 1 and capture.at == T0 and capture.body == body
    assert (capture.url, capture.final_url) == ("https://example.com/p", "https://example.com/p/")
    assert capture.request_headers == {"user-agent": "watcher"}
    assert capture.headers == {"content-type": "application/json"}
    assert recorded_version(db_url) == 8 and not inspect(create_engine(db_url)).has_table("capture")


def test_the_dashboard_links_and_serves_all_three_exports(deleted: Cli):
    from starlette.testclient import TestClient

    from watcher.app import App
    from watcher.serve.routes import create_app
    from watcher.settings import Settings

    with App(Settings(), f"sqlite:///{deleted.db}") as app:
        client = TestClient(create_app(app), follow_redirects=False)
        watch_id = app.store.resolve(deleted.url).id
        page = client.get(f"/watch/{watch_id}").text
        for fmt in ("html", "warc", "json"):
            assert f"/watch/{watch_id}/export.{fmt}" in page
        sheet = client.get(f"/watch/{watch_id}/export.html")
        assert sheet.status_code == 200 and "attachment" in sheet.headers["content-disposition"]
        assert "gone for good" in sheet.text
        data = client.get(f"/watch/{watch_id}/export.json").json()
        assert len(data["captures"]) == 4
        warc = client.get(f"/watch/{watch_id}/export.warc")
        assert warc.headers["content-type"].startswith("application/warc")
        assert len(list(ArchiveIterator(io.BytesIO(warc.content)))) == 9
        assert client.get(f"/watch/{watch_id}/export.pdf").status_code == 404
        assert client.get("/watch/999/export.json").status_code == 404
