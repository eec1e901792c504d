"""Mastodon recordings (halcy/Mastodon.py cassettes) and what the adapter makes of them."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conformance import Case, Platform
from watcher.model import Gone, Page, RateLimited, Seen

MASTODON_ORIGIN = "http://localhost:3000"  # where halcy/Mastodon.py recorded its cassettes
TEST_ACCOUNT = "117020565966271181"  # mastodonpy_test

PLATFORM = Platform(
    source="mastodon",
    cases=(
        Case(
            "status.json",
            f"{MASTODON_ORIGIN}/@mastodonpy_test/117020583223442465",
            "/api/v1/statuses/117020583223442465",
            Seen,
            {
                "id": "117020583223442465",
                "url": f"{MASTODON_ORIGIN}/@mastodonpy_test/117020583223442465",
                "text": "Toot!",
                "title": "",
                "author": "@mastodonpy_test@localhost",
                "created_at": datetime(2026, 8, 1, 13, 53, 15, 378000, tzinfo=UTC),
                "edited_at": None,
                "platform_edited": False,
                "media": (),
                "media_urls": (),
            },
        ),
        Case(
            "status_edited.json",
            f"{MASTODON_ORIGIN}/@mastodonpy_test_2/117020586180926938",
            "/api/v1/statuses/117020586180926938",
            Seen,
            {
                "text": "the best editor? why, of course it is the KDE Advanced Text Editor, Kate",
                "author": "@mastodonpy_test_2@localhost",
                "edited_at": datetime(2026, 8, 1, 13, 54, 0, 695000, tzinfo=UTC),
                "platform_edited": True,
            },
        ),
        Case(
            "status_deleted.json",
            f"{MASTODON_ORIGIN}/@mastodonpy_test/0",
            "/api/v1/statuses/0",
            Gone,
            {"reason": "HTTP 404: Not Found", "removed": False},
        ),
        Case(
            # Recorded for a DELETE; a GET of a missing id may answer with the same body.
            "status_delete_again_404.json",
            f"{MASTODON_ORIGIN}/@mastodonpy_test/117020606379845323",
            "/api/v1/statuses/117020606379845323",
            Gone,
            {"reason": "HTTP 404: Record not found"},
        ),
        Case(
            "rate_limited_429_reconstructed.json",
            f"{MASTODON_ORIGIN}/web/statuses/117020583223442465",
            "/api/v1/statuses/117020583223442465",
            RateLimited,
            # X-RateLimit-Reset is a placeholder in the manifest, so it is not sent.
            {"reason": "HTTP 429: Too many requests", "retry_after": None},
        ),
        Case(
            # Recorded with limit=5; we ask for 20 without boosts, so it is served by path.
            "account_statuses.json",
            f"{MASTODON_ORIGIN}/@mastodonpy_test",
            f"/api/v1/accounts/{TEST_ACCOUNT}/statuses",
            Page,
            {
                "ids": (
                    "117020580518794573",
                    "117020580511453871",
                    "117020580503743669",
                    "117020580496489811",
                    "117020580489281910",
                ),
                "account": "@mastodonpy_test@localhost",
            },
            extra={"/api/v1/accounts/lookup?acct=mastodonpy_test": "account_lookup.json"},
            timeline=True,
        ),
        Case(
            "account_lookup_not_found.json",
            "@kljadklajsdkljlkjlkjlkjasdasd@localhost:3000",
            "/api/v1/accounts/lookup?acct=kljadklajsdkljlkjlkjlkjasdasd",
            Gone,
            {"reason": "HTTP 404: Record not found", "removed": False},
            timeline=True,
        ),
    ),
    not_yet_used={},
    used_by={
        "status_history.json": (
            "tests/test_source_mastodon.py::test_recorded_edit_history_lists_every_version"
        ),
        "status_history_unedited.json": (
            "tests/test_source_mastodon.py::"
            "test_recorded_history_of_an_unedited_status_is_its_one_version"
        ),
        "status_source.json": (
            "tests/test_source_mastodon.py::test_status_text_equals_the_authors_own_source"
        ),
    },
)
