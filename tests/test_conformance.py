"""Adapters against REAL recorded platform responses (../shared/fixtures/platforms/<platform>/).

Each recording is served by FakeSite with the status and headers its manifest.json lists, at
the API path the adapter requests, and the adapter's observation is checked. To cover a new
platform add one `Platform` entry to PLATFORMS; to cover a new recording add one `Case`.
Every recording in a covered platform's manifest must be either used by a case or listed in
`not_yet_used`, so a new recording cannot be silently ignored.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conformance import Case, platforms
from tests.live import replayed, run
from tests.server import FakeSite, Reply
from tests.shared import SHARED_FIXTURES, require
from watcher.errors import UsageError
from watcher.model import Seen, Target
from watcher.settings import PlatformSettings
from watcher.sources import SOURCES, Source, make_source, platform_for
from watcher.sources.common import Flow, Request, Response

SHARED = SHARED_FIXTURES / "platforms"
OWN = Path(__file__).parent / "fixtures"  # our own payloads, in each platform's shape
# Manifest header values like "<ISO8601 with 6 fractional digits, ...>" describe, not record.
_PLACEHOLDER = re.compile(r"<[^<>]*\s[^<>]*>")
_NOT_RECORDINGS = frozenset({"README.md", "manifest.json"})


PLATFORMS = platforms()


CASES = [
    pytest.param(name, case, id=f"{name}/{case.file}")
    for name, platform in PLATFORMS.items()
    for case in platform.cases
]


def platform_dir(name: str) -> Path:
    """The platform's recordings; skip (or fail on CI) when the shared folder is missing."""
    folder = SHARED / name
    require(folder / "manifest.json")
    return folder


def manifest(name: str) -> dict[str, Any]:
    entries: dict[str, Any] = json.loads((platform_dir(name) / "manifest.json").read_text())
    return entries


def recorded_reply(name: str, file: str) -> Reply:
    entry = manifest(name)[file]
    headers = {
        key: value
        for key, value in entry.get("headers", {}).items()
        if not _PLACEHOLDER.fullmatch(value)
    }
    return Reply(entry["status"], (platform_dir(name) / file).read_bytes(), headers)


def wrapped(name: str, file: str, key: str) -> Reply:
    """A 200 JSON answer whose member `key` is the recording (an embeddable union member has
    no status or headers of its own)."""
    member = (platform_dir(name) / file).read_bytes()
    body = b'{"' + key.encode() + b'": ' + member + b"}"
    return Reply(200, body, {"content-type": "application/json"})


def case_routes(name: str, case: Case) -> dict[str, Reply]:
    """What each request of `case` is answered with: path (with query) → reply."""
    platform = PLATFORMS[name]
    reply = wrapped(name, case.file, case.wrap) if case.wrap else recorded_reply(name, case.file)
    routes = {case.serve_at: reply}
    for path, file in case.extra.items():
        routes[path] = recorded_reply(name, file)
    for path, file in case.own.items():
        body = (OWN / platform.source / file).read_bytes()
        routes[path] = Reply(200, body, {"content-type": "application/json"})
    return routes


def observe_flow(name: str, case: Case, base: str) -> Flow[Any]:
    platform = PLATFORMS[name]
    source = make_source(platform.source, PlatformSettings(base_url=base))
    target = Target(case.watch, platform.source, field=case.field)
    return source.timeline(target) if case.timeline else source.observe(target)


@pytest.mark.parametrize(("name", "case"), CASES)
def test_recording(site: FakeSite, name: str, case: Case) -> None:
    """Over real HTTP: the recordings served by a local server, the flow run by the engine."""
    for path, reply in case_routes(name, case).items():
        site.set(path, reply)
    result = run(observe_flow(name, case, site.url))
    assert_case(result, case)
    assert site.hits(case.serve_at) == 1


@pytest.mark.parametrize(("name", "case"), CASES)
def test_recording_without_a_server(name: str, case: Case) -> None:
    """Sans-I/O: the same flow answered straight from the recordings, no socket at all."""
    routes = case_routes(name, case)
    base = "http://recorded.test"

    def answer(request: Request) -> Response:
        path = as_served(request, base)
        reply = routes.get(path) or routes.get(path.split("?")[0])
        if reply is None:
            return Response(request.url, 404, {}, b"not recorded")
        headers = {k.lower(): v for k, v in reply.headers.items()}
        return Response(request.url, reply.status, headers, reply.encoded())

    result, asked = replayed(observe_flow(name, case, base), answer)
    assert_case(result, case)
    paths = [as_served(r, base) for r in asked]
    assert sum(case.serve_at in (path, path.split("?")[0]) for path in paths) == 1


def as_served(request: Request, base: str) -> str:
    """The path (with query, in the order the request sends it) a server would see."""
    query = urlencode(list(request.params.items()))
    path = request.url.removeprefix(base)
    return f"{path}{'&' if '?' in path else '?'}{query}" if query else path


def assert_case(result: object, case: Case) -> None:
    assert isinstance(result, case.expect), result
    # Seen: the post's attributes; Page: its own (`ids`, `account`, `posts`); else the
    # observation's.
    subject = result.post if isinstance(result, Seen) else result
    actual = {key: getattr(subject, key) for key in case.fields}
    assert actual == dict(case.fields)


@pytest.mark.parametrize("name", list(PLATFORMS))
def test_every_recording_is_used_or_listed(name: str) -> None:
    platform = PLATFORMS[name]
    recorded = set(manifest(name))
    used = {case.file for case in platform.cases}
    used |= {file for case in platform.cases for file in case.extra.values()}
    used |= set(platform.used_by)
    waiting = set(platform.not_yet_used)
    assert not used & waiting, "a recording is both used and listed as not yet used"
    assert recorded - used - waiting == set(), "recordings no case uses nor lists"
    assert (used | waiting) - recorded == set(), "cases name files the manifest does not list"


USED_BY = [
    pytest.param(file, test, id=f"{name}/{file}")
    for name, platform in PLATFORMS.items()
    for file, test in platform.used_by.items()
]


@pytest.mark.parametrize(("file", "test"), USED_BY)
def test_used_by_names_a_test_that_reads_the_recording(file: str, test: str) -> None:
    path, function = test.split("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    source = inspect.getsource(getattr(module, function))
    assert function.startswith("test_")
    assert file in source, f"{test} does not name {file}"


@pytest.mark.parametrize("name", list(PLATFORMS))
def test_manifest_lists_every_recording(name: str) -> None:
    folder = platform_dir(name)
    on_disk = {p.name for p in folder.iterdir() if p.is_file()} - _NOT_RECORDINGS
    assert on_disk == set(manifest(name))


def test_placeholder_headers_are_recognised() -> None:
    assert _PLACEHOLDER.fullmatch("<ISO8601 with 6 fractional digits, end of current period>")
    assert not _PLACEHOLDER.fullmatch("2026-08-01T13:55:00.212100Z")
    assert not _PLACEHOLDER.fullmatch('<http://localhost:3000/x?max_id=1>; rel="next"')


def test_missing_shared_folder_skips_locally(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(f"{__name__}.SHARED", tmp_path)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"\.\./shared/fixtures not present"):
        platform_dir("mastodon")


def test_missing_shared_folder_fails_on_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(f"{__name__}.SHARED", tmp_path)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"\.\./shared/fixtures not present"):
        platform_dir("mastodon")


# --- the registry the table relies on ---------------------------------------------------------


def test_every_platform_in_the_table_is_registered() -> None:
    assert {p.source for p in PLATFORMS.values()} <= set(SOURCES)


def test_registry_finds_every_adapter_module() -> None:
    assert {"mastodon", "json", "web"} <= set(SOURCES)
    assert platform_for("https://unknown.example/any/page") == "web"  # the fallback


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://mastodon.social/@Gargron/109318821117356215", "mastodon"),
        ("https://social.example/web/statuses/42", "mastodon"),
        ("https://example.com/blog/1", "web"),
        ("https://api.example.com/v1/items.json", "web"),  # json is only ever chosen explicitly
        ("not a url", "web"),
    ],
)
def test_platform_for(url: str, platform: str) -> None:
    assert platform_for(url) == platform


def test_make_source() -> None:
    settings = PlatformSettings(base_url="http://mirror.test")
    source = make_source("mastodon", settings)
    assert isinstance(source, Source)
    assert (source.name, source.settings) == ("mastodon", settings)
    assert make_source("web").settings == PlatformSettings()


def test_make_source_unknown_platform() -> None:
    with pytest.raises(UsageError) as info:
        make_source("myspace")
    assert str(info.value).startswith("unknown platform 'myspace'; known: ")
    assert ", mastodon, " in str(info.value)
