"""Weibo: one post through the mobile API, `GET https://m.weibo.cn/statuses/show?id=<id>`; an
account's latest posts through `api/container/getIndex` (the profile, then its "weibo" tab), read
in `weibo_timeline`. This module keeps what both halves share: URLs, the answer envelope, and
the Post of a status.

Weibo answers HTTP 200 for almost everything and says what happened in the body: `ok: 1` with
the status in `data`, `ok: 0` with an `errno`/`msg` (deleted, hidden, removed), `ok: -100` for
the visitor/login wall. Only the messages that say the post no longer exists count as gone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from watcher.errors import BadBody, UsageError
from watcher.model import (
    Blocked,
    Failed,
    Gone,
    Hidden,
    Observation,
    Post,
    Seen,
    Target,
    TimelineObservation,
)
from watcher.normalize import html_to_text, parse_time
from watcher.sources.base import Source
from watcher.sources.http import GONE_STATUSES, Response, unobserved

DEFAULT_BASE = "https://m.weibo.cn"
# Counters a status carries; stored as metrics, never part of the content.
METRICS = ("reposts_count", "comments_count", "attitudes_count")

_MID = r"\d{6,20}"  # numeric id (`id`/`mid`)
_BID = r"[0-9A-Za-z]{9}"  # base62 short id used in weibo.com URLs
_ID = rf"({_MID}|{_BID})"
_PATHS: Mapping[str, tuple[re.Pattern[str], ...]] = {
    "weibo.com": (re.compile(rf"/\d+/{_ID}/?"), re.compile(rf"/detail/({_MID})/?")),
    "m.weibo.cn": (
        re.compile(rf"/(?:detail|status)/{_ID}/?"),
        re.compile(rf"/\d+/{_ID}/?"),  # what the app's "copy link" gives: /<uid>/<mid>
    ),
    # The old mobile site (dataabc/weibo-spider reads posts at weibo.cn/comment/<bid>).
    "weibo.cn": (re.compile(rf"/comment/{_ID}/?"),),
}
_HOSTS = {"www.weibo.com": "weibo.com", "www.weibo.cn": "weibo.cn"}
_UID = r"(\d{5,16})"
_ACCOUNT_PATHS: Mapping[str, tuple[re.Pattern[str], ...]] = {
    "weibo.com": (re.compile(rf"/u/{_UID}/?"), re.compile(rf"/{_UID}/?")),
    "m.weibo.cn": (re.compile(rf"/(?:u|profile)/{_UID}/?"),),
}

# What `msg` says, in the words Weibo uses. Checked in this order: a message that mentions
# both "does not exist" and "no permission" (微博不存在或暂无查看权限) is not proof of deletion.
_REMOVED = re.compile(r"违反|违规|投诉|法律法规|社区公约|被屏蔽|管理员")
_HIDDEN = re.compile(
    r"暂无查看权限|没有.{0,6}查看权限|仅展示|半年内|粉丝|作者设置|博主设置|仅.{0,4}可见"
)
_LOGIN = re.compile(r"登录|登陆|login|passport|visitor", re.IGNORECASE)
_DELETED = re.compile(r"不存在|删除")
_TAKEN_DOWN = re.compile(r"删除|无法查看|屏蔽")  # with _REMOVED: taken down by Weibo
_DELETED_ERRNO = "20101"

_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
# "Sun Jun 01 10:12:31 +0800 2025"
_WEIBO_TIME = re.compile(
    r"\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})"
)


def post_id(url: str) -> str | None:
    """The numeric id or base62 bid in a Weibo post URL, or None if `url` is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    for pattern in _PATHS.get(_HOSTS.get(host, host), ()):
        match = pattern.fullmatch(parts.path)
        if match and not _is_word(match.group(1)):
            return match.group(1)
    return None


def account_uid(url: str) -> str | None:
    """The numeric uid in a Weibo account URL, or None if `url` is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    for pattern in _ACCOUNT_PATHS.get(_HOSTS.get(host, host), ()):
        match = pattern.fullmatch(parts.path)
        if match:
            return match.group(1)
    return None


def _is_word(ident: str) -> bool:
    """Page names such as `following` have the shape of a bid; real bids mix cases or digits."""
    return ident.isalpha() and ident.islower()


class WeiboSource(Source):
    name = "weibo"

    @classmethod
    def matches(cls, url: str) -> bool:
        return post_id(url) is not None

    def validate(self, target: Target) -> None:
        if post_id(target.url) is None:
            raise UsageError(f"not a Weibo post URL: {target.url}")

    def _fetch(self, target: Target) -> Observation:
        self.validate(target)
        base = self.base_url(DEFAULT_BASE)
        resp = self.get(f"{base}/statuses/show", {"id": post_id(target.url) or ""})
        answer = read_answer(resp)
        if not isinstance(answer, dict):
            return answer
        status = answer.get("data")
        if not (isinstance(status, dict) and status.get("id")):
            return Failed(f"response from {resp.url} has no status in `data`")
        text = self.full_text(base, status)
        if not isinstance(text, str):
            return text
        return Seen(status_post(status, text))

    def full_text(self, base: str, status: Mapping[str, Any]) -> str | Observation:
        """The whole HTML text: `text` is cut at 全文 when `isLongText`; the full text is in
        `longText` (sometimes) or behind `statuses/extend`. A truncated text is never stored:
        it would read as an edit."""
        if not status.get("isLongText"):
            return str(status.get("text") or "")
        embedded = (status.get("longText") or {}).get("longTextContent")
        if isinstance(embedded, str):
            return embedded
        resp = self.get(f"{base}/statuses/extend", {"id": str(status["id"])})
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

    # -- accounts ---------------------------------------------------------------------------

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        """The uid of a profile URL (weibo.com/u/<uid>, m.weibo.cn/u/ or /profile/<uid>)."""
        return account_uid(url)

    def _timeline(self, target: Target, pages: int = 1) -> TimelineObservation:
        # Imported here, not at the top: the timeline half imports this module.
        from watcher.sources.weibo_timeline import read_timeline

        return read_timeline(self, target, pages)


def read_answer(resp: Response) -> dict[str, Any] | Observation:
    """The JSON body of an `ok: 1` answer, or the observation for anything else."""
    if _login_page(resp.url):
        return Blocked(f"redirected to a login page: {resp.url}")
    if resp.status != 200:
        if resp.status in GONE_STATUSES:  # Weibo says "gone" in the body, never with a 404
            return Failed(f"HTTP {resp.status} from {resp.url}")
        return unobserved(resp) or Failed(f"HTTP {resp.status} from {resp.url}")
    try:
        body = resp.json()
    except BadBody as exc:
        return _not_json(resp, exc)
    if not isinstance(body, dict) or "ok" not in body:
        return Failed(f"response from {resp.url} is not a Weibo answer")
    if body["ok"] == 1:
        return body
    return _refusal(body)


def _login_page(url: str) -> bool:
    """Weibo sends visitors without cookies through passport/visitor pages."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return host.startswith(("passport.", "visitor.")) or parts.path.startswith(
        ("/signin", "/visitor/", "/login")
    )


def _not_json(resp: Response, exc: BadBody) -> Observation:
    text = resp.text()[:4000]
    if _LOGIN.search(text):
        return Blocked(f"a login page instead of JSON from {resp.url}")
    return Failed(str(exc))


def _refusal(body: Mapping[str, Any]) -> Observation:
    """What an `ok` other than 1 means. Unknown codes and messages fail; they never count
    as a deletion."""
    msg = str(body.get("msg") or "")
    errno = str(body.get("errno") or "")
    said = f"Weibo ok:{body['ok']} errno:{errno or '-'} {msg}".strip()
    if body["ok"] == -100:
        return Blocked(f"login required ({body.get('url') or msg or 'ok:-100'})")
    if body["ok"] != 0:
        return Failed(said)
    if _REMOVED.search(msg) and _TAKEN_DOWN.search(msg):
        return Gone(said, removed=True)
    if _HIDDEN.search(msg):
        return Hidden(said)
    if errno == _DELETED_ERRNO or _DELETED.search(msg):
        return Gone(said)
    if _LOGIN.search(msg):
        return Blocked(said)
    return Failed(said)


def status_post(status: Mapping[str, Any], html: str) -> Post:
    """The Post of a status whose full HTML text is `html`. A repost carries the reposted
    status as a quote, since readers see both."""
    ident = str(status.get("id") or status.get("mid"))
    text = html_to_text(html)
    media = _pic_ids(status)
    original = status.get("retweeted_status")
    if isinstance(original, dict):
        text = "\n\n".join(part for part in (text, _quote(original)) if part)
        media += _pic_ids(original)
    return Post(
        id=ident,
        url=f"https://m.weibo.cn/detail/{ident}",
        text=text,
        author=_author(status),
        created_at=weibo_time(str(status.get("created_at") or "")),
        media=media,
        metrics=_metrics(status),
        platform_edited=_edited(status),
    )


def _quote(original: Mapping[str, Any]) -> str:
    """`//@name: text`, Weibo's own notation for a repost chain. A deleted original keeps its
    place with `user: null` and a notice as text."""
    embedded = (original.get("longText") or {}).get("longTextContent")
    text = html_to_text(str(embedded or original.get("text") or ""))
    author = _author(original)
    return f"//@{author}: {text}" if author else f"//{text}"


def _author(status: Mapping[str, Any]) -> str:
    user = status.get("user")
    return str(user.get("screen_name") or "") if isinstance(user, dict) else ""


def _pic_ids(status: Mapping[str, Any]) -> tuple[str, ...]:
    """Picture ids: `pic_ids` (statuses/show), else the `pid`s of `pics` (timeline cards)."""
    ids = status.get("pic_ids")
    if isinstance(ids, list):
        return tuple(str(p) for p in ids if p)
    pics = status.get("pics")
    if isinstance(pics, list):
        return tuple(str(p["pid"]) for p in pics if isinstance(p, dict) and p.get("pid"))
    return ()


def _edited(status: Mapping[str, Any]) -> bool:
    config = status.get("edit_config")
    flagged = isinstance(config, dict) and config.get("edited") is True
    count = _count(status.get("edit_count"))
    return flagged or (count is not None and count > 0)


def _count(value: object) -> int | None:
    """An int counter; display strings such as "100万+" are not counts."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _metrics(status: Mapping[str, Any]) -> Mapping[str, int]:
    counts = {key: n for key in METRICS if (n := _count(status.get(key))) is not None}
    return MappingProxyType(counts)


def weibo_time(value: str) -> datetime | None:
    """Weibo's "Sun Jun 01 10:12:31 +0800 2025" as aware UTC, parsed without the locale.
    Relative times ("3分钟前") are not absolute and give None."""
    match = _WEIBO_TIME.fullmatch(value.strip())
    if match is None:
        return parse_time(value) if _looks_iso(value) else None
    month, day, hour, minute, second, sign, off_h, off_m, year = match.groups()
    if month not in _MONTHS:
        return None
    offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (-1 if sign == "-" else 1)
    try:
        when = datetime(
            int(year),
            _MONTHS[month],
            int(day),
            int(hour),
            int(minute),
            int(second),
            tzinfo=timezone(offset),
        )
    except ValueError:
        return None
    return when.astimezone(UTC)


def _looks_iso(value: str) -> bool:
    return bool(re.match(r"\d{4}-\d{2}-\d{2}", value.strip()))
