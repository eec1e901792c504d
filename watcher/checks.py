"""The check pipeline that the CLI and the daemon both run: observe (a source flow, run by the
engine) → normalize → decide (pure: a `CheckPlan`) → apply (the store, conditionally); for an
account, its listing's posts are followed and the ones that vanished checked at once.

A check is a coroutine on the engine's event loop. `check_once` runs one in a loop of its own
for the CLI; the daemon runs many on one loop (see `scheduler.py`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from watcher.decide import Rules, new_watch, plan_account, plan_post
from watcher.detect import Outcome, detect
from watcher.differ import diff_texts
from watcher.engine import Engine
from watcher.errors import ConfigError, FetchError, UsageError
from watcher.evidence import Prefetched, Recorder, choose, recording
from watcher.filters import held_back, ignoring
from watcher.history import Step, missed, replay
from watcher.model import (
    Diff,
    Event,
    EventKind,
    Failed,
    Observation,
    Page,
    Post,
    Presence,
    Seen,
    Status,
    Target,
    TimelineObservation,
    Watch,
    WatchState,
)
from watcher.normalize import canonical
from watcher.plan import CheckPlan, NewWatch
from watcher.settings import Settings
from watcher.silence import postings
from watcher.sources import SOURCES, Source
from watcher.sources.common import Flow
from watcher.store import Store
from watcher.timeline import Reading, read_page

log = logging.getLogger(__name__)

T = TypeVar("T")

SUSPECT_LEASE = 300.0  # seconds a suspect's direct check holds its watch
REDECIDE = 3  # a decision found stale is made again from the fresh watch at most this often


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one check found, for printing: the updated watch, its status and the evidence."""

    watch: Watch
    status: Status
    post: Post | None  # the post as observed now (None when it could not be observed)
    revision: int  # the newest stored revision after this check (0: none)
    previous: Post | None = None  # the version the diff starts from
    diff: Diff | None = None
    reason: str = ""
    changed: bool = False  # a change was recorded (edited, deleted, removed, restored)
    events: tuple[Event, ...] = ()
    # accounts: the posts listed, the post watches this check started, the suspects it checked
    listed: int = 0
    discovered: tuple[Watch, ...] = ()
    suspects: tuple[CheckResult, ...] = ()
    # edits: versions from the platform's edit history that lived between two checks
    missed: tuple[Post, ...] = ()
    stale: bool = False  # the watch moved on while this check ran; nothing was written


class Checks:
    """Mixed into `App`: checking watches. Needs the app's settings, clock, store, rules and
    sources."""

    settings: Settings
    clock: Callable[[], datetime]
    store: Store
    rules: Rules
    defer_quiet: bool  # the daemon batches unchanged checks' state; a one-off check writes now

    def source(self, platform: str) -> Source:
        raise NotImplementedError

    # -- observing ------------------------------------------------------------------------

    async def run(
        self, engine: Engine, flow: Flow[T], what: str, recorder: Recorder | None = None
    ) -> T | Failed:
        """A flow's answer. Whatever goes wrong reading an answer (a malformed body that
        breaks a parser, a source bug) fails this check only, as `Failed`. `recorder` keeps
        the answers the flow got, for evidence."""
        try:
            return await engine.run(recording(flow, recorder))
        except FetchError as exc:
            return Failed(str(exc))
        except (UsageError, ConfigError):
            raise
        except Exception as exc:
            log.warning("%s: could not read the answer: %s: %s", what, type(exc).__name__, exc)
            return Failed(f"could not read the answer: {type(exc).__name__}")

    async def observe(
        self, engine: Engine, target: Target, recorder: Recorder | None = None
    ) -> Observation:
        flow = self.source(target.platform).observe(target)
        return _canonical(await self.run(engine, flow, target.url, recorder))

    def batches(self, watches: Sequence[Watch]) -> list[list[Watch]]:
        """`watches` in groups to check together: post watches of a platform that observes
        posts in batches (`Source.batch`) share its requests, up to a batch per group; every
        other watch is a group of its own. Order is kept within each platform."""
        groups: list[list[Watch]] = []
        filling: dict[str, list[Watch]] = {}
        for watch in watches:
            platform = watch.target.platform
            batch = SOURCES[platform].batch if platform in SOURCES else 1
            if watch.target.account or batch == 1:
                groups.append([watch])
                continue
            group = filling.get(platform)
            if group is None or len(group) >= batch:
                group = filling[platform] = []
                groups.append(group)
            group.append(watch)
        return groups

    async def prefetch(self, engine: Engine, group: Sequence[Watch]) -> dict[int, Prefetched]:
        """The observations of a group from `batches`, by watch id, made with the platform's
        batch requests, each with the batch's answers (the evidence for any of its posts);
        {} for a group of one (its check observes as usual) or when the batch could not be run
        (each check then observes on its own)."""
        if len(group) < 2:
            return {}
        source = self.source(group[0].target.platform)
        flow = source.observe_many([w.target for w in group])
        recorder = self._recorder()
        what = f"batch of {len(group)} {source.name} posts"
        observed = await self.run(engine, flow, what, recorder)
        if isinstance(observed, Failed):
            log.error("batch of %d %s watches: %s", len(group), source.name, observed.reason)
            return {}
        answers = tuple(recorder.answers)
        return {
            w.id: Prefetched(_canonical(obs), answers)
            for w, obs in zip(group, observed, strict=True)
        }

    # -- checking -------------------------------------------------------------------------

    def check_once(self, watch: Watch, confirm_now: bool = False) -> CheckResult:
        """One check in an event loop of its own (the CLI): a first gone signal is confirmed
        or refuted now, after a pause, rather than at the next check."""

        async def once() -> CheckResult:
            async with Engine(self.settings.http) as engine:
                return await self.check(engine, watch, confirm_now=confirm_now, diff=True)

        return asyncio.run(once())

    async def check(
        self,
        engine: Engine,
        watch: Watch,
        prefetched: Prefetched | None = None,
        confirm_now: bool = False,
        diff: bool = False,
    ) -> CheckResult:
        """Check one watch and apply the result. `prefetched` is the post as a batch request
        already observed it (see `prefetch`); `diff` computes the diff for printing."""
        if watch.target.account:
            return await self._check_account(engine, watch, confirm_now)
        started = self.clock()
        recorder = self._recorder()
        if prefetched is None:
            observed = await self.observe(engine, watch.target, recorder)
        else:
            observed = prefetched.observation
            recorder.answers.extend(prefetched.answers)
        obs = await self._ignoring(watch, observed)
        state = watch.state
        if confirm_now:
            state, obs = await self._confirm(engine, watch, obs, recorder)
        observed_answers = len(recorder.answers)
        for _ in range(REDECIDE):
            del recorder.answers[observed_answers:]  # a stale decision's fetches are not evidence
            now = self.clock()
            outcome = detect(state, obs, now, self._confirm_count)
            outcome = await self._held_back(watch, state, obs, outcome)
            missed_steps, outcome = await self._missed(engine, watch, obs, outcome, recorder)
            plan = plan_post(self.rules, watch, obs, outcome, now, missed_steps)
            plan = self._evidence(plan, recorder)
            applied = await self._apply(plan)
            if applied is not None:
                return await self._result(plan, applied, obs, outcome, missed_steps, diff)
            watch = await asyncio.to_thread(self.store.get_watch, watch.id)
            if _newer(watch, started):
                break
            state = watch.state
        return _dropped(watch, obs)

    @property
    def _confirm_count(self) -> int:
        return self.settings.detect.confirm_deletions

    def _recorder(self) -> Recorder:
        return Recorder(self.clock, cap=self.settings.raw_max_bytes)

    def _evidence(self, plan: CheckPlan, recorder: Recorder) -> CheckPlan:
        """`plan` with the answers `[store] keep_raw` keeps of it (`evidence.choose`). A gone
        signal counts up to the one that confirms the deletion, not the 404s after it."""
        stored = bool(plan.discovered) or any(step.post is not None for step in plan.steps)
        kinds = frozenset(e.kind for step in plan.steps for e in step.events)
        gone = plan.watch.state.gone_streak < plan.state.gone_streak <= self._confirm_count
        kept = choose(self.settings.keep_raw, recorder, stored, kinds, gone)
        return replace(plan, captures=kept) if kept else plan

    async def _confirm(
        self, engine: Engine, watch: Watch, obs: Observation, recorder: Recorder
    ) -> tuple[WatchState, Observation]:
        """Re-observe a first gone signal after a pause, as often as confirmation needs,
        until it is confirmed or contradicted. Returns the last observation and the state
        to detect it from: the streak of the unconfirmed ones before it (which raise no
        events of their own)."""
        state = watch.state
        for _ in range(self._confirm_count - 1):
            outcome = detect(state, obs, self.clock(), self._confirm_count)
            if outcome.status is not Status.UNCONFIRMED:
                break
            state = outcome.state
            await asyncio.sleep(self.settings.detect.confirm_pause)
            obs = await self._ignoring(watch, await self.observe(engine, watch.target, recorder))
        return state, obs

    async def _ignoring(self, watch: Watch, obs: Observation) -> Observation:
        """`obs` without the text the watch ignores (`filters.ignoring`), matched in a thread:
        a slow pattern must not hold up the other checks on this loop."""
        if not watch.filters.ignore:
            return obs
        return await asyncio.to_thread(ignoring, obs, watch.filters.ignore)

    async def _held_back(
        self, watch: Watch, state: WatchState, obs: Observation, outcome: Outcome
    ) -> Outcome:
        """An edit under the watch's `min_change` as unchanged (`filters.held_back`). Only
        then is the stored version read: unchanged checks never read it."""
        min_change = watch.filters.min_change
        edited = outcome.status is Status.EDITED and watch.revisions > 0
        if not edited or not min_change or not isinstance(obs, Seen):
            return outcome
        stored = await asyncio.to_thread(self.store.revision, watch.id, watch.revisions)
        return held_back(state, outcome, stored, obs.post, min_change)

    async def _missed(
        self, engine: Engine, watch: Watch, obs: Observation, outcome: Outcome, recorder: Recorder
    ) -> tuple[list[Step], Outcome]:
        """For a post found edited, the versions the platform's edit history holds that our
        checks never saw, each an edit of its own; and the outcome of the current version,
        now compared with the last of them."""
        if outcome.status is not Status.EDITED or not isinstance(obs, Seen):
            return [], outcome
        if not obs.post.platform_edited:  # only a platform that flags edits keeps a history
            return [], outcome
        source = self.source(watch.target.platform)
        flow = source.history(watch.target, obs.post)
        history = await self.run(engine, flow, watch.target.url, recorder)
        if isinstance(history, Failed):  # the edit is recorded from this check all the same
            return [], outcome
        seen = [await self._ignoring(watch, Seen(canonical(post))) for post in history]
        versions = [version.post for version in seen if isinstance(version, Seen)]
        if len(versions) < len(seen):  # a version the ignore pattern could not read
            return [], outcome
        between = missed(versions, watch.state.content_hash, outcome.state.content_hash)
        if not between:
            return [], outcome
        now = self.clock()
        steps, state = replay(watch.state, between, watch.last_checked_at, now, self._confirm_count)
        return steps, detect(state, obs, now, self._confirm_count)

    async def _apply(self, plan: CheckPlan) -> Watch | None:
        """Write the plan; None when the watch moved on since it was read (stale)."""
        if plan.quiet and self.defer_quiet:
            self.store.defer(plan)
            return _as_applied(plan)
        applied = await asyncio.to_thread(self.store.apply, plan)
        return applied.watch if applied is not None else None

    async def _result(
        self,
        plan: CheckPlan,
        updated: Watch,
        obs: Observation,
        outcome: Outcome,
        steps: Sequence[Step],
        diff: bool,
    ) -> CheckResult:
        post = obs.post if isinstance(obs, Seen) else None
        previous = None
        if diff:
            previous = steps[-1].post if steps else await self._previous(plan.watch, outcome)
        return CheckResult(
            watch=updated,
            status=outcome.status,
            post=post,
            revision=updated.revisions,
            previous=previous,
            diff=diff_texts(previous.document, post.document) if previous and post else None,
            reason=outcome.reason,
            changed=outcome.changed,
            events=tuple(e for step in steps for e in step.outcome.events) + outcome.events,
            missed=tuple(step.post for step in steps),
        )

    async def _previous(self, watch: Watch, outcome: Outcome) -> Post | None:
        """The last stored version, when this check changed or removed it (for the diff or the
        deletion evidence). Unchanged checks never read it: that is the hot path."""
        kinds = {e.kind for e in outcome.events}
        wanted = {EventKind.EDITED, EventKind.DELETED, EventKind.REMOVED}
        if not watch.revisions or not kinds & wanted:
            return None
        revision = await asyncio.to_thread(self.store.revision, watch.id, watch.revisions)
        return revision.post

    # -- accounts ------------------------------------------------------------------------

    async def _check_account(self, engine: Engine, watch: Watch, confirm_now: bool) -> CheckResult:
        """Read the account's timeline: follow each post not seen before (a `new` event),
        check at once each post that vanished between live neighbours, and track the
        account's own presence. Nothing here ever marks a post deleted: only its own check
        can."""
        source = self.source(watch.target.platform)
        recorder = self._recorder()
        obs = await self._timeline(engine, source, watch, recorder)
        for _ in range(REDECIDE):
            followed = await asyncio.to_thread(self.store.followed, watch.id)
            now = self.clock()
            reading = read_page(watch, obs, followed) if isinstance(obs, Page) else None
            seen = reading.observation if reading else _unlisted(obs)
            outcome = detect(watch.state, seen, now, self._confirm_count)
            found = await self._discoveries(source, watch, reading, now)
            listing = reading.listing if reading else watch.listing
            fresh = (*reading.new, *reading.backfill) if reading else ()
            posts = postings(followed, fresh, now)
            plan = plan_account(self.rules, watch, seen, outcome, now, listing, found, posts)
            plan = self._evidence(plan, recorder)
            applied = await asyncio.to_thread(self.store.apply, plan)
            if applied is not None:
                break
            watch = await asyncio.to_thread(self.store.get_watch, watch.id)
        else:
            return _dropped(watch, seen)
        suspects = await self._check_suspects(
            engine, reading.suspects if reading else (), confirm_now
        )
        post = seen.post if isinstance(seen, Seen) else None
        return CheckResult(
            watch=applied.watch,
            status=outcome.status,
            post=post,
            revision=applied.watch.revisions,
            reason=outcome.reason,
            changed=outcome.changed or any(r.changed for r in suspects),
            events=outcome.events + _quiet_events(plan),
            listed=len(obs.posts) if isinstance(obs, Page) else 0,
            discovered=tuple(applied.created),
            suspects=tuple(suspects),
        )

    async def _timeline(
        self, engine: Engine, source: Source, watch: Watch, recorder: Recorder
    ) -> TimelineObservation:
        flow = source.timeline(watch.target, watch.pages)
        return await self.run(engine, flow, watch.target.url, recorder)

    async def _discoveries(
        self, source: Source, account: Watch, reading: Reading | None, now: datetime
    ) -> list[NewWatch]:
        """The posts to start following, oldest first so that `new` alerts arrive in posting
        order (pages list newest first), each first stored without what the account ignores.
        The first listing is the baseline: its posts are followed, not announced; so are posts
        that only moved up into the page. A post the ignore pattern could not read is left
        for a later listing: stored unfiltered, its next check would be a false edit."""
        if reading is None:
            return []
        baseline = account.state.presence is Presence.UNKNOWN
        quiet = [(post, False) for post in reversed(reading.backfill)]
        fresh = [(post, not baseline) for post in reversed(reading.new)]
        found = []
        for post, announce in quiet + fresh:
            seen = await self._ignoring(account, Seen(canonical(post)))
            if not isinstance(seen, Seen):
                log.warning(
                    "%s: post %s not followed yet: %s", account.target.url, post.id, seen.reason
                )
                continue
            target = source.post_target(account.target, seen.post)
            found.append(new_watch(self.rules, account, target, seen.post, now, announce))
        return found

    async def _check_suspects(
        self, engine: Engine, ids: Sequence[int], confirm_now: bool
    ) -> list[CheckResult]:
        """Check at once the posts that vanished from the middle of the timeline; a post
        whose check is already under way elsewhere is left to it."""
        if not ids:
            return []
        now = self.clock()
        lease = now + timedelta(seconds=SUSPECT_LEASE)
        claimed = await asyncio.to_thread(self.store.claim, ids, now, lease)
        return [await self.check(engine, watch, confirm_now=confirm_now) for watch in claimed]


def _newer(fresh: Watch, started: datetime) -> bool:
    """Whether another check applied after this one began: its answer is at least as new as
    ours, so ours is a duplicate. (Re-deciding an older answer on top of a newer one would
    record a false edit back to the old text.)"""
    return fresh.last_checked_at is not None and fresh.last_checked_at >= started


def _dropped(fresh: Watch, obs: Observation) -> CheckResult:
    """A check whose answer was overtaken: nothing written, the fresh watch reported."""
    log.info("watch %d: another check overtook this one; its answer is dropped", fresh.id)
    post = obs.post if isinstance(obs, Seen) else None
    status = fresh.state.status or Status.UNCHANGED
    return CheckResult(fresh, status, post, fresh.revisions, stale=True)


def _quiet_events(plan: CheckPlan) -> tuple[Event, ...]:
    """The account's `silent` or `back` event this check decided, if any."""
    kinds = (EventKind.SILENT, EventKind.BACK)
    planned = (e for step in plan.steps for e in step.events if e.kind in kinds)
    return tuple(Event(e.kind, e.at, e.detail) for e in planned)


def _unlisted(obs: TimelineObservation) -> Observation:
    """A timeline that could not be listed, as the account's own observation."""
    assert not isinstance(obs, Page)
    return obs


def _as_applied(plan: CheckPlan) -> Watch:
    """The watch as a deferred quiet plan leaves it (written with the next flush)."""
    return replace(
        plan.watch,
        state=plan.state,
        enabled=plan.enabled,
        last_checked_at=plan.checked_at,
        next_check_at=plan.next_check_at,
        last_error=plan.last_error,
        version=plan.watch.version + 1,
    )


def _canonical(obs: Observation) -> Observation:
    return Seen(canonical(obs.post)) if isinstance(obs, Seen) else obs
