"""The daemon: APScheduler jobs that keep every watch checked and the outbox drained.

- dispatch (every `tick`): claim due watches from the database, as many as there are free
  workers, and run `App.check_once` for each on a bounded thread pool;
- drain (every `drain_interval`): send pending deliveries.

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
from watcher.model import Watch
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
        self._inflight: set[Future[CheckResult | None]] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()

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
        results = [r for r in self._pool.map(self._check, claimed) if r is not None]
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
        scheduler.add_job(
            self.drain,
            "interval",
            seconds=self.settings.drain_interval,
            id="drain",
            max_instances=1,
            coalesce=True,
        )
        scheduler.start()
        log.info("watcher daemon running: %d watch(es) enabled", len(self.app.store.list_watches()))
        self.dispatch()
        try:
            self._stopping.wait()
        finally:
            self._shutdown(scheduler)

    def stop(self) -> None:
        self._stopping.set()

    def dispatch(self) -> None:
        """Claim as many due watches as there are free workers and start their checks."""
        if self._stopping.is_set():
            return
        with self._lock:
            free = self.settings.concurrency - len(self._inflight)
        if free <= 0:
            return
        now = self.app.clock()
        for watch in self.app.store.claim_due(now, free, now + LEASE):
            future = self._pool.submit(self._check, watch)
            with self._lock:
                self._inflight.add(future)
            future.add_done_callback(self._done)

    def drain(self) -> None:
        try:
            self.outbox.drain()
        except WatcherError as exc:  # e.g. the database is briefly locked: next time
            log.error("outbox drain failed: %s", exc)

    def _check(self, watch: Watch) -> CheckResult | None:
        try:
            result = self.app.check_once(watch)
        except WatcherError as exc:
            log.error("watch %d (%s): %s", watch.id, watch.target.url, exc)
            return None
        log.info("watch %d %s: %s", watch.id, watch.target.url, result.status.value)
        return result

    def _done(self, future: Future[CheckResult | None]) -> None:
        with self._lock:
            self._inflight.discard(future)

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
