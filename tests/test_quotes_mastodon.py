"""Issue 14 on Mastodon (4.5 quote posts): a status whose `quote` turns deleted, revoked,
blocked and accepted again. Each `quote.state` is the quoted status's presence and one event,
never the quoting status's text, and the quoting status is never deleted by it. Our own
payloads, shaped as tests/fixtures/mastodon/status_plain.json and the `Quote` entity."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliWatch
from tests.server import FakeSite
from watcher.model import QuotedPresence
from watcher.sources.mastodon.quoted import state_presence

ID = "114000000000000002"
URL = f"https://social.example/@bob/{ID}"
PATH = f"/api/v1/statuses/{ID}"
QUOTED_URL = "https://social.example/@ann/114000000000000001"
QUOTED: dict[str, Any] = {
    "id": "114000000000000001",
    "uri": "https://social.example/users/ann/statuses/114000000000000001",
    "url": QUOTED_URL,
    "created_at": "2025-06-01T10:00:00.000Z",
    "content": "<p>The original, in its words</p>",
    "spoiler_text": "",
    "account": {"id": "1", "username": "ann", "acct": "ann"},
    "media_attachments": [],
}
STATUS: dict[str, Any] = {
    "id": ID,
    "uri": f"https://social.example/users/bob/statuses/{ID}",
    "url": URL,
    "created_at": "2025-06-02T10:00:00.000Z",
    "edited_at": None,
    "content": (
        f'<p class="quote-inline">RE: <a href="{QUOTED_URL}">{QUOTED_URL}</a></p>'
        "<p>Worth reading</p>"
    ),
    "spoiler_text": "",
    "reblog": None,
    "account": {"id": "2", "username": "bob", "acct": "bob"},
    "media_attachments": [],
    "replies_count": 0,
    "reblogs_count": 0,
    "favourites_count": 1,
    "quote": {"state": "accepted", "quoted_status": QUOTED},
}


def answer(state: str = "accepted") -> dict[str, Any]:
    status = copy.deepcopy(STATUS)
    if state != "accepted":
        status["quote"] = {"state": state, "quoted_status": None}
    return status


@pytest.mark.parametrize(
    ("state", "presence"),
    [
        ("accepted", QuotedPresence.VISIBLE),
        ("deleted", QuotedPresence.DELETED),
        ("rejected", QuotedPresence.DETACHED),
        ("revoked", QuotedPresence.DETACHED),
        ("unauthorized", QuotedPresence.HIDDEN),
        ("blocked_account", QuotedPresence.HIDDEN),
        ("blocked_domain", QuotedPresence.HIDDEN),
        ("muted_account", QuotedPresence.HIDDEN),
        ("pending", QuotedPresence.UNKNOWN),
        ("something_new", QuotedPresence.UNKNOWN),  # not guessed
    ],
)
def test_each_state_is_a_presence(state: str, presence: QuotedPresence) -> None:
    assert state_presence(state) is presence


@pytest.fixture
def quote(site: FakeSite, tmp_path: Path) -> CliWatch:
    return CliWatch(site, tmp_path, "mastodon", URL)


def test_each_state_is_one_event_of_the_quoted_status_never_an_edit(quote: CliWatch) -> None:
    code, first = quote.check(PATH, answer())
    assert (code, first["status"]) == (0, "new")
    assert first["post"]["quoted"] == {
        "id": QUOTED_URL,
        "url": QUOTED_URL,
        "author": "ann@social.example",
        "presence": "visible",
        "text": "The original, in its words",
        "notice": None,
    }
    steps = [
        ("deleted", "quoted_deleted", "deleted"),
        ("revoked", "quoted_hidden", "detached"),
        ("blocked_account", "quoted_hidden", "hidden"),
        ("accepted", "quoted_restored", "visible"),
    ]
    text = first["post"]["text"]
    for state, kind, presence in steps:
        before = len(quote.kinds())
        code, result = quote.check(PATH, answer(state))
        assert (code, result["status"]) == (1, "unchanged"), kind
        assert result["post"]["text"] == text
        assert result["post"]["quoted"]["presence"] == presence
        assert result["post"]["quoted"]["id"] == QUOTED_URL
        assert quote.kinds()[before:] == [kind]
    kinds = quote.kinds()
    assert "edited" not in kinds and "deleted" not in kinds


def test_a_pending_quote_is_stored_without_an_event(quote: CliWatch) -> None:
    quote.check(PATH, answer())
    code, result = quote.check(PATH, answer("pending"))
    assert code == 0
    assert (result["post"]["quoted"]["presence"], result["post"]["quoted"]["notice"]) == (
        "unknown",
        "pending",
    )
    assert quote.kinds() == ["new"]
