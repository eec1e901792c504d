"""The daemon: an APScheduler job that keeps every watch checked, and a thread that keeps the
outbox drained.

- dispatch (every `tick`): claim due watches from the database, as many as there are free
  workers, and run `App.check_once` for each on a bounded thread pool (posts of a platform
  with a batch endpoint, Bluesky, are observed together first: see `App.batches`);
- drain: a thread that sends pending deliveries every `drain_interval`, and at once when a
  check has recorded an alert (an alert should not wait for a timer).

The schedule lives in the database, so a watch added by `watcher add` is seen on the next tick,
and a restart resumes where it stopped. SIGTERM/SIGINT: stop claiming, let in-flight checks
finish (bounded by `shutdown_grace`), drain once more, exit 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from watcher.app import App, CheckResult
from watcher.errors import WatcherError
from watcher.model import EventKind, Observation, Watch
from watcher.outbox import DrainReport, Outbox

log = logging.getLogger(__name__)

# A claimed watch's next check moves this far ahead until its check records the real one;
# if the daemon dies mid-check, the watch is checked again when the lease runs out.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class PassReport:
    checked: int
    changed: int
    unobserved: int
    drained: DrainReport


class Daemon:
    def __init__(self, app: App, outbox: Outbox) -> None:
        self.app = app
        self.outbox = outbox
        self.settings = app.settings.daemon
        self._pool = ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="check")
        self._inflight: set[Future[list[CheckResult | None]]] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._kick = threading.Event()
        self._dispatching = threading.Lock()
        self._backlog = False

    # -- one pass (cron) ----------------------------------------------------------------

    def run_once(self, everything: bool = False) -> PassReport:
        """Check every due watch (every enabled one with `everything`), then drain."""
        now = self.app.clock()
        claimed: list[Watch] = []
        limit = 10_000_000 if everything else self.settings.concurrency * 50
        horizon = now + timedelta(days=36500) if everything else now
        while batch := self.app.store.claim_due(horizon, limit, now + LEASE):
            claimed += batch
            if everything:
                break
        groups = self._pool.map(self._check_group, self.app.batches(claimed))
        results = [r for group in groups for r in group if r is not None]
        drained = self.outbox.drain(limit=100_000)
        self._pool.shutdown(wait=True)
        return PassReport(
            checked=len(results),
            changed=sum(r.changed for r in results),
            unobserved=sum(r.post is None for r in results),
            drained=drained,
        )

    # -- forever ------------------------------------------------------------------------

    def run_forever(self) -> None:
        """Run until SIGTERM or SIGINT, then shut down gracefully."""
        self._install_signals()
        scheduler = BackgroundScheduler(timezone="UTC")
        scheduler.add_job(
            self.dispatch,
            "interval",
            seconds=self.settings.tick,
            id="dispatch",
            max_instances=1,
            coalesce=True,
        )
        scheduler.start()
        drainer = threading.Thread(target=self._drain_loop, name="drain", daemon=True)
        drainer.start()
        log.info("watcher daemon running: %d watch(es) enabled", len(self.app.store.list_watches()))
        self.dispatch()
        try:
            self._stopping.wait()
        finally:
            self._kick.set()  # wake the drain thread so it sees the stop
            drainer.join(timeout=self.settings.shutdown_grace)
            self._shutdown(scheduler)

    def stop(self) -> None:
        self._stopping.set()

    def dispatch(self) -> None:
        """Claim as many due watches as there are free workers and start their checks."""
        if self._stopping.is_set() or not self._dispatching.acquire(blocking=False):
            return  # stopping, or another thread is dispatching right now
        try:
            with self._lock:
                free = self.settings.concurrency - len(self._inflight)
            if free <= 0:
                return
            now = self.app.clock()
            claimed = self.app.store.claim_due(now, free, now + LEASE)
            # A full claim means more may be due: each finished check refills its slot at once
            # instead of waiting for the next tick (else throughput is capped at workers/tick).
            self._backlog = len(claimed) == free
            for group in self.app.batches(claimed):
                future = self._pool.submit(self._check_group, group)
                with self._lock:
                    self._inflight.add(future)
                future.add_done_callback(self._done)
        except WatcherError as exc:  # e.g. the database is briefly locked: next tick
            log.error("dispatch failed: %s", exc)
        finally:
            self._dispatching.release()

    def drain(self) -> None:
        try:
            self.outbox.drain()
        except WatcherError as exc:  # e.g. the database is briefly locked: next time
            log.error("outbox drain failed: %s", exc)

    def _check_group(self, group: list[Watch]) -> list[CheckResult | None]:
        """Check a group from `App.batches`: one batch request for its posts where the
        platform has one, then each watch's own detection and record."""
        try:
            observed = self.app.prefetch(group)
        except WatcherError as exc:  # each check then fetches on its own
            log.error("batch of %d %s watches: %s", len(group), group[0].target.platform, exc)
            observed = {}
        return [self._check(watch, observed.get(watch.id)) for watch in group]

    def _check(self, watch: Watch, observed: Observation | None = None) -> CheckResult | None:
        try:
            result = self.app.check_once(watch, observed=observed)
        except WatcherError as exc:
            log.error("watch %d (%s): %s", watch.id, watch.target.url, exc)
            return None
        log.info("watch %d %s: %s", watch.id, watch.target.url, result.status.value)
        if any(e.kind is not EventKind.NEW for e in result.events):
            self._drain_now()
        return result

    def _drain_now(self) -> None:
        self._kick.set()

    def _drain_loop(self) -> None:
        """Drain every `drain_interval`, or as soon as kicked. A kick during a drain makes the
        next wait return at once, so no alert waits for the timer."""
        while not self._stopping.is_set():
            self._kick.wait(self.settings.drain_interval)
            self._kick.clear()
            if not self._stopping.is_set():
                self.drain()

    def _done(self, future: Future[list[CheckResult | None]]) -> None:
        with self._lock:
            self._inflight.discard(future)
        if self._backlog:
            self.dispatch()

    def _shutdown(self, scheduler: BackgroundScheduler) -> None:
        log.info("stopping: no new checks; waiting for %d in flight", len(self._inflight))
        scheduler.shutdown(wait=True)
        with self._lock:
            pending = set(self._inflight)
        not_done = wait(pending, timeout=self.settings.shutdown_grace).not_done
        if not_done:
            log.warning("%d check(s) still running after the grace period", len(not_done))
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.drain()
        log.info("stopped")

    def _install_signals(self) -> None:
        def handler(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s", signal.Signals(signum).name)
            self.stop()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
