"""Telegram recordings (embed widget pages, tchan fragments, a channel preview page) and what
the adapter makes of them.

The tchan fragments were copied from the t.me/s/ channel page; the embed widget renders a
message with the same `tgme_widget_message` markup, so they stand in for the widget's answer.
The channel page (`/s/<channel>`) is read as an account's timeline.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conformance import Case, MediaUrls, Platform
from watcher.model import Gone, Page, Seen

_SIGNED_TEXT = "Hello! Signed and edited message"
_CDN = "https://cdn4.telegram-cdn.org/file/"
# Where the page's two media can be seen: the video's file, the photo's background image.
_VIDEO = (
    f"{_CDN}a325394411.mp4?token=Hb8_B3_UgUv596y3aHQ5WGqvxwLQAm1vZx1p-sDHpb9fCmcZ_W-y3aAW3qCRiC3j"
    "G6A0xN8cN6QQjAoistB9V7HR6VtfzfFaYjgLCIJWeBjsYYzA6yWi4Lng9hKD5Kym0C6x5rEQ2BuPy9kQLiQeHUitRF"
    "R6ELi7JQY-pZufY0nUVkWBYq39fo4QfcrqDc3U2COyJ3lU8f7mRARcPPh8-CQZu7GAnYUSxpB2ZrysHRl59IHPm7dBVu"
    "uJRtY2xD2EJoz2ThoU1hRzJJY0zE89ux863RcykqWQzZivYdvjCPlBz3vElU5E6WrqYRgBvBnSv5A4jFA_Axc3FEFgSO"
    "zelw"
)
_PHOTO = (
    f"{_CDN}J1iJAZDcKYQpr7YXRxAEhL4-7Yk4vRPgqwRldDOOpGANdxiiRq2qbxMmsUPRIseeHfs7DojD338-jUpIdLyf3w"
    "UafKiEtzO0R19Sv_Fu4MmJRfSemTjHwTFsATvTCwTZoJ_0WPiLISF8LoyZ1f8YbyoRiuhOfUvoQ3MxCA_OZmjGl0FSxXV"
    "sxkiREHSbq6qcp2MEYyJkJLPELv1LAqLvlFUmqiCfxxqfFr4nptfO3v2clUvOMwAUqfjXtNVG_EdlLcdA_jTpAGT3rpOr"
    "hGScAZuxEGi4NVuoVJBQriZheLJIWbuCuEfpBD3xR9rkX-q77RhhmcVyyH5XpOcqGlH5wg.jpg"
)

PLATFORM = Platform(
    source="telegram",
    cases=(
        Case(
            "post_embed.html",
            "https://t.me/K1inUSA/3",
            "/K1inUSA/3?embed=1",
            Seen,
            {
                "id": "K1inUSA/3",  # 2018 markup: no data-post, so from the URL
                "url": "https://t.me/K1inUSA/3",
                "author": "K1 in USA",
                "created_at": datetime(2015, 9, 29, 5, 35, 28, tzinfo=UTC),
                "platform_edited": False,
                "media": (),
                "media_urls": (),
                "metrics": {"views": 2500},
            },
        ),
        Case(
            "post_embed_notfound_reconstructed.html",
            "https://t.me/K1inUSA/999",
            "/K1inUSA/999?embed=1",
            Gone,
            {"reason": "Telegram: Post not found (K1inUSA/999)", "removed": False},
        ),
        Case(
            "message_edited_snippet.html",
            "https://t.me/tchantest/24",
            "/tchantest/24?embed=1",
            Seen,
            {
                "id": "tchantest/24",
                "text": "This is a message with a link\n\nhttps://brasil.io/",
                "author": "tchan's test channel 👍",
                "created_at": datetime(2023, 2, 24, 7, 48, 2, tzinfo=UTC),
                "platform_edited": True,
                "edited_at": None,
                "metrics": {"views": 2},
            },
        ),
        Case(
            "message_signed_edited_snippet.html",
            "https://t.me/s/tchantest/5",
            "/tchantest/5?embed=1",
            Seen,
            {
                "text": _SIGNED_TEXT,
                "author": "tchan's test channel 👍 (Álvaro Justen)",
                "platform_edited": True,
            },
        ),
        Case(
            "message_signed_not_edited_snippet.html",
            "https://telegram.me/tchantest/79",
            "/tchantest/79?embed=1",
            Seen,
            {
                "text": "Signed and not edited",
                "author": "tchan's test channel 👍 (Álvaro Justen)",
                "platform_edited": False,
            },
        ),
        Case(
            "channel_s.html",
            "https://t.me/s/topwar_official",
            "/s/topwar_official",  # recorded with ?before=71009; the adapter reads the newest
            Page,
            {
                # The page lists oldest first (70989, 70990, 71008 once trimmed): newest first here.
                "ids": ("topwar_official/71008", "topwar_official/70990", "topwar_official/70989"),
                "account": "@topwar_official",
                "posts": MediaUrls(
                    {"topwar_official/71008": (_VIDEO,), "topwar_official/70989": (_PHOTO,)}
                ),
            },
            timeline=True,
        ),
        Case(
            "channel_s_no_posts_snippet.html",
            "https://t.me/tchantest",
            "/s/tchantest",
            Page,
            {"ids": (), "account": "@tchantest"},  # "No posts found" is an empty page, no error
            timeline=True,
        ),
    ),
    not_yet_used={},
)
