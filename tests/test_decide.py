"""Decide, the pure half of a check: the plan an observation makes, who is told, when to look
again, and which plans are quiet enough to batch. No database, no network, no clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from watcher.decide import Rules, new_watch, plan_account, plan_post
from watcher.detect import detect
from watcher.model import (
    EventKind,
    Gone,
    Post,
    RateLimited,
    Seen,
    Status,
    Target,
    Watch,
    WatchState,
)
from watcher.normalize import content_hash
from watcher.plan import CheckPlan
from watcher.settings import ChannelSettings, Settings

T0 = datetime(2026, 5, 1, 12, tzinfo=UTC)
CHANNELS = (
    ChannelSettings("ops", "json://x/ops"),
    ChannelSettings("deletions", "json://x/del", frozenset({"deleted"})),
)


def rules(seed: int = 1) -> Rules:
    return Rules(Settings(channels=CHANNELS), random.Random(seed))


def post(text: str, **metrics: int) -> Post:
    return Post(id="1", url="https://example.com/1", text=text, metrics=metrics)


def watch(text: str = "", **changes: object) -> Watch:
    state = WatchState()
    if text:
        state = detect(state, Seen(post(text)), T0).state
    values: dict[str, object] = {
        "id": 7,
        "target": Target("https://example.com/1", "web"),
        "interval": 600.0,
        "enabled": True,
        "state": state,
        "created_at": T0,
        "next_check_at": T0,
        "revisions": 1 if text else 0,
        "version": 3,
    }
    return Watch(**(values | changes))  # type: ignore[arg-type]


def decide(w: Watch, obs: Seen | Gone | RateLimited, at: datetime = T0) -> CheckPlan:
    outcome = detect(w.state, obs, at)
    return plan_post(rules(), w, obs, outcome, at)


def test_an_unchanged_check_is_quiet_and_keeps_the_version_it_read() -> None:
    plan = decide(watch("same words"), Seen(post("same words")))
    assert plan.quiet
    assert plan.watch.version == 3
    assert plan.steps == () and plan.metrics is None
    assert plan.revisions == 1


def test_an_edit_is_one_revision_with_its_event_routed() -> None:
    plan = decide(watch("old words"), Seen(post("new words")))
    assert not plan.quiet
    (step,) = plan.steps
    assert step.post is not None and step.content_hash == content_hash(step.post)
    (event,) = step.events
    assert (event.kind, event.channels) == (EventKind.EDITED, ("ops",))  # not "deletions"
    assert plan.revisions == 2


def test_a_first_snapshot_is_recorded_for_nobody() -> None:
    plan = decide(watch(), Seen(post("first")))
    (step,) = plan.steps
    assert [(e.kind, e.channels) for e in step.events] == [(EventKind.NEW, ())]


def test_a_confirmed_deletion_goes_to_every_channel_that_wants_it() -> None:
    w = watch("words")
    first = detect(w.state, Gone("404"), T0)
    w = watch("words", state=first.state)
    plan = decide(w, Gone("404"), T0 + timedelta(minutes=1))
    (step,) = plan.steps
    assert step.post is None  # a deletion stores no text
    assert step.events[0].channels == ("ops", "deletions")


def test_counters_alone_are_a_sample_not_a_change() -> None:
    w = watch("words")
    plan = decide(w, Seen(post("words", likes=5)))
    assert plan.steps == ()
    assert plan.metrics == {"likes": 5}
    assert not plan.quiet  # a sample row is written with it


def test_a_rate_limit_waits_for_the_platform() -> None:
    plan = decide(watch("words"), RateLimited("429", retry_after=3600))
    assert plan.next_check_at >= T0 + timedelta(seconds=3600)
    assert plan.last_error == "429"


def test_jitter_comes_from_the_random_source_given() -> None:
    w, obs = watch("same"), Seen(post("same"))
    outcome = detect(w.state, obs, T0)
    one = plan_post(rules(seed=1), w, obs, outcome, T0).next_check_at
    again = plan_post(rules(seed=1), w, obs, outcome, T0).next_check_at
    assert one == again
    assert abs((one - T0).total_seconds() - 600) <= 60


def test_a_discovered_post_past_its_window_is_dropped_unless_a_gone_signal_waits() -> None:
    old = T0 - timedelta(days=8)
    w = watch("words", origin="account", posted_at=old, interval=0.0)
    plan = decide(w, Seen(post("words")))
    assert plan.enabled is False
    unconfirmed = decide(w, Gone("404"))
    assert unconfirmed.state.status is Status.UNCONFIRMED and unconfirmed.enabled is True


def test_new_posts_are_announced_unless_quiet() -> None:
    account = watch(
        channels=("ops",), target=Target("https://s.example/@a", "mastodon", account=True)
    )
    target = Target("https://s.example/@a/1", "mastodon")
    listed = Post(id="1", url=target.url, text="hello", created_at=T0)
    loud = new_watch(rules(), account, target, listed, T0, announce=True)
    quiet = new_watch(rules(), account, target, listed, T0, announce=False)
    assert [(e.kind, e.channels) for e in loud.events] == [(EventKind.NEW, ("ops",))]
    assert [e.channels for e in quiet.events] == [()]
    assert loud.enabled and loud.next_check_at <= T0 + timedelta(minutes=3)


def test_an_account_plan_carries_its_listing_and_new_watches() -> None:
    account = watch("@a", target=Target("https://s.example/@a", "mastodon", account=True))
    listed = Post(id="9", url="https://s.example/@a/9", text="hi", created_at=T0)
    found = new_watch(rules(), account, Target(listed.url, "mastodon"), listed, T0, True)
    seen = Seen(post("@a"))
    outcome = detect(account.state, seen, T0)
    plan = plan_account(rules(), account, seen, outcome, T0, ("9",), [found])
    assert plan.listing == ("9",) and plan.discovered == (found,)
    assert not plan.quiet
