"""Any JSON endpoint: the text of one field (a dotted path) or of the whole document."""

from __future__ import annotations

import json
import re
from typing import Any

from watcher.errors import UsageError
from watcher.model import Broken, Observation, Post, Seen, Target
from watcher.normalize import html_to_text, looks_like_html
from watcher.sources.common import Flow, Source, refusal

FieldPath = tuple[str | int, ...]

_INDEX = re.compile(r"-?\d+")


class _Missing(Exception):
    """The path left the document after `reached` steps."""

    def __init__(self, reached: int) -> None:
        super().__init__(reached)
        self.reached = reached


def parse_field_path(path: str) -> FieldPath:
    """`items.0.body` → ("items", 0, "body"). Raise UsageError for an empty or malformed path."""
    if not path.strip():
        raise UsageError("empty JSON field path; use a dotted path like data.text or items.0.body")
    parts = path.split(".")
    if any(not part.strip() for part in parts):
        raise UsageError(
            f"malformed JSON field path {path!r}: empty segment; "
            "use a dotted path like data.text or items.0.body"
        )
    return tuple(int(p) if _INDEX.fullmatch(p) else p for p in parts)


class JsonSource(Source):
    """A JSON document fetched as is. Never guessed from a URL: the user names it."""

    name = "json"
    options = frozenset({"field"})

    def validate(self, target: Target) -> None:
        if target.field:
            parse_field_path(target.field)

    def _observe(self, target: Target) -> Flow[Observation]:
        path = parse_field_path(target.field) if target.field else ()
        resp = yield self.request(target.url)
        early = refusal(resp)
        if early is not None:
            return early
        document = resp.json()
        try:
            value = resolve(document, path)
        except _Missing as exc:
            return Broken(_missing_message(target.field, path, exc.reached))
        return Seen(Post(id=target.url, url=resp.url, text=render_value(value)))


def resolve(document: Any, path: FieldPath) -> Any:
    """The value at `path`; raises _Missing with how many steps succeeded."""
    value = document
    for step, key in enumerate(path):
        value = _child(value, key, step)
    return value


def _child(value: Any, key: str | int, step: int) -> Any:
    if isinstance(value, list) and isinstance(key, int):
        if -len(value) <= key < len(value):
            return value[key]
    elif isinstance(value, dict) and str(key) in value:
        return value[str(key)]  # "0" may be an object key as well as a list index
    raise _Missing(step)


def _missing_message(field: str, path: FieldPath, reached: int) -> str:
    where = ".".join(str(k) for k in path[:reached])
    stopped = f"stopped at {where!r}" if where else "not even the first part is there"
    return f"field {field!r} not found ({stopped})"


def render_value(value: Any) -> str:
    """Plain text of a JSON value: strings as text (HTML converted), the rest as JSON."""
    if value is None:
        return ""  # a field emptied to null reads as empty text, not the word "null"
    if isinstance(value, str):
        return html_to_text(value) if looks_like_html(value) else value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1)
    return json.dumps(value)  # numbers and booleans in JSON spelling: true, 1.5
