"""Why a post is gone, hidden, blocked or unreadable, in plain words for a chat message.

The refusal tables of `watcher.sources` write reasons for logs and evidence: "HTTP 404 from
https://api…/statuses/1", "HTTP 404: Record not found", "Weibo ok:0 errno:20101 微博不存在".
A reader on a phone wants "Mastodon answered 404 Not Found". Only these shapes are reworded;
any other reason is already a sentence and is shown as it is. The stored event keeps the
original (it is evidence, and `watcher history` shows it).
"""

from __future__ import annotations

import re
from http import HTTPStatus

# "HTTP 404", then the status phrase, "from <URL or name>" and ": <what the body said>", each
# optional ("HTTP 429 Too Many Requests", "HTTP 404 from Reddit: the subreddit is banned").
_HTTP = re.compile(
    r"HTTP (?P<code>[1-5]\d\d)(?: (?P<phrase>[A-Z][A-Za-z' -]*?))?"
    r"(?: from (?P<source>\S+?))?(?::\s+(?P<said>.+))?",
    re.DOTALL,
)
_WEIBO = re.compile(r"Weibo ok:(?P<ok>\S+) errno:(?P<errno>\S+)(?: (?P<said>.+))?", re.DOTALL)
# What an error body says that only repeats the status.
_EMPTY_WORDS = {"", "no message", "error", "not found", "record not found", "page not found"}
# Who answered, when it is a site rather than a platform's API.
_SITES = {"web": "the page", "json": "the endpoint", "feed": "the feed"}


def plain_reason(detail: str, platform: str, platform_name: str) -> str:
    """`detail` in plain words where it has a known shape; else `detail` itself."""
    found = _HTTP.fullmatch(detail.strip())
    if found:
        return _http(found, _SITES.get(platform.lower(), platform_name))
    found = _WEIBO.fullmatch(detail.strip())
    if found:
        errno = found["errno"] if found["errno"] not in ("", "-") else ""
        said = (found["said"] or "").strip()
        code = f" (error {errno})" if errno else ""
        return f"Weibo said “{said}”{code}" if said else f"Weibo refused the post{code}"
    return detail


def _http(found: re.Match[str], who: str) -> str:
    code = int(found["code"])
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:  # 432, 499, ...: a status the standard does not name
        phrase = found["phrase"] or ""
    answered = f"{who} answered {code} {phrase}".rstrip()
    said = " ".join((found["said"] or "").split())
    if said.lower().strip(" .!") in _EMPTY_WORDS | {phrase.lower()}:
        return answered
    return f"{answered}: {said}"
