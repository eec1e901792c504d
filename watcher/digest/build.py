"""Pure: a `Digest` from the rows the store read (`DigestData`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta

from watcher.differ import added, diff_texts, removed
from watcher.digest.periods import Period, previous
from watcher.digest.values import (
    Account,
    Counters,
    Day,
    Deletion,
    Digest,
    DigestData,
    Edit,
    Photo,
    Restoration,
    TopPost,
)
from watcher.model import EventKind, Followed, Revision, StoredEvent
from watcher.silence import read
from watcher.stats import Silence, longest_silence

_GONE = (EventKind.DELETED, EventKind.REMOVED)


def build_digest(data: DigestData, period: Period, top: int) -> Digest:
    """The digest of `period`; `data` holds what the store read for it and the period before."""
    texts = _Texts(data.revisions, period.end)
    fresh = [p for p in data.posts if period.holds(p.posted_at)]
    latest = {watch_id: values for watch_id, _, values in data.samples}
    counters = {p.watch_id: _counters_at_end(p.watch_id, latest, data, texts) for p in fresh}
    ranked = sorted(fresh, key=lambda p: (-counters[p.watch_id].engagement, p.posted_at))
    growth = _growth(data.samples, data.baselines, {p.watch_id for p in fresh})
    target, before = data.account.target, previous(period)
    return Digest(
        account=Account(data.account.id, target.url, target.platform, texts.author()),
        period=period,
        posts=len(fresh),
        previous_posts=sum(1 for p in data.posts if before.holds(p.posted_at)),
        per_day=_per_day(period, fresh, growth),
        top=tuple(_top_post(p, texts, counters[p.watch_id]) for p in ranked[:top]),
        photo=_photo(ranked, texts),
        edits=tuple(_edits(data.events, texts)),
        deletions=tuple(_deletions(data.events, texts)),
        restorations=tuple(_restorations(data.events, texts)),
        silences=_silences(data.account_events, period, data.as_of),
        longest_gap=_longest_gap(data.posts, period, data.as_of),
    )


class _Texts:
    """The stored versions of the posts: each post's as it stood at the period's end (the last
    one stored before it; the first, for a post stored only after it), and any by number."""

    def __init__(self, revisions: Sequence[Revision], end: datetime) -> None:
        self._numbered = {(r.watch_id, r.number): r for r in revisions}
        self._standing: dict[int, Revision] = {}
        for revision in sorted(revisions, key=lambda r: r.number):
            if revision.observed_at < end or revision.watch_id not in self._standing:
                self._standing[revision.watch_id] = revision

    def standing(self, watch_id: int) -> Revision | None:
        return self._standing.get(watch_id)

    def numbered(self, watch_id: int, number: int | None) -> Revision | None:
        if number is None:
            return None
        return self._numbered.get((watch_id, number))

    def author(self) -> str:
        """The author as the newest version names them: a display name can change."""
        versions = sorted(self._standing.values(), key=lambda r: r.observed_at)
        return next((r.post.author for r in reversed(versions) if r.post.author), "")


def _counters_at_end(
    watch_id: int, latest: Mapping[int, Mapping[str, int]], data: DigestData, texts: _Texts
) -> Counters:
    """The last sample's counters in the period (`latest`); without one, the last before it,
    else those stored with the version standing at the end."""
    found = latest.get(watch_id, data.baselines.get(watch_id))
    if found is None:
        standing = texts.standing(watch_id)
        found = standing.post.metrics if standing else {}
    return Counters.of(found)


def _growth(
    samples: Sequence[tuple[int, datetime, Mapping[str, int]]],
    baselines: Mapping[int, Mapping[str, int]],
    fresh: Collection[int],
) -> list[tuple[datetime, int]]:
    """How much each sample's engagement grew on the post's sample before it. A post published
    in the period grew from nothing; an older one first sampled in the period (followed only
    now) has no known start, so its first sample is where its growth starts."""
    last = {w: Counters.of(values).engagement for w, values in baselines.items()}
    grown: list[tuple[datetime, int]] = []
    for watch_id, at, values in samples:
        now = Counters.of(values).engagement
        before = last.get(watch_id, 0 if watch_id in fresh else None)
        if before is not None:
            grown.append((at, now - before))
        last[watch_id] = now
    return grown


def _per_day(
    period: Period, fresh: Sequence[Followed], growth: Sequence[tuple[datetime, int]]
) -> tuple[Day, ...]:
    """Posts and interactions per local day. A day whose counters fell (likes taken back, a
    platform's recount) shows no interactions rather than fewer than none."""
    zone = period.zone
    posts = Counter(p.posted_at.astimezone(zone).date() for p in fresh if p.posted_at)
    gained: Counter[date] = Counter()
    for at, delta in growth:
        gained[at.astimezone(zone).date()] += delta
    return tuple(Day(day, posts[day], max(0, gained[day])) for day in period.days())


def _top_post(post: Followed, texts: _Texts, counters: Counters) -> TopPost:
    standing = texts.standing(post.watch_id)
    url = standing.post.url if standing else ""
    text = (standing.post.text or standing.post.title) if standing else ""
    assert post.posted_at is not None  # a post in the period has a time
    return TopPost(url, post.posted_at, text, counters)


def _photo(ranked: Sequence[Followed], texts: _Texts) -> Photo | None:
    """The image of the most engaging post that has one (its first)."""
    for post in ranked:
        standing = texts.standing(post.watch_id)
        if standing is not None and standing.post.media_urls:
            return Photo(standing.post.media_urls[0], standing.post.url)
    return None


def _edits(events: Sequence[StoredEvent], texts: _Texts) -> Iterator[Edit]:
    """Each edit's removed and added passages, compared as alerts compare (the whole content:
    title, text and media ids)."""
    for event in events:
        if event.kind is not EventKind.EDITED:
            continue
        new = texts.numbered(event.watch_id, event.revision)
        old = texts.numbered(event.watch_id, event.previous)
        if old is None or new is None:
            continue  # a version the store no longer has: nothing to compare
        diff = diff_texts(old.post.document, new.post.document)
        yield Edit(new.post.url, event.at, _passages(removed(diff)), _passages(added(diff)))


def _passages(pieces: Sequence[str]) -> tuple[str, ...]:
    return tuple(piece.strip() for piece in pieces if piece.strip())


def _deletions(events: Sequence[StoredEvent], texts: _Texts) -> Iterator[Deletion]:
    for event in events:
        if event.kind in _GONE:
            url, text = _evidence(event, texts)
            yield Deletion(url, event.at, text, event.kind is EventKind.REMOVED)


def _restorations(events: Sequence[StoredEvent], texts: _Texts) -> Iterator[Restoration]:
    for event in events:
        if event.kind is EventKind.RESTORED:
            url, text = _evidence(event, texts)
            yield Restoration(url, event.at, text)


def _evidence(event: StoredEvent, texts: _Texts) -> tuple[str, str]:
    """The URL and text of the version an event is about."""
    version = texts.numbered(event.watch_id, event.revision) or texts.standing(event.watch_id)
    if version is None:
        return "", ""
    return version.post.url, version.post.text or version.post.title


def _silences(
    events: Sequence[StoredEvent], period: Period, as_of: datetime
) -> tuple[Silence, ...]:
    """The account's silences that overlap the period, each from its last post to the first
    post after it (one still running: until the period's end), as its `silent` and `back`
    events say; events in other words than `watcher.silence` writes count from when they
    were recorded."""
    spells: list[tuple[datetime, datetime | None]] = []
    began: datetime | None = None
    for event in sorted(events, key=lambda e: (e.at, e.id)):
        quiet = read(event.kind, event.detail)
        gap = timedelta(seconds=quiet.gap) if quiet else timedelta(0)
        if event.kind is EventKind.SILENT and began is None:
            began = event.at - gap
        elif event.kind is EventKind.BACK and began is not None:
            spells.append((began, began + gap if quiet else event.at))
            began = None
    if began is not None:
        spells.append((began, None))
    until = min(period.end, as_of)
    return tuple(
        Silence(start, end, max(0.0, ((end or until) - start).total_seconds()))
        for start, end in spells
        if start < period.end and (end is None or end >= period.start)
    )


def _longest_gap(posts: Sequence[Followed], period: Period, as_of: datetime) -> Silence | None:
    """The longest time between two posts in the period (from the last post before it, when
    the period before had one), counting the gap still open at its end."""
    times = sorted(p.posted_at for p in posts if p.posted_at and p.posted_at < period.end)
    before = [t for t in times if t < period.start][-1:]
    return longest_silence(
        [*before, *(t for t in times if t >= period.start)], min(period.end, as_of)
    )
