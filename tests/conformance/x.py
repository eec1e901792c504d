"""X recordings (syndication `tweet-result` bodies from react-tweet forks, reveddit and the emusks
docs, reconstructed edits and refusals, FxTwitter v1 answers rebuilt from FxEmbed's source) and
what the adapter makes of them. Refusals whose recorded URL has a placeholder id are served for
an id of our choosing (with its token); FxTwitter answers are served where the adapter asks to
confirm a doubtful syndication answer."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conformance import Case, Platform
from watcher.model import Failed, Gone, Hidden, Seen
from watcher.sources.x import syndication_token


def result(post_id: str) -> str:
    """The syndication request for `post_id`, as the adapter sends it."""
    return f"/tweet-result?id={post_id}&lang=en&token={syndication_token(post_id)}"


def watch(post_id: str, user: str = "example") -> str:
    return f"https://x.com/{user}/status/{post_id}"


def fx(post_id: str) -> str:
    """The FxTwitter v1 request that confirms (or not) a doubtful answer."""
    return f"/status/{post_id}"


SCUBA = "2089067915303649684"
WYDEN = "1703436713362870723"
BUN = "2023357708301455483"
ORIGINAL = "2088958953911222272"  # the synthetic edited post: its first version
LATEST = "2088961471542198272"  # ... and the version its edit made
JACKIE = "1810173812761383143"  # the post fxtwitter_status.json shows
GONE = "1629307668568633344"  # an id for the placeholder refusals
EDITED = {"text": "Launch is scheduled for Wednesday at 10:00.", "platform_edited": True}
EDIT_TIMES = {
    "created_at": datetime(2026, 8, 16, 12, 0, tzinfo=UTC),  # from the first id's snowflake
    "edited_at": datetime(2026, 8, 16, 12, 10, tzinfo=UTC),
}
# The recordings' texts as a reader sees them: no media link, t.co links expanded.
SCUBA_TEXT = (
    "Kevin Hart reveals his biggest “flex” in life is his Purple Taco Bell Card granting him "
    "free food whenever he wants 😭\n\n"
    "“my biggest flex is coming to Taco Bell and using my purple card… watch their faces…”"
)
WYDEN_TEXT = (
    "Senator @RonWyden is doing an AMA on r/technology on Monday. I hope someone asks if he "
    "supports Reddit's shadow bans:\n\n"
    '"Reddit lets moderators shadow remove users\' comments. Do you support this practice?"\n\n'
    "https://reddit.com/r/technology/comments/16jlhj7/"
    "we_are_senator_ron_wyden_fight_for_the_future/…\n\n"
    "I'll be asleep at the time of the AMA. 1/2 🧵"
)
BARE = "tweet_result_tombstone_bare_reconstructed.json"
DOUBT = "X answered a tombstone without a reason"

PLATFORM = Platform(
    source="x",
    cases=(
        Case(
            # A video post; the media t.co link at the end of `text` is dropped, the video's
            # poster address stands for the media.
            "tweet_result.json",
            "https://twitter.com/scubaryan_/status/2089067915303649684/video/1?s=20",
            result(SCUBA),
            Seen,
            {
                "id": SCUBA,
                "url": f"https://x.com/scubaryan_/status/{SCUBA}",
                "title": "",
                "text": SCUBA_TEXT,
                "author": "@scubaryan_",
                "created_at": datetime(2026, 8, 16, 19, 12, 58, tzinfo=UTC),
                "edited_at": None,
                "platform_edited": False,
                "media": (
                    "https://pbs.twimg.com/amplify_video_thumb/2089067795774660609/img/"
                    "P_tqBcBMkRYwKFYd.jpg",
                ),
                # Where the video can be seen: its mp4 of the highest bitrate.
                "media_urls": (
                    "https://video.twimg.com/amplify_video/2089067795774660609/vid/avc1/848x720/"
                    "BxOIsEhfhpYtLWL_.mp4?tag=14",
                ),
                "metrics": {"likes": 745, "replies": 7},
            },
        ),
        Case(
            # 2023 shape: all four entity lists, even empty ones; a t.co link in the middle.
            "tweet_result_2023.json",
            f"https://x.com/rhaksw/status/{WYDEN}",
            result(WYDEN),
            Seen,
            {
                "text": WYDEN_TEXT,
                "author": "@rhaksw",
                "media": (),
                "media_urls": (),
                "metrics": {"likes": 0, "replies": 1},
                "platform_edited": False,
            },
        ),
        Case(
            # Empty entity lists sent as {} (early 2026).
            "tweet_result_entities_objects.json",
            f"https://www.x.com/jarredsumner/status/{BUN}/",
            result(BUN),
            Seen,
            {
                "id": BUN,
                "text": "Underdocumented: `bun build --compile` supports `--splitting —format=esm` "
                "Lazy load code embedded in your single-file executable to improve CLI start time",
                "author": "@jarredsumner",
                "created_at": datetime(2026, 2, 16, 11, 24, 4, tzinfo=UTC),
            },
        ),
        Case(
            # The newest version of an edited post, watched by its own id.
            "tweet_result_edited_reconstructed.json",
            watch(LATEST),
            result(LATEST),
            Seen,
            {"id": LATEST, "url": watch(LATEST), **EDITED, **EDIT_TIMES},
        ),
        Case(
            # The first version, watched before the edit: X still answers its old text (a stale
            # edit), so the adapter follows the chain to the newest version.
            "tweet_result_edited_stale_reconstructed.json",
            watch(ORIGINAL),
            result(ORIGINAL),
            Seen,
            {"id": LATEST, "url": watch(LATEST), **EDITED, **EDIT_TIMES},
            extra={result(LATEST): "tweet_result_edited_reconstructed.json"},
        ),
        Case(
            # The author's deletion is X's own word: no confirmation needed.
            "tweet_result_tombstone.json",
            watch(GONE),
            result(GONE),
            Gone,
            {"reason": "tombstone: This Post was deleted by the Post author.", "removed": False},
        ),
        Case(
            BARE,
            watch(GONE),
            result(GONE),
            Gone,
            {"reason": f"{DOUBT}; FxTwitter: NOT_FOUND", "removed": False},
            extra={fx(GONE): "fxtwitter_notfound_reconstructed.json"},
        ),
        Case(
            BARE,
            watch(GONE),
            result(GONE),
            Hidden,
            {"reason": f"{DOUBT}; FxTwitter: PRIVATE_TWEET (a protected account)"},
            extra={fx(GONE): "fxtwitter_private_reconstructed.json"},
        ),
        Case(
            BARE,
            watch(GONE),
            result(GONE),
            Failed,
            {"reason": f"{DOUBT}; FxTwitter could not confirm: HTTP 500 API_FAIL"},
            extra={fx(GONE): "fxtwitter_api_fail_reconstructed.json"},
        ),
        Case(
            # We always send a User-Agent; should FxTwitter still refuse us, nothing is known.
            BARE,
            watch(GONE),
            result(GONE),
            Failed,
            {
                "reason": f"{DOUBT}; FxTwitter could not confirm: HTTP 401 You must identify "
                "yourself with a User-Agent header in order to use the FxTwitter API. We "
                "recommend using a descripti..."
            },
            extra={fx(GONE): "fxtwitter_no_user_agent_reconstructed.json"},
        ),
        Case(
            # {} proves nothing; FxTwitter showing the post proves it is still there.
            "tweet_result_empty_reconstructed.json",
            watch(JACKIE, "JackieTheYeen"),
            result(JACKIE),
            Failed,
            {
                "reason": "X answered {} (a refused token, or no such post), but FxTwitter still "
                "shows the post"
            },
            extra={fx(JACKIE): "fxtwitter_status.json"},
        ),
        Case(
            "tweet_result_notfound_404_reconstructed.html",
            f"https://mobile.twitter.com/i/web/status/{GONE}",
            result(GONE),
            Gone,
            {"reason": "X answered HTTP 404; FxTwitter: NOT_FOUND"},
            extra={fx(GONE): "fxtwitter_notfound_reconstructed.json"},
        ),
        Case(
            # A post found gone is asked about once more, through v2: its reason tells the
            # platform's removal (a suspended account) from the author's deletion.
            "fxtwitter_v2_status_tombstone_reconstructed.json",
            watch(ORIGINAL),
            f"/2/status/{ORIGINAL}",
            Gone,
            {
                "reason": "X answered HTTP 404; FxTwitter: NOT_FOUND; "
                "v2: This post is from a suspended account",
                "removed": True,
            },
            extra={
                result(ORIGINAL): "tweet_result_notfound_404_reconstructed.html",
                fx(ORIGINAL): "fxtwitter_notfound_reconstructed.json",
            },
        ),
    ),
    not_yet_used={
        "oembed.json": (
            "oEmbed has no path in the adapter: its text is truncated HTML (t.co links, "
            "pic.twitter.com for media) without metrics or edit data, so it cannot stand in for "
            "syndication, and its only refusal, 404, cannot prove a deletion (see below)"
        ),
        "oembed_2023.json": "oEmbed, 2023 twitter.com shape: no oEmbed path (see oembed.json)",
        "oembed_missing_url_400.json": (
            "oEmbed's answer to a request without url=, which the adapter never makes"
        ),
        "oembed_notfound_404_reconstructed.html": (
            "oEmbed answers deleted, nonexistent and off-domain posts alike with 404 HTML (and "
            "protected ones untested), so it cannot confirm a deletion; FxTwitter's NOT_FOUND vs "
            "PRIVATE_TWEET can"
        ),
        "vxtwitter_status.json": (
            "vxTwitter as a second fallback was not built: its post has no edit data and its "
            "refusal (vxtwitter_notfound) cannot tell deleted from private"
        ),
        "vxtwitter_notfound_reconstructed.html": (
            "vxTwitter answers deleted, private and suspended posts with the same 200 HTML "
            "'Failed to scan your link' page, so it can neither confirm a deletion nor tell a "
            "protected account from one; FxTwitter can"
        ),
    },
    used_by={"token_vectors.json": "tests/test_source_x.py::test_token_vectors"},
)
