"""The `json` source: dotted field paths over documents served by the local FakeSite."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.live import live
from tests.server import FakeSite, Reply
from watcher.errors import UsageError
from watcher.model import (
    Blocked,
    Broken,
    Failed,
    Gone,
    Observation,
    Post,
    RateLimited,
    Seen,
    Target,
)
from watcher.sources.jsonapi import JsonSource, parse_field_path, render_value

JSON = {"content-type": "application/json"}
DOC: dict[str, Any] = {
    "data": {
        "id": 7,
        "text": "plain words",
        "html": "<p>Hello <b>world</b></p><p>2nd &amp; last</p>",
    },
    "items": [{"body": "first"}, {"body": "second", "tags": ["a", "b"]}],
    "a": {"b": [10, 20, {"c": "deep"}]},
    "count": 42,
    "ratio": 0.5,
    "open": True,
    "gone": None,
    "zh": "中文 🎉",
    "0": {"x": "object key that looks like an index"},
}


def observe(site: FakeSite, reply: Reply, field: str = "") -> Observation:
    site.set("/api", reply)
    return live(JsonSource()).fetch(Target(site.url + "/api", "json", field=field))


def text_of(site: FakeSite, field: str, doc: Any = DOC) -> str:
    result = observe(site, Reply(body=json.dumps(doc), headers=JSON), field)
    assert isinstance(result, Seen), result
    return result.post.text


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("data.text", ("data", "text")),
        ("items.0.body", ("items", 0, "body")),
        ("a.b.2", ("a", "b", 2)),
        ("items.-1", ("items", -1)),
        ("single", ("single",)),
    ],
)
def test_parse_field_path(path: str, expected: tuple[str | int, ...]) -> None:
    assert parse_field_path(path) == expected


@pytest.mark.parametrize("path", ["", "   ", "a..b", ".a", "a.", "a. .b"])
def test_malformed_path_is_usage_error(path: str) -> None:
    with pytest.raises(UsageError, match="path"):
        parse_field_path(path)


def test_malformed_path_in_target_is_usage_error_before_fetching(site: FakeSite) -> None:
    with pytest.raises(UsageError):
        observe(site, Reply(body="{}", headers=JSON), field="a..b")
    assert site.hits("/api") == 0


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("data.text", "plain words"),
        ("items.0.body", "first"),
        ("items.1.body", "second"),
        ("items.-1.body", "second"),
        ("a.b.2.c", "deep"),
        ("a.b.0", "10"),
        ("count", "42"),
        ("ratio", "0.5"),
        ("open", "true"),
        ("gone", ""),
        ("zh", "中文 🎉"),
        ("0.x", "object key that looks like an index"),
    ],
)
def test_field_values(site: FakeSite, field: str, expected: str) -> None:
    assert text_of(site, field) == expected


def test_html_inside_field_becomes_text(site: FakeSite) -> None:
    assert text_of(site, "data.html") == "Hello world\n\n2nd & last"


def test_structured_value_is_stable_json(site: FakeSite) -> None:
    assert text_of(site, "items.1") == '{\n "body": "second",\n "tags": [\n  "a",\n  "b"\n ]\n}'


def test_whole_document_without_field(site: FakeSite) -> None:
    doc = {"b": 1, "a": "中"}
    assert text_of(site, "", doc) == '{\n "a": "中",\n "b": 1\n}'


def test_key_order_does_not_change_text(site: FakeSite) -> None:
    assert text_of(site, "", {"x": 1, "y": 2}) == text_of(site, "", {"y": 2, "x": 1})


def test_post_identity(site: FakeSite) -> None:
    result = observe(site, Reply(body=json.dumps(DOC), headers=JSON), "data.text")
    assert isinstance(result, Seen)
    assert result.post == Post(id=site.url + "/api", url=site.url + "/api", text="plain words")


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("data.missing", "field 'data.missing' not found (stopped at 'data')"),
        ("items.5.body", "field 'items.5.body' not found (stopped at 'items')"),
        ("a.b.2.c.d", "field 'a.b.2.c.d' not found (stopped at 'a.b.2.c')"),
        ("data.text.more", "field 'data.text.more' not found (stopped at 'data.text')"),
        ("items.body", "field 'items.body' not found (stopped at 'items')"),
        ("nope.x", "field 'nope.x' not found (not even the first part is there)"),
    ],
)
def test_missing_field_is_broken(site: FakeSite, field: str, message: str) -> None:
    result = observe(site, Reply(body=json.dumps(DOC), headers=JSON), field)
    assert result == Broken(message)


def test_non_json_body_is_failed(site: FakeSite) -> None:
    result = observe(site, Reply(body="<html>login</html>", headers={"content-type": "text/html"}))
    assert isinstance(result, Failed)
    assert "is not JSON (text/html)" in result.reason


@pytest.mark.parametrize("status", [404, 410])
def test_gone(site: FakeSite, status: int) -> None:
    result = observe(site, Reply(status, '{"error": "not found"}', JSON), "data.text")
    assert isinstance(result, Gone)
    assert result.reason.startswith(f"HTTP {status}")


@pytest.mark.parametrize(
    ("status", "kind"), [(500, Failed), (503, Failed), (401, Blocked), (403, Blocked)]
)
def test_unobserved_statuses(site: FakeSite, status: int, kind: type) -> None:
    assert isinstance(observe(site, Reply(status, "{}", JSON), "data.text"), kind)


def test_rate_limited(site: FakeSite) -> None:
    result = observe(site, Reply(429, "{}", {**JSON, "retry-after": "5"}))
    assert result == RateLimited("HTTP 429 Too Many Requests", 5.0)


def test_never_matches_a_url() -> None:
    assert JsonSource.matches("https://api.example.com/v1/post.json") is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [("a &amp; b", "a & b"), ("a & b", "a & b"), (False, "false"), ([], "[]"), (None, "")],
)
def test_render_value(value: Any, expected: str) -> None:
    assert render_value(value) == expected
