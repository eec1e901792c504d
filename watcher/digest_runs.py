"""The daemon's scheduled digests: each `[[digests]]` entry's due period recorded once, as a
`digest` event on its account with one outbox row per channel (`Store.record_digest`); the
outbox renders and sends it like any alert, so retries, dead letters and the once-only send
of several daemons are the outbox's.

Idle cost: after a look, a digest is not looked at again before its next fire time (kept in
memory), so between fire times a tick costs one comparison per digest and no database read.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from watcher.digest import Digest, DigestData, Period, build_digest, default_tz, previous
from watcher.digest_schedule import due, next_fire
from watcher.errors import WatcherError
from watcher.notify import Attachment
from watcher.render.chart import chart_png
from watcher.settings import DigestSettings

if TYPE_CHECKING:
    from watcher.app import App
    from watcher.model import Watch
    from watcher.store import Store

log = logging.getLogger(__name__)

RETRY_MISSING = timedelta(hours=1)  # a digest whose account is not watched is looked at again


@dataclass(frozen=True, slots=True)
class DigestRef:
    """What a `digest` event's detail says: which digest, which period, how many top posts."""

    key: str
    period: Period
    top: int

    def detail(self) -> str:
        period = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        return json.dumps({"digest": self.key, "tz": self.period.tz, "top": self.top} | period)

    @classmethod
    def parse(cls, detail: str) -> DigestRef:
        data = json.loads(detail)
        start, end = datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
        return cls(data["digest"], Period(start, end, data["tz"]), int(data["top"]))


class DigestRuns:
    """Records the app's due digests into its store, at the app's time."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.store: Store = app.store
        self.settings = app.settings
        self.clock = app.clock
        self._quiet_until: dict[str, datetime] = {}  # nothing due for a digest before this

    def record_due(self) -> int:
        """Record every digest due now (once each); how many were recorded."""
        now = self.clock()
        recorded = 0
        for spec in self.settings.digests:
            if now < self._quiet_until.get(spec.key, now):
                continue
            try:
                recorded += self._record(spec, now)
            except WatcherError as exc:  # e.g. the database is briefly locked: next tick
                log.error("digest %r: %s", spec.key, exc)
        return recorded

    def _record(self, spec: DigestSettings, now: datetime) -> bool:
        account = self._account(spec)
        if account is None:
            self._quiet_until[spec.key] = now + RETRY_MISSING
            return False
        tz = spec.tz or default_tz(account.target.platform)
        found = due(spec, tz, now, self.store.digest_since(spec.key, now))
        if found is None:
            self._quiet_until[spec.key] = next_fire(spec, tz, now)
            return False
        self._quiet_until[spec.key] = found.next_fire
        ref = DigestRef(spec.key, found.period, spec.top)
        channels = spec.channels or tuple(c.name for c in self.settings.channels)
        period = (found.period.start, found.period.end)
        done = self.store.record_digest(spec.key, account.id, period, ref.detail(), channels, now)
        if done:
            log.info("digest %r of %s recorded for %s", spec.key, _span(found.period), channels)
        return done

    def _account(self, spec: DigestSettings) -> Watch | None:
        """The account watch a digest is about; None (said once an hour) when it is not one."""
        try:
            watch = self.store.find_watch(self.app.target(spec.account))
        except WatcherError as exc:
            log.warning("digest %r: %s", spec.key, exc)
            return None
        if watch is None or not watch.target.account:
            # Said in words, not as a command: a log line is not a hint the CLI prints.
            log.warning(
                "digest %r: %s is not a watched account; add it to [[watches]] or with watcher add",
                spec.key,
                spec.account,
            )
            return None
        return watch


def digest_of(store: Store, account: Watch, period: Period, top: int, now: datetime) -> Digest:
    """The digest of `account` over `period` with its `top` posts, from what `store` holds."""
    return build_digest(digest_data(store, account, period, now), period, top)


def digest_data(store: Store, account: Watch, period: Period, now: datetime) -> DigestData:
    """What a digest of `account` over `period` is built from, read from `store`."""
    rows = store.account_rows(account.id, previous(period).start, period.start, period.end)
    return DigestData(
        account,
        now,
        rows.posts,
        rows.revisions,
        rows.events,
        rows.account_events,
        rows.samples,
        rows.baselines,
    )


def digest_chart(d: Digest) -> tuple[Attachment, ...]:
    """The digest's chart as a PNG attachment; none without matplotlib (the `chart` extra)."""
    days = [day.date for day in d.per_day]
    posts = [day.posts for day in d.per_day]
    interactions = [day.interactions for day in d.per_day]
    zone = d.period.tz
    png = chart_png(days, posts, interactions, f"Posts and interactions per day ({zone})")
    return () if png is None else (Attachment("digest.png", png, "image/png"),)


def _span(period: Period) -> str:
    return f"{period.start:%Y-%m-%d %H:%M} – {period.end:%Y-%m-%d %H:%M} {period.tz}"
