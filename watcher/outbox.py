"""The outbox drain: pending deliveries → rendered bodies → the notifier, with retries.

A delivery is marked sent only after every part went out; a failure keeps it pending with an
exponential backoff, and after `max_attempts` it is dead (shown by `watcher status`, sent
again by `watcher deliveries --retry`). Parts already sent are remembered, so a retry resumes
a long message instead of repeating it. Alerts for a channel no longer in the config are
retired: dead at once, all of them, saying why (`retired_reason`), so that they hold up
nothing and are never retried while the channel is missing.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from watcher.differ import diff_texts
from watcher.digest_runs import DigestRef, digest_chart, digest_of
from watcher.errors import DeliveryError
from watcher.model import QUOTED_KINDS, Delivery, EventKind, Revision, Watch
from watcher.notify import Attachment, Notifier
from watcher.render import Alert, Message, format_for_url, message
from watcher.render.digest import digest_message
from watcher.render.silence import quiet_alert
from watcher.schedule import retry_delay
from watcher.settings import ChannelSettings, Settings
from watcher.silence import QUIET_KINDS
from watcher.store.process import PROCESS, died_here

if TYPE_CHECKING:  # the outbox is handed a store; `notify-test` has none and needs no SQL
    from watcher.store import Store

log = logging.getLogger(__name__)

# How long a drainer holds a channel without renewing (it renews before each send). A daemon
# killed mid-send on another machine delays that channel's next alerts by at most this.
CHANNEL_LEASE = timedelta(minutes=5)
# This process, as lease holders name it: host, pid, and a token that tells it from an earlier
# process that had the same pid (a restarted container's daemon often does).


@dataclass(frozen=True, slots=True)
class DrainReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0

    def __add__(self, other: DrainReport) -> DrainReport:
        return DrainReport(
            self.sent + other.sent, self.retrying + other.retrying, self.dead + other.dead
        )


class Outbox:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        settings: Settings,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.notifier = notifier
        self.settings = settings
        self.clock = clock
        self._rng = random.Random()

    def drain(self, limit: int = 100) -> DrainReport:
        """Send due deliveries (up to `limit` per channel), each channel's in the order the
        events happened: a channel stops at its first delivery that is not due or fails, so a
        later alert never overtakes an earlier one. Channels do not hold each other up.

        A channel is drained by one drainer at a time, whichever daemon (or thread) it is in:
        it holds the channel's lease in the database while it sends. Several daemons sharing
        a database therefore send each alert once, in order."""
        holder = f"{PROCESS}:{uuid.uuid4().hex[:8]}"
        report = DrainReport()
        for channel in self.store.pending_channels():
            if not self._hold(channel, holder):
                continue  # another drainer is sending this channel's alerts
            try:
                report += self._drain_channel(channel, holder, limit)
            finally:
                self.store.release_channel(channel, holder, self.clock())
        return report

    def _hold(self, channel: str, holder: str) -> bool:
        now = self.clock()
        if self.store.take_channel(channel, holder, now, now + CHANNEL_LEASE):
            return True
        # A daemon killed mid-send on this machine need not delay its restart's alerts.
        other = self.store.channel_holder(channel)
        if not died_here(other):
            return False
        return self.store.take_channel(channel, holder, now, now + CHANNEL_LEASE, dead=other)

    def _drain_channel(self, channel: str, holder: str, limit: int) -> DrainReport:
        """Read under the lease (what another drainer sent before is no longer pending)."""
        if self.settings.channel(channel) is None:
            return DrainReport(dead=self.retire(channel))
        now = self.clock()
        report = DrainReport()
        for delivery in self.store.pending_deliveries(limit, channel):
            # Renewed before each send, so that a long queue outlives the lease.
            if delivery.next_attempt_at > now or not self._hold(channel, holder):
                break
            result = self._deliver(delivery)
            report += result
            if not result.sent:
                break
        return report

    def retire(self, channel: str) -> int:
        """Retire every undelivered alert to `channel`, which the config no longer has."""
        retired = self.store.retire_channel(channel, retired_reason(channel))
        if retired:
            log.warning("%d alert(s) %s", retired, retired_reason(channel))
        return retired

    def _deliver(self, delivery: Delivery) -> DrainReport:
        channel = self.settings.channel(delivery.channel)
        if channel is None:  # not reached: a drain retires a missing channel's alerts first
            return DrainReport(dead=self.retire(delivery.channel))
        fmt = channel.format or format_for_url(channel.url)
        tz = channel.timezone or self.settings.timezone
        files: tuple[Attachment, ...] = ()
        if delivery.event.kind is EventKind.DIGEST:
            note, files = self._digest(delivery, fmt)
        else:
            note = message(self.alert(delivery), fmt, tz=tz)
        sent = delivery.parts_sent
        try:
            for body in note.bodies[sent:]:
                attached = files if sent == 0 else ()  # the chart goes with the first part
                self.notifier.send(channel, [body], fmt, note.title, note.type, attached)
                sent += 1
        except DeliveryError as exc:
            return self._failed(delivery, sent, str(exc))
        self.store.delivery_sent(delivery.id, sent, self.clock())
        log.info("alert %s sent to %s (%d part(s))", delivery.event.kind, channel.name, sent)
        return DrainReport(sent=1)

    def _failed(self, delivery: Delivery, sent: int, error: str) -> DrainReport:
        attempts = delivery.attempts + 1
        dead = attempts >= self.settings.daemon.max_attempts
        delay = retry_delay(attempts, self.settings.daemon, self._rng)
        retry_at = self.clock() + timedelta(seconds=delay)
        self.store.delivery_failed(delivery, sent, error, retry_at, dead)
        verdict = "gave up" if dead else f"retry in {delay:.0f}s"
        log.warning(
            "alert to %s failed (attempt %d, %s): %s", delivery.channel, attempts, verdict, error
        )
        return DrainReport(dead=1) if dead else DrainReport(retrying=1)

    def alert(self, delivery: Delivery) -> Alert:
        """Everything a message needs, from the stored event and its revisions."""
        event, watch = delivery.event, delivery.watch
        current = self._revision(watch.id, event.revision)
        previous = self._revision(watch.id, event.previous)
        post = current.post if current else None
        alert = Alert(
            kind=event.kind,
            platform=watch.target.platform,
            author=post.author if post else "",
            link=(post.url if post else "") or watch.target.url,
            at=event.at,
            detail=event.detail,
            account=watch.target.account,
            title=post.title if post else "",
            posted_at=(post.created_at if post else None) or watch.posted_at,
        )
        if event.kind in QUIET_KINDS:  # a silence or a comeback: the post it names is shown
            return quiet_alert(alert, lambda post_id: self.store.post_revision(watch.id, post_id))
        if event.kind in QUOTED_KINDS:
            return self._quoted(alert, watch.id, current)
        if event.kind in (EventKind.DELETED, EventKind.REMOVED):
            # The evidence: the last stored text, and when it was stored.
            gone = _gone_at(watch, event.at)
            return replace(
                alert,
                old_text=post.document if post else "",
                old_at=_at(current),
                gone_at=gone,
                seen_at=self._last_seen(watch.id, current, gone or event.at),
            )
        if previous and current:
            diff = diff_texts(previous.post.document, current.post.document)
            return replace(
                alert,
                old_text=previous.post.document,
                new_text=current.post.document,
                old_at=previous.observed_at,
                new_at=current.observed_at,
                diff=diff,
            )
        return replace(alert, new_text=post.document if post else "", new_at=_at(current))

    def _quoted(self, alert: Alert, watch_id: int, current: Revision | None) -> Alert:
        """About the post the watched one quotes: its text now (or the notice in its place),
        and the evidence, its last text a stored revision shows it with."""
        quoted = current.post.quoted if current else None
        if quoted is None:
            return alert
        before = current.number if current else 0
        older = [r for r in self.store.revisions(watch_id) if r.number < before]
        last = next((r for r in older if r.post.quoted and r.post.quoted.visible), None)
        return replace(
            alert,
            quoted_author=quoted.author,
            quoted_link=quoted.url,
            new_text=quoted.text if quoted.visible else quoted.notice,
            new_at=_at(current),
            old_text=last.post.quoted.text if last and last.post.quoted else "",
            old_at=_at(last),
        )

    def _digest(self, delivery: Delivery, fmt: str) -> tuple[Message, tuple[Attachment, ...]]:
        """A scheduled digest's message and chart, built from the store for the period its
        event names (a closed period: every channel gets the same figures)."""
        ref = DigestRef.parse(delivery.event.detail)
        digest = digest_of(self.store, delivery.watch, ref.period, ref.top, self.clock())
        return digest_message(digest, fmt), digest_chart(digest)

    def _revision(self, watch_id: int, number: int | None) -> Revision | None:
        return self.store.revision(watch_id, number) if number else None

    def _last_seen(self, watch_id: int, last: Revision | None, gone: datetime) -> datetime | None:
        """The latest time the post is known to have been visible before it was found gone:
        its last version's storing, or a later sample of its counters (a check that saw it).
        The store keeps no time of the last unchanged check, so this may be earlier."""
        seen = [at for at, _ in self.store.metric_samples(watch_id) if at < gone]
        if last is not None and last.observed_at < gone:
            seen.append(last.observed_at)
        return max(seen, default=None)


def retired_reason(channel: str) -> str:
    """What a retired alert's error says."""
    return f"retired: channel {channel!r} is no longer in the config"


def send_test(notifier: Notifier, channel: ChannelSettings) -> None:
    """A short message that proves the channel works (raises DeliveryError if not)."""
    fmt = channel.format or format_for_url(channel.url)
    text = f"✅ watcher: test message for channel {channel.name}"
    notifier.send(channel, [text], fmt, "✅ watcher test", "success")


def _at(revision: Revision | None) -> datetime | None:
    return revision.observed_at if revision else None


def _gone_at(watch: Watch, confirmed: datetime) -> datetime | None:
    """The first check that found the post gone, if the watch still tells (a later deletion
    or a restore has replaced it otherwise)."""
    since = watch.state.gone_since
    return since if since is not None and since <= confirmed else None
