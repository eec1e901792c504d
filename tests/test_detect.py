"""Every transition of the detection state machine, as a table of observation sequences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watcher.detect import detect, format_duration
from watcher.model import (
    Blocked,
    Broken,
    EventKind,
    Failed,
    Gone,
    Hidden,
    Observation,
    Post,
    Presence,
    RateLimited,
    Seen,
    Status,
    WatchState,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def seen(text: str, **metrics: int) -> Seen:
    return Seen(Post(id="1", url="u", text=text, metrics=metrics))


A, B = seen("version A"), seen("version B")
GONE = Gone("HTTP 404")
REMOVED = Gone("removed by moderators", removed=True)
FAIL, TIMEOUT = Failed("HTTP 503"), Failed("timed out")
BLOCK, LIMIT = Blocked("login wall"), RateLimited("HTTP 429", 30)
BROKEN, HIDDEN = Broken("selector matched nothing"), Hidden("private account")


def run(observations: list[Observation], confirm: int = 2) -> list[tuple[str, list[str]]]:
    """Feed observations one minute apart; return (status, event kinds) for each check."""
    state, results = WatchState(), []
    for i, obs in enumerate(observations):
        outcome = detect(state, obs, T0 + timedelta(minutes=i), confirm)
        state = outcome.state
        results.append((outcome.status.value, [e.kind.value for e in outcome.events]))
    return results


CASES = {
    "first sight is new": ([A], [("new", ["new"])]),
    "same text is unchanged": ([A, A], [("new", ["new"]), ("unchanged", [])]),
    "counters are not content": (
        [seen("x", likes=1), seen("x", likes=900)],
        [("new", ["new"]), ("unchanged", [])],
    ),
    "a changed text is an edit": ([A, B], [("new", ["new"]), ("edited", ["edited"])]),
    "A → B → A is two edits": (
        [A, B, A],
        [("new", ["new"]), ("edited", ["edited"]), ("edited", ["edited"])],
    ),
    "one gone signal is not a deletion": (
        [A, GONE],
        [("new", ["new"]), ("unconfirmed", [])],
    ),
    "two gone signals confirm a deletion": (
        [A, GONE, GONE],
        [("new", ["new"]), ("unconfirmed", []), ("deleted", ["deleted"])],
    ),
    "a deletion is announced once": (
        [A, GONE, GONE, GONE],
        [("new", ["new"]), ("unconfirmed", []), ("deleted", ["deleted"]), ("deleted", [])],
    ),
    "gone then visible resets the count": (
        [A, GONE, A, GONE],
        [("new", ["new"]), ("unconfirmed", []), ("unchanged", []), ("unconfirmed", [])],
    ),
    "failures between gone signals neither confirm nor reset": (
        [A, GONE, FAIL, TIMEOUT, GONE],
        [
            ("new", ["new"]),
            ("unconfirmed", []),
            ("failed", []),
            ("failed", []),
            ("deleted", ["deleted"]),
        ],
    ),
    "a 503 burst and timeouts are never a deletion": (
        [A, FAIL, FAIL, TIMEOUT, TIMEOUT, FAIL],
        [("new", ["new"])] + [("failed", [])] * 5,
    ),
    "429 is rate limited, never a deletion": (
        [A, LIMIT, LIMIT],
        [("new", ["new"]), ("rate_limited", []), ("rate_limited", [])],
    ),
    "login wall alerts once as blocked": (
        [A, BLOCK, BLOCK, A],
        [("new", ["new"]), ("blocked", ["blocked"]), ("blocked", []), ("unchanged", [])],
    ),
    "blocked again after an answer alerts again": (
        [A, BLOCK, A, BLOCK],
        [("new", ["new"]), ("blocked", ["blocked"]), ("unchanged", []), ("blocked", ["blocked"])],
    ),
    "a selector that stops matching is broken, not deleted": (
        [A, BROKEN, BROKEN],
        [("new", ["new"]), ("broken", ["broken"]), ("broken", [])],
    ),
    "hidden (privacy) is its own status": (
        [A, HIDDEN, GONE],
        [("new", ["new"]), ("hidden", ["hidden"]), ("unconfirmed", [])],
    ),
    "deleted then visible is restored": (
        [A, GONE, GONE, A],
        [
            ("new", ["new"]),
            ("unconfirmed", []),
            ("deleted", ["deleted"]),
            ("restored", ["restored"]),
        ],
    ),
    "restored with other text is also an edit": (
        [A, GONE, GONE, B],
        [
            ("new", ["new"]),
            ("unconfirmed", []),
            ("deleted", ["deleted"]),
            ("restored", ["restored", "edited"]),
        ],
    ),
    "failures while deleted keep it deleted": (
        [A, GONE, GONE, FAIL, GONE],
        [
            ("new", ["new"]),
            ("unconfirmed", []),
            ("deleted", ["deleted"]),
            ("failed", []),
            ("deleted", []),
        ],
    ),
    "removal by the platform is its own kind": (
        [A, REMOVED, REMOVED],
        [("new", ["new"]), ("unconfirmed", []), ("removed", ["removed"])],
    ),
    "gone before ever seen claims nothing": (
        [GONE, GONE, A],
        [("failed", []), ("failed", []), ("new", ["new"])],
    ),
    "failure before first sight": ([FAIL, A], [("failed", []), ("new", ["new"])]),
}


@pytest.mark.parametrize("observations,expected", CASES.values(), ids=CASES.keys())
def test_transitions(observations: list[Observation], expected: list[tuple[str, list[str]]]):
    assert run(observations) == expected


def test_confirm_count_is_configurable():
    assert run([A, GONE, GONE, GONE], confirm=3)[-2:] == [
        ("unconfirmed", []),
        ("deleted", ["deleted"]),
    ]
    assert run([A, GONE], confirm=1)[-1] == ("deleted", ["deleted"])


def test_only_changes_store_a_revision():
    first = detect(WatchState(), A, T0)
    assert first.store_revision
    assert not detect(first.state, A, T0).store_revision
    assert detect(first.state, B, T0).store_revision
    assert not detect(first.state, GONE, T0).store_revision


def test_restored_says_how_long_it_was_gone():
    state = detect(WatchState(), A, T0).state
    state = detect(state, GONE, T0 + timedelta(hours=1)).state
    state = detect(state, GONE, T0 + timedelta(hours=1, minutes=5)).state
    assert state.presence is Presence.GONE
    outcome = detect(state, A, T0 + timedelta(hours=3, minutes=30))
    assert outcome.events[0].kind is EventKind.RESTORED
    assert outcome.events[0].detail == "gone for 2h 30m"


def test_unobserved_reason_is_kept():
    state = detect(WatchState(), A, T0).state
    outcome = detect(state, FAIL, T0)
    assert outcome.status is Status.FAILED
    assert outcome.reason == "HTTP 503"
    assert outcome.state.fail_streak == 1
    assert outcome.state.content_hash == state.content_hash


def test_changed_flags_only_real_changes():
    new = detect(WatchState(), A, T0)
    assert not new.changed
    assert detect(new.state, B, T0).changed


@pytest.mark.parametrize(
    "seconds,text",
    [(0, "0s"), (45, "45s"), (600, "10m"), (3600, "1h"), (3900, "1h 5m"), (86400 * 2, "2d")],
)
def test_format_duration(seconds: float, text: str):
    assert format_duration(seconds) == text
