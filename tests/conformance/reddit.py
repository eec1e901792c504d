"""Reddit recordings (praw-dev/praw cassettes, issue quotes) and what the adapter makes of them."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conformance import Case, Platform
from watcher.model import Blocked, Gone, Page, RateLimited, Seen

SUB = "https://www.reddit.com/r/<TEST_SUBREDDIT>"  # PRAW scrubs the subreddit name in bodies
WATCH = "https://www.reddit.com/r/test"  # ... but a watched URL must be a real one

PLATFORM = Platform(
    source="reddit",
    cases=(
        Case(
            "comments_edited.json",
            f"{WATCH}/comments/mcqjl8/test/",
            "/comments/mcqjl8/.json",
            Seen,
            {
                "id": "mcqjl8",
                "url": f"{SUB}/comments/mcqjl8/test/",
                "title": "test",
                "author": "u/<USERNAME>",
                "created_at": datetime(2021, 3, 25, 5, 7, 34, tzinfo=UTC),
                "edited_at": datetime(2022, 11, 25, 20, 23, 47, tzinfo=UTC),
                "platform_edited": True,
                "media": ("xt5qkus1p52a1", "g86xbcq1p52a1", "76oa3ut1p52a1"),
                # media_metadata, in media order: an image's source, a GIF, a video's playlist.
                "media_urls": (
                    "https://preview.redd.it/xt5qkus1p52a1.png?width=128&format=png&auto=webp"
                    "&s=077fd1c5d028d9d811067d847f5bd0ced75ecfcc",
                    "https://i.redd.it/g86xbcq1p52a1.gif",
                    "https://v.redd.it/link/mcqjl8/asset/76oa3ut1p52a1/HLSPlaylist.m3u8?a=1671999960"
                    "%2CMDg0N2FhNGYzYTE4Y2VkMmMzNDJlNDc0MjQwZTdhZTU3NTRkY2Q1NDdmZGU4ZTBmMmM4NjFkZDNi"
                    "NGU3ZjU4NA%3D%3D&v=1&f=sd",
                ),
                "metrics": {"score": 1, "ups": 1, "num_comments": 2},
            },
        ),
        Case(
            # Removed by Reddit's filters: the author's own (recording) session still sees the
            # text, everyone else gets [removed]; removed_by_category says so for both.
            "comments.json",
            "https://redd.it/1kh35wk",
            "/comments/1kh35wk/.json",
            Gone,
            {"reason": "Reddit: t3_1kh35wk removed_by_category=reddit", "removed": True},
        ),
        Case(
            "comments_deleted.json",
            f"{WATCH}/comments/4b1tfm/a_test_from_prawcore/",
            "/comments/4b1tfm/.json",
            Gone,
            {"reason": "Reddit: t3_4b1tfm is [deleted] by its author", "removed": False},
        ),
        Case(
            "info_deleted_comment.json",
            "https://www.reddit.com/r/test/comments/52o2fl/_/d7ltvl0/",
            "/api/info.json?id=t1_d7ltvl0&raw_json=1",
            Gone,
            {"reason": "Reddit: t1_d7ltvl0 is [deleted] by its author", "removed": False},
        ),
        Case(
            # Recorded on /r/<sub>/about/sticky; Reddit's generic JSON 404, which an unknown
            # /comments/<id> also answers (README). Deleted posts stay 200 with [deleted].
            "not_found_404.json",
            "https://www.reddit.com/comments/zzzzzzz",
            "/comments/zzzzzzz/.json",
            Gone,
            {"reason": "HTTP 404 from Reddit: Not Found", "removed": False},
        ),
        Case(
            # A bare 403 (no "reason" such as private/quarantined) is about our access.
            "forbidden_403.json",
            f"{WATCH}/comments/mcqjl8/test/",
            "/comments/mcqjl8/.json",
            Blocked,
            {"reason": "HTTP 403 from Reddit: Forbidden"},
        ),
        Case(
            "blocked_403.html",
            "https://old.reddit.com/r/funny/comments/abc123/x/",
            "/comments/abc123/.json",
            Blocked,
        ),
        Case(
            "rate_limited_429.json",
            "https://redd.it/abc123",
            "/comments/abc123/.json",
            RateLimited,
            {"retry_after": None},  # the quote recorded no headers
        ),
        Case(
            # Recorded with sort=top; its three posts happen to be newest first as well. The
            # [removed] one (ghgg1) stays listed: deletion is its direct check's to decide.
            "user_submitted_with_removed.json",
            "https://old.reddit.com/u/spladug/",
            "/user/spladug/submitted.json?raw_json=1&sort=new",
            Page,
            {"ids": ("2bidk7", "27eh97", "ghgg1"), "account": "u/spladug"},
            timeline=True,
        ),
        Case(
            # Trimmed to three comments (t1) of an AMA thread; each listed as the Post a direct
            # check of its permalink gives.
            "user_overview.json",
            "https://www.reddit.com/user/spez/overview",
            "/user/spez/overview.json?raw_json=1&sort=new",
            Page,
            {"ids": ("optfyql", "optcg0g", "oprhecj"), "account": "u/spez"},
            timeline=True,
        ),
    ),
    not_yet_used={},
)
