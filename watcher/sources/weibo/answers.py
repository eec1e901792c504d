"""What a Weibo answer means. Weibo answers HTTP 200 for almost everything and says what
happened in the body: `ok: 1` with the answer in `data`, `ok: 0` with an `errno`/`msg`
(deleted, hidden, removed), `ok: -100` for the visitor/login wall. Only the messages that say
the post no longer exists count as gone."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from watcher.errors import BadBody
from watcher.model import Blocked, Failed, Gone, Hidden, Observation
from watcher.sources.common import UNPROVEN, Response

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


def read_answer(resp: Response) -> dict[str, Any] | Observation:
    """The JSON body of an `ok: 1` answer, or the observation for anything else."""
    if _login_page(resp.url):
        return Blocked(f"redirected to a login page: {resp.url}")
    if resp.status != 200:
        # Weibo says "gone" in the body, never with a 404: no status alone is a gone signal.
        return UNPROVEN.read(resp) or Failed(f"HTTP {resp.status} from {resp.url}")
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
