"""One Weibo post through the mobile API: `GET <base>/statuses/show?id=<id>`, then, for a long
text that `show` cut at 全文, `GET <base>/statuses/extend?id=<id>` for the rest."""

from __future__ import annotations

from watcher.model import Failed, Observation, Seen
from watcher.sources.common import Flow, Source
from watcher.sources.weibo.answers import read_answer
from watcher.sources.weibo.longtext import full_text
from watcher.sources.weibo.status import status_post
from watcher.sources.weibo.urls import DEFAULT_BASE


def read_post(source: Source, ident: str) -> Flow[Observation]:
    """The post whose id (numeric, or a base62 bid) is `ident`: show, then extend if cut."""
    base = source.base_url(DEFAULT_BASE)
    resp = yield source.request(f"{base}/statuses/show", {"id": ident})
    answer = read_answer(resp)
    if not isinstance(answer, dict):
        return answer
    status = answer.get("data")
    if not (isinstance(status, dict) and status.get("id")):
        return Failed(f"response from {resp.url} has no status in `data`")
    text = yield from full_text(source, base, status)
    if not isinstance(text, str):
        return text
    return Seen(status_post(status, text))
