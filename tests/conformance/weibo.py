"""Weibo recordings (m.weibo.cn mobile API, gottaegbert/weiboAPI 2019 captures plus three
reconstructed refusals) and what the adapter makes of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tests.conformance import Case, MediaUrls, Platform
from watcher.model import Blocked, Gone, Page, Quoted, Seen

UID = "1669879400"
PROFILE = f"/api/container/getIndex?type=uid&value={UID}"
LONG = "4383487819465288"


@dataclass(frozen=True)
class Lines:
    """Equal to a text whose lines start with these, in order (the recording's long text is
    runs of emoji between headings, too long to spell out here)."""

    starts: tuple[str, ...]

    def __eq__(self, other: object) -> bool:
        lines = other.split("\n") if isinstance(other, str) else []
        return len(lines) == len(self.starts) and all(
            line.startswith(start) for line, start in zip(lines, self.starts, strict=True)
        )

    __hash__ = None  # type: ignore[assignment]


# The recording's longTextContent as plain text: each <br /> a line break, nothing cut at 全文.
LONG_TEXT = Lines(("😄😆😊", "Nature", "☀️☔️", "Objects", "🎍💝", "Places", "🏠🏡", "Symbols", "1️⃣"))

PLATFORM = Platform(
    source="weibo",
    cases=(
        Case(
            # A repost ("转发微博") of a long post whose full text is embedded in `longText`.
            "statuses_show.json",
            "https://m.weibo.cn/status/HyZVegYAP",
            "/statuses/show?id=HyZVegYAP",
            Seen,
            {
                "id": "4383411844046171",
                "url": "https://m.weibo.cn/detail/4383411844046171",
                "author": "九月九的晴天",
                "title": "",
                "created_at": datetime(2019, 6, 15, 3, 44, 46, tzinfo=UTC),
                "edited_at": None,
                "platform_edited": False,
                "media": (),
                "media_urls": (),
                "metrics": {"reposts_count": 0, "comments_count": 0, "attitudes_count": 0},
                # The repost's own text; the original is its quoted post (issue 14), shown.
                "text": "转发微博",
                "quoted": Quoted(
                    "4383404751066167", "https://m.weibo.cn/detail/4383404751066167", "upupming"
                ),
            },
        ),
        Case(
            "statuses_show_deleted_reconstructed.json",
            "https://weibo.com/1749127163/PvXr2dQ8L",
            "/statuses/show?id=PvXr2dQ8L",
            Gone,
            {"reason": "Weibo ok:0 errno:20101 该微博不存在", "removed": False},
        ),
        Case(
            # Recorded for getIndex; statuses/show sits behind the same visitor wall.
            "visitor_login_required_reconstructed.json",
            "https://m.weibo.cn/detail/4383411844046171",
            "/statuses/show?id=4383411844046171",
            Blocked,
            {
                "reason": "login required (https://passport.weibo.cn/signin/welcome"
                "?entry=mweibo&r=https%3A%2F%2Fm.weibo.cn%2F)"
            },
        ),
        Case(
            # Page 2 of the timeline, trimmed to 3 cards; served where page 1 is asked for.
            # Its times are relative ("06-14"): they come from the mids.
            "getIndex.json",
            f"https://m.weibo.cn/u/{UID}",
            f"{PROFILE}&containerid=107603{UID}",
            Page,
            {
                "ids": ("4383183661430868", "4383180406740606", "4382054705416396"),
                "account": "Dear-迪丽热巴",
                # Each picture's `large` variant, in pid order; a repost shows the original's.
                "posts": MediaUrls(
                    {
                        "4383183661430868": (
                            "https://wx3.sinaimg.cn/large/63885668gy1g40ypljwzvj20o70v379u.jpg",
                            "https://wx4.sinaimg.cn/large/63885668gy1g40ysojhntj22b52b51kz.jpg",
                            "https://wx1.sinaimg.cn/large/63885668gy1g40ypkrjlaj20v8168gzf.jpg",
                        ),
                        "4383180406740606": (
                            "https://wx3.sinaimg.cn/large/77a59b63ly1g40hckmc2fj20rs22v4qp.jpg",
                        ),
                    }
                ),
            },
            extra={PROFILE: "getIndex_userinfo.json"},
            timeline=True,
        ),
        Case(
            # Recorded for the profile container (100505<uid>); we ask by type=uid.
            "getIndex_no_content_reconstructed.json",
            f"https://weibo.com/u/{UID}",
            PROFILE,
            Gone,
            {"reason": "Weibo ok:0 errno:- 这里还没有内容", "removed": False},
            timeline=True,
        ),
        Case(
            "visitor_login_required_reconstructed.json",
            f"https://m.weibo.cn/profile/{UID}",
            PROFILE,
            Blocked,
            {
                "reason": "login required (https://passport.weibo.cn/signin/welcome"
                "?entry=mweibo&r=https%3A%2F%2Fm.weibo.cn%2F)"
            },
            timeline=True,
        ),
        Case(
            # The long-text answer for an `isLongText` status. The statuses/show answer that
            # led to it was not recorded, so show is answered with our own payload (its text
            # cut at 全文); the whole text can only have come from the recording.
            "statuses_extend.json",
            f"https://m.weibo.cn/detail/{LONG}",
            f"/statuses/extend?id={LONG}",
            Seen,
            {"id": LONG, "author": "表情测试", "text": LONG_TEXT},
            own={f"/statuses/show?id={LONG}": f"show_long_{LONG}.json"},
        ),
    ),
    not_yet_used={},
)
