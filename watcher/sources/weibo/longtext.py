"""A status's whole text. `text` is cut at 全文 when `isLongText`; the full text is in `longText`
(sometimes) or behind `GET statuses/extend?id=<id>`. A truncated text is never stored: it
would read as an edit. A post's check and an account's page both complete texts here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watcher.model import Failed, Gone, Observation
from watcher.sources.common import Flow, Source
from watcher.sources.weibo.answers import read_answer


def full_text(source: Source, base: str, status: Mapping[str, Any]) -> Flow[str | Observation]:
    """The status's whole HTML text, asking `statuses/extend` only when it is not at hand; or
    the observation that stands in for a long text that could not be read."""
    if not status.get("isLongText"):
        return str(status.get("text") or "")
    embedded = (status.get("longText") or {}).get("longTextContent")
    if isinstance(embedded, str):
        return embedded
    resp = yield source.request(f"{base}/statuses/extend", {"id": str(status["id"])})
    answer = read_answer(resp)
    if isinstance(answer, Gone):  # show just returned the post: not proof of anything
        return Failed(f"statuses/extend refused the long text: {answer.reason}")
    if not isinstance(answer, dict):
        return answer
    data = answer.get("data")
    content = data.get("longTextContent") if isinstance(data, dict) else None
    if not isinstance(content, str):
        return Failed(f"response from {resp.url} has no `longTextContent`")
    return content
