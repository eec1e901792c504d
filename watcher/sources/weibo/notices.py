"""What Weibo shows in place of a reposted status it no longer shows (`retweeted_status.text`,
in `statuses/show` and on timeline cards alike): a notice, never the original's text. Each
known wording is one presence of the quoted post; a notice we do not know is kept as said.

| Weibo says | the quoted post is |
| --- | --- |
| 此微博已被作者删除 | deleted by its author |
| 该微博因被多人投诉，根据《微博社区公约》，已被删除 / 因违反…已被删除 | removed by Weibo |
| 该账号因被投诉违反法律法规…现已无法查看 | gone with its author's account, which Weibo took down |
| 由于作者设置，你暂时没有这条微博的查看权限 | hidden by its author's settings |
| 作者已设置仅展示半年内微博，此微博已不可见 | hidden (older than the half year shown) |
| 根据博主设置，此内容无法访问 | hidden by its author's settings |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from watcher.model import QuotedPresence

# Checked in order: the account's notice also speaks of 违反法律法规, and says 无法查看.
_NOTICES = (
    (re.compile(r"该账号.{0,20}(?:投诉|违反).{0,40}无法查看"), QuotedPresence.ACCOUNT_REMOVED),
    (re.compile(r"已被作者删除"), QuotedPresence.DELETED),
    (re.compile(r"(?:投诉|违反|社区公约).{0,40}已被删除"), QuotedPresence.REMOVED),
    (
        re.compile(r"没有这条微博的查看权限|仅展示半年内微博|此微博已不可见|此内容无法访问"),
        QuotedPresence.HIDDEN,
    ),
)


def notice_presence(status: Mapping[str, Any], text: str) -> QuotedPresence | None:
    """The quoted status's presence when `text` (its text as plain text) is Weibo's notice in
    its place; None when it is the status's own text. A notice is known by its words, or,
    for one we do not know, by what Weibo does to the status: `deleted: "1"`, `user: null`."""
    for pattern, presence in _NOTICES:
        if pattern.search(text):
            return presence
    if str(status.get("deleted") or "") in ("1", "true", "True") or status.get("user") is None:
        return QuotedPresence.UNKNOWN
    return None
