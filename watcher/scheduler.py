"""The daemon: one event loop that keeps every watch checked, a flusher for the batched state
updates of unchanged checks, and a thread that keeps the outbox drained.

- dispatch: claim due watches from the database, as many as there are free check slots, and
  run each check as a task on the loop (posts of a platform with a batch endpoint, Bluesky,
  are observed together first: see `App.batches`). A finished check frees its slot at once,
  and a full claim means more may be due: the next claim follows without waiting for a tick.
  No check ever parks a thread: waiting on a slow or polite host is a suspended coroutine.
- flush: the state updates of unchanged checks are written in one transaction per batch, at
  least every `FLUSH_EVERY` seconds and on shutdown.
- drain: a thread (apprise blocks) that sends pending deliveries every `drain_interval`, and
  at once when a check has recorded an alert. Before each drain it records the scheduled
  digests that have fallen due (`watcher.digest_runs`), which the drain then sends.

The schedule lives in the database, so a watch added by `watcher add` is seen on the next tick,
and a restart resumes where it stopped: claims of this machine's dead processes are taken back
at start. SIGTERM/SIGINT: stop claiming, let in-flight checks finish (bounded by
`shutdown_grace`), flush, drain once more, exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from watcher import __version__
from watcher.app import App, CheckResult
from watcher.controls import visible, visible_url
from watcher.digest_runs import DigestRuns
from watcher.engine import Engine
from watcher.errors import WatcherError
from watcher.evidence import Prefetched
from watcher.model import EventKind, Status, Watch
from watcher.outbox import DrainReport, Outbox
from watcher.store.daemons import HEARTBEAT
from watcher.words import counted

log = logging.getLogger(__name__)

# A claimed watch's next check moves this far ahead until its check records the real one;
# if the daemon dies mid-check, the watch is checked again when the lease runs out (or at
# once, by the next daemon started on this machine).
LEASE = timedelta(minutes=5)
FLUSH_EVERY = 1.0  # seconds between two writes of batched state updates
DB_THREADS = 2  # threads for database calls off the event loop

# Told how a pass goes: (checks finished, checks in the pass); first with 0 once the pass knows
# its size, then after each check.
Progress = Callable[[int, int], None]

# Statuses of a check that could not see the post: logged as warnings, with their reason.
PROBLEMS = frozenset(
    {Status.FAILED, Status.BLOCKED, Status.RATE_LIMITED, Status.BROKEN, Status.HIDDEN}
)


@dataclass(frozen=True, slots=True)
class PassReport:
    """What one pass (`watcher run --once`) did: its checks by outcome (they add up to
    `checked`), and the alerts the drain after it sent."""

    checked: int
    new: int  # first snapshots
    changed: int  # edited, deleted, removed, restored
    unchanged: int
    unobserved: int  # failed, blocked, rate limited, broken, hidden, unconfirmed, or an error
    drained: DrainReport


def _outcome(result: CheckResult | None) -> str:
    """Which count of `PassReport` a check goes to (None: the check raised)."""
    if result is None:
        return "unobserved"
    if result.changed:
        return "changed"
    if result.stale or result.status is Status.UNCHANGED:
        return "unchanged"  # a stale check: another one did the work
    return "new" if result.status is Status.NEW else "unobserved"


class Daemon:
    def __init__(self, app: App, outbox: Outbox) -> None:
        self.app = app
        self.outbox = outbox
        self.settings = app.settings.daemon
        self.app.defer_quiet = True
        self.digests = DigestRuns(app)
        self._stopping = threading.Event()
        self._kick = threading.Event()
        self._wake: asyncio.Event | None = None
        self._inflight: set[asyncio.Task[list[CheckResult | None]]] = set()

    # -- one pass (cron) ----------------------------------------------------------------

    def run_once(self, everything: bool = False, progress: Progress | None = None) -> PassReport:
        """Check every due watch (every enabled one with `everything`), then drain.
        `progress` is told how many checks have finished, after each."""
        results = asyncio.run(self._pass(everything, progress))
        self.digests.record_due()
        drained = self.outbox.drain(limit=100_000)
        counts = Counter(_outcome(r) for r in results)
        return PassReport(
            checked=len(results),
            new=counts["new"],
            changed=counts["changed"],
            unchanged=counts["unchanged"],
            unobserved=counts["unobserved"],
            drained=drained,
        )

    async def _pass(self, everything: bool, progress: Progress | None) -> list[CheckResult | None]:
        _few_threads()
        store = self.app.store
        now = self.app.clock()
        store.release_dead_claims(now)
        limit = 10_000_000 if everything else self.settings.concurrency * 50
        horizon = now + timedelta(days=36500) if everything else now
        claimed: list[Watch] = []
        while batch := store.claim_due(horizon, limit, now + LEASE):
            claimed += batch
            if everything:
                break
        slots = asyncio.Semaphore(self.settings.concurrency)
        finished = _counter(len(claimed), progress)

        async def bounded(engine: Engine, group: list[Watch]) -> list[CheckResult | None]:
            async with slots:
                return await self._check_group(engine, group, finished)

        async with Engine(self.app.settings.http) as engine:
            flusher = asyncio.create_task(self._flush_loop())
            try:
                groups = self.app.batches(claimed)
                done = await asyncio.gather(*(bounded(engine, g) for g in groups))
            finally:
                flusher.cancel()
                await self._flush()
        return [r for group in done for r in group]

    # -- forever ------------------------------------------------------------------------

    def run_forever(self) -> None:
        """Run until SIGTERM or SIGINT, then shut down gracefully."""
        drainer = threading.Thread(target=self._drain_loop, name="drain", daemon=True)
        drainer.start()
        try:
            asyncio.run(self._forever())
        finally:
            self._stopping.set()
            self._kick.set()  # wake the drain thread so it sees the stop
            drainer.join(timeout=self.settings.shutdown_grace)
            self.drain()
            log.info("stopped")

    def stop(self) -> None:
        self._stopping.set()
        if self._wake is not None:
            self._wake.set()

    async def _forever(self) -> None:
        _few_threads()
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._on_signal, signum)
        released = self.app.store.release_dead_claims(self.app.clock())
        if released:
            log.info(
                "took back %s of a daemon that died on this machine", counted(released, "claim")
            )
        enabled = self.app.store.summary().enabled
        log.info("watcher daemon running: %s enabled", counted(enabled, "watch", "watches"))
        await self._say_seen(started=True)
        async with Engine(self.app.settings.http) as engine:
            flusher = asyncio.create_task(self._flush_loop())
            heartbeat = asyncio.create_task(self._heartbeat_loop())
            try:
                await self._dispatch_loop(engine)
            finally:
                heartbeat.cancel()
                await self._shutdown(flusher)
                await self._say_seen(stopped=True)

    def _on_signal(self, signum: int) -> None:
        log.info("received %s", signal.Signals(signum).name)
        self.stop()

    async def _dispatch_loop(self, engine: Engine) -> None:
        assert self._wake is not None
        while not self._stopping.is_set():
            backlog = await self._dispatch(engine)
            if backlog and len(self._inflight) < self.settings.concurrency:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.tick)

    async def _dispatch(self, engine: Engine) -> bool:
        """Claim as many due watches as there are free slots and start their checks; True
        when the claim filled every slot (more may be due)."""
        free = self.settings.concurrency - len(self._inflight)
        if free <= 0:
            return False
        now = self.app.clock()
        try:
            claimed = await asyncio.to_thread(self.app.store.claim_due, now, free, now + LEASE)
        except WatcherError as exc:  # e.g. the database is briefly locked: next tick
            log.error("dispatch failed: %s", exc)
            return False
        for group in self.app.batches(claimed):
            task = asyncio.create_task(self._check_group(engine, group))
            self._inflight.add(task)
            task.add_done_callback(self._done)
        return len(claimed) == free

    def _done(self, task: asyncio.Task[list[CheckResult | None]]) -> None:
        self._inflight.discard(task)
        if self._wake is not None:
            self._wake.set()  # a slot is free: claim again without waiting for the tick

    async def _shutdown(self, flusher: asyncio.Task[None]) -> None:
        log.info("stopping: no new checks; waiting for %d in flight", len(self._inflight))
        if self._inflight:
            _, pending = await asyncio.wait(self._inflight, timeout=self.settings.shutdown_grace)
            if pending:
                running = counted(len(pending), "check")
                log.warning("%s still running after the grace period", running)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
        flusher.cancel()
        await self._flush()

    # -- checks -------------------------------------------------------------------------

    async def _check_group(
        self,
        engine: Engine,
        group: Sequence[Watch],
        finished: Callable[[], None] | None = None,
    ) -> list[CheckResult | None]:
        """Check a group from `App.batches`: one batch request for its posts where the
        platform has one, then each watch's own decision and apply. `finished` is called
        after each check."""
        prefetched = await self.app.prefetch(engine, group)
        results = []
        for watch in group:
            results.append(await self._check(engine, watch, prefetched.get(watch.id)))
            if finished is not None:
                finished()
        return results

    async def _check(
        self, engine: Engine, watch: Watch, prefetched: Prefetched | None = None
    ) -> CheckResult | None:
        try:
            result = await self.app.check(engine, watch, prefetched)
        except WatcherError as exc:
            url, why = visible_url(watch.target.url), _one_line(str(exc))
            log.error("watch %d %s: error — %s", watch.id, url, why)
            return None
        except Exception:  # one broken check must not end the pass: its alerts wait otherwise
            url = visible_url(watch.target.url)
            log.exception("watch %d %s: error — unexpected", watch.id, url)
            return None
        _log_check(result)
        if any(e.kind is not EventKind.NEW for e in result.events) or result.discovered:
            self._kick.set()
        return result

    # -- writing and sending ------------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            await self._say_seen()

    async def _say_seen(self, started: bool = False, stopped: bool = False) -> None:
        """Tell the database this daemon runs (`watcher serve`'s Health page, `doctor`); a
        failed write is only logged: the next heartbeat says it again."""
        store, now = self.app.store, self.app.clock()
        try:
            if started:
                await asyncio.to_thread(store.daemon_started, now, __version__)
            else:
                await asyncio.to_thread(store.daemon_seen, now, stopped)
        except WatcherError as exc:
            log.warning("could not record that this daemon runs: %s", exc)

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY)
            await self._flush()

    async def _flush(self) -> None:
        try:
            await asyncio.to_thread(self.app.store.flush)
        except WatcherError as exc:  # kept queued: the next flush writes it
            log.error("writing checked watches failed: %s", exc)

    def drain(self) -> None:
        """Record the digests due, then send what is pending."""
        try:
            self.digests.record_due()
            self.outbox.drain()
        except WatcherError as exc:  # e.g. the database is briefly locked: next time
            log.error("outbox drain failed: %s", exc)

    def _drain_loop(self) -> None:
        """Drain every `drain_interval`, or as soon as kicked. A kick during a drain makes the
        next wait return at once, so no alert waits for the timer."""
        while not self._stopping.is_set():
            self._kick.wait(self.settings.drain_interval)
            self._kick.clear()
            if not self._stopping.is_set():
                self.drain()


def _log_check(result: CheckResult) -> None:
    """One line per check, `watch N URL: STATUS[ — why]` (a benchmark harness parses it from
    `run --once --all -v`): a problem is a warning with its reason, a change or first snapshot
    is news, an unchanged check is a debug line (`run -v`). An account's line says how many
    posts it started following; the posts it checked at once get lines of their own."""
    level = _level(result)
    if log.isEnabledFor(level):  # unchanged is the hot path: build nothing for a silent line
        watch = result.watch
        line = f"watch {watch.id} {visible_url(watch.target.url)}: {result.status.value}"
        if result.stale:
            line += " — another check overtook this one"
        elif result.reason:
            line += f" — {_one_line(result.reason)}"
        if result.discovered:
            line += f"; {counted(len(result.discovered), 'new post')} followed"
        log.log(level, "%s", line)
    for suspect in result.suspects:
        _log_check(suspect)


def _level(result: CheckResult) -> int:
    if result.stale:  # nothing written: checks.py says so already
        return logging.DEBUG
    if result.status in PROBLEMS:
        return logging.WARNING
    if result.status is Status.UNCHANGED and not result.discovered and not result.events:
        return logging.DEBUG  # an account's suspects that changed log lines of their own
    return logging.INFO


def _counter(total: int, progress: Progress | None) -> Callable[[], None] | None:
    """A callback for each finished check that tells `progress` how far the pass is."""
    if progress is None:
        return None
    done = 0
    progress(done, total)

    def finished() -> None:
        nonlocal done
        done += 1
        progress(done, total)

    return finished


def _one_line(text: str) -> str:
    """Servers' words for a log line: controls shown, not obeyed; one line."""
    return " ".join(visible(text).split())


def _few_threads() -> None:
    """Database calls leave the loop for a small pool: the store serialises its writes anyway,
    and every extra thread costs memory (a malloc arena each)."""
    pool = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="db")
    asyncio.get_running_loop().set_default_executor(pool)
