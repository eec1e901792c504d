"""A Weibo-shaped fake platform on FakeSite for account scenarios over time: one account's
`api/container/getIndex` (the profile, then its "weibo" tab, `page` by page), whose posts appear
as a test's clock reaches their publishing time, and which can fail or hide the account.

The payloads are our own, in the shapes m.weibo.cn answers with (cards of `card_type` 9 with an
`mblog`, `cardlistInfo` saying the next page)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.server import FakeSite, Reply

JSON = {"content-type": "application/json; charset=utf-8"}
UID = "1749127163"
NAME = "雷军"
ACCOUNT = f"https://weibo.com/u/{UID}"
INDEX = "/api/container/getIndex"
TAB = f"107603{UID}"
CST = timezone(timedelta(hours=8))  # Weibo shows Beijing time


@dataclass
class FakeWeibo:
    """`clock` says what time it is for the account: a post shows once it is published."""

    site: FakeSite
    clock: Callable[[], datetime]
    posts: list[tuple[datetime, str, str]] = field(default_factory=list)  # (at, id, text)
    page_size: int = 10
    failing: bool = False  # the API answers 503
    hidden: bool = False  # the profile is shown to fans only

    def __post_init__(self) -> None:
        self.site.set(INDEX, self._index)

    def post(self, at: datetime, text: str) -> str:
        """A post published at `at` (shown from then on); returns its id."""
        ident = str(5150000000000000 + len(self.posts) + 1)
        self.posts.append((at, ident, text))
        return ident

    def link(self, ident: str) -> str:
        return f"https://m.weibo.cn/detail/{ident}"

    def _index(self, path: str) -> Reply:
        if self.failing:
            return Reply(503, "busy", {"content-type": "text/plain"})
        query = {key: values[0] for key, values in parse_qs(urlsplit(path).query).items()}
        if self.hidden:
            return _body({"ok": 0, "msg": "博主设置了仅粉丝可见"})
        if query.get("containerid") == TAB:
            return self._timeline(int(query.get("page", "1")))
        return _body({"ok": 1, "data": {"userInfo": {"id": int(UID), "screen_name": NAME}} | TABS})

    def _timeline(self, page: int) -> Reply:
        shown = sorted((p for p in self.posts if p[0] <= self.clock()), reverse=True)
        start = (page - 1) * self.page_size
        listed = shown[start : start + self.page_size]
        info: dict[str, object] = {"containerid": TAB}
        if len(shown) > start + self.page_size:
            info["page"] = page + 1  # the next page's number, as older answers say it
        cards = [{"card_type": 9, "mblog": _mblog(*post)} for post in listed]
        return _body({"ok": 1, "data": {"cardlistInfo": info, "cards": cards}})


TABS = {
    "tabsInfo": {
        "tabs": [
            {"tab_type": "profile", "containerid": f"230283{UID}"},
            {"tab_type": "weibo", "containerid": TAB},
        ]
    }
}


def _mblog(at: datetime, ident: str, text: str) -> dict[str, Any]:
    return {
        "created_at": at.astimezone(CST).strftime("%a %b %d %H:%M:%S +0800 %Y"),
        "id": ident,
        "mid": ident,
        "text": text,
        "isLongText": False,
        "user": {"id": int(UID), "screen_name": NAME},
        "reposts_count": 10,
        "comments_count": 20,
        "attitudes_count": 300,
    }


def _body(value: object) -> Reply:
    return Reply(200, json.dumps(value, ensure_ascii=False), JSON)
