"""Frozen value types that flow between the stages (sources → normalize → detect → store)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Target:
    """What to fetch: the user's URL plus the options that say how to read it."""

    url: str
    platform: str
    selector: str = ""  # web: CSS selector of the element whose text counts
    field: str = ""  # json: dotted path of the text field
    account: bool = False  # a whole account: its timeline is read, its posts become watches


class QuotedPresence(StrEnum):
    """What the platform shows in place of a quoted (reposted) post. Its notices are signals,
    never content: each known one maps to one of these (see each source's notice table)."""

    VISIBLE = "visible"
    DELETED = "deleted"  # deleted by its author
    REMOVED = "removed"  # removed by the platform or a moderator
    ACCOUNT_REMOVED = "account_removed"  # its author's account was taken down
    HIDDEN = "hidden"  # exists, but not shown to us (its author's settings, a block)
    DETACHED = "detached"  # its author detached it from the quoting post (Bluesky)
    UNKNOWN = "unknown"  # a notice we do not know: kept as the platform said it, not guessed


@dataclass(frozen=True, slots=True)
class Quoted:
    """The post a repost or quote post carries, as part of it but with its own presence.

    Compared as identity and presence: its text (and media) is what it showed when visible,
    and `notice` the platform's words in its place otherwise; neither is the quoting post's
    content (see `normalize.content_hash`, `watcher.quotes`)."""

    id: str
    url: str = ""
    author: str = ""
    presence: QuotedPresence = QuotedPresence.VISIBLE
    text: str = field(default="", compare=False)
    media: tuple[str, ...] = field(default=(), compare=False)
    notice: str = field(default="", compare=False)
    # What the source appended to the quoting post's text before quotes were parts of their
    # own (schema 5): lets the first check after the upgrade compare by the old rule once.
    legacy: str = field(default="", compare=False)

    @property
    def visible(self) -> bool:
        return self.presence is QuotedPresence.VISIBLE

    @property
    def document(self) -> str:
        """The quote as readers see it below the post: its text, or what stands in its place."""
        who = f"@{self.author}: " if self.author else ""
        if self.visible:
            media = " [media] " + " ".join(self.media) if self.media else ""
            return f"[quote] {who}{self.text}{media}".rstrip()
        return f"[quote {self.presence.value.replace('_', ' ')}] {who}{self.notice}".rstrip()


@dataclass(frozen=True, slots=True)
class Post:
    """One observed version of a post, as plain text.

    `text` and `title` are plain text (sources turn HTML into text); `media` holds stable media
    ids. Those three make the content. `metrics` are counters, never content.
    """

    id: str
    url: str
    text: str
    author: str = ""
    created_at: datetime | None = None
    edited_at: datetime | None = None
    title: str = ""
    media: tuple[str, ...] = ()
    metrics: Mapping[str, int] = field(default_factory=lambda: EMPTY, compare=False)
    platform_edited: bool = False  # the platform's own "edited" flag, shown but not trusted alone
    # Where the media can be seen (image URLs), in `media` order where the platform gives them:
    # for digests and evidence, never content (a CDN host or a signature changes on its own).
    media_urls: tuple[str, ...] = field(default=(), compare=False)
    quoted: Quoted | None = None  # the post it reposts or quotes

    @property
    def document(self) -> str:
        """Everything readers see, as one text: what diffs compare. The quoted post comes
        last, as it is shown below the post (its changes are its own events, not edits)."""
        media = "[media] " + " ".join(self.media) if self.media else ""
        quoted = self.quoted.document if self.quoted else ""
        return "\n\n".join(part for part in (self.title, self.text, media, quoted) if part)


@dataclass(frozen=True, slots=True)
class Seen:
    """The post is visible."""

    post: Post


@dataclass(frozen=True, slots=True)
class Gone:
    """The platform explicitly said the post does not exist (404/410, errno 20101, ...).

    `removed` marks removal by the platform or a moderator rather than by the author.
    """

    reason: str
    removed: bool = False


@dataclass(frozen=True, slots=True)
class Hidden:
    """The post exists but is not shown to us (privacy setting, age limit)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Blocked:
    """A login wall, captcha or anti-bot page stood in the way."""

    reason: str


@dataclass(frozen=True, slots=True)
class RateLimited:
    """The platform asked us to slow down."""

    reason: str
    retry_after: float | None = None  # seconds


@dataclass(frozen=True, slots=True)
class Failed:
    """The check did not produce an answer: timeout, 5xx, unreadable body, ..."""

    reason: str


@dataclass(frozen=True, slots=True)
class Broken:
    """The page answered but our extraction no longer fits it (selector or field not found)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Page:
    """An account's timeline as listed now (first page), newest first; pinned posts included
    where the platform lists them."""

    posts: tuple[Post, ...]
    account: str = ""  # the account's display handle, e.g. "@alice@mastodon.social"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(post.id for post in self.posts)


Observation = Seen | Gone | Hidden | Blocked | RateLimited | Failed | Broken
# What reading an account's timeline can give: the page, or why not. `Gone` here means the
# account itself is gone (deleted or suspended), never that its posts are.
TimelineObservation = Page | Gone | Hidden | Blocked | RateLimited | Failed | Broken
# Observations that say nothing about whether the post exists.
Unobserved = Hidden | Blocked | RateLimited | Failed | Broken


class Status(StrEnum):
    """Outcome of one check (also the watch's current status)."""

    NEW = "new"
    UNCHANGED = "unchanged"
    EDITED = "edited"
    DELETED = "deleted"
    REMOVED = "removed"
    RESTORED = "restored"
    UNCONFIRMED = "unconfirmed"  # gone signal seen, not yet confirmed
    FAILED = "failed"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate_limited"
    BROKEN = "broken"
    HIDDEN = "hidden"


class EventKind(StrEnum):
    NEW = "new"
    EDITED = "edited"
    DELETED = "deleted"
    REMOVED = "removed"
    RESTORED = "restored"
    HIDDEN = "hidden"
    BLOCKED = "blocked"
    BROKEN = "broken"
    SILENT = "silent"  # an account: no post for longer than its silence threshold
    BACK = "back"  # an account: its first post after a silence
    DIGEST = "digest"  # an account: a scheduled digest of a period, sent once
    # The post a watched post reposts or quotes (`Post.quoted`): its own news, never an edit
    # of the post that quotes it.
    QUOTED_EDITED = "quoted_edited"
    QUOTED_DELETED = "quoted_deleted"
    QUOTED_REMOVED = "quoted_removed"
    QUOTED_HIDDEN = "quoted_hidden"
    QUOTED_RESTORED = "quoted_restored"


QUOTED_KINDS = frozenset(
    {
        EventKind.QUOTED_EDITED,
        EventKind.QUOTED_DELETED,
        EventKind.QUOTED_REMOVED,
        EventKind.QUOTED_HIDDEN,
        EventKind.QUOTED_RESTORED,
    }
)


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    at: datetime
    detail: str = ""


# A diff is a sequence of (op, text): op -1 removed, 0 same, 1 added.
DiffOp = tuple[int, str]
Diff = tuple[DiffOp, ...]


class Presence(StrEnum):
    """What we know about the post's existence, independent of the last check's outcome."""

    UNKNOWN = "unknown"  # never seen
    VISIBLE = "visible"
    GONE = "gone"  # deletion (or removal) confirmed


@dataclass(frozen=True, slots=True)
class WatchState:
    """What detection needs to remember between checks of one watch."""

    presence: Presence = Presence.UNKNOWN
    status: Status | None = None  # outcome of the last check
    content_hash: str = ""  # hash of the last stored revision
    gone_streak: int = 0  # consecutive gone signals; failures in between neither add nor reset
    gone_since: datetime | None = None  # first gone signal of the current streak or deletion
    fail_streak: int = 0  # consecutive checks that got no answer
    problem: Status | None = None  # last blocked/broken/hidden state alerted, until an answer
    # The quoted post of the last stored revision (schema 6): its presence and
    # `quotes.quoted_hash`; None/"" when it quotes nothing or was stored before schema 6.
    quoted: QuotedPresence | None = None
    quoted_hash: str = ""


DISCOVERED = "account"  # the origin of post watches an account watch discovered


@dataclass(frozen=True, slots=True)
class Filters:
    """A watch's filters (`watcher.filters`): what a check leaves out before it compares.

    Ignored text is never stored, hashed or compared, so it can never be evidence of a change;
    an edit held back by `min_change` is reported once the changes since the stored version
    add up to it."""

    ignore: str = ""  # a regex: every match is removed from the post's text and title
    min_change: int = 0  # edits of fewer changed characters than this are not reported (yet)

    def but(self, ignore: str | None = None, min_change: int | None = None) -> Filters:
        """These filters with those given replaced (None keeps one)."""
        return Filters(
            self.ignore if ignore is None else ignore,
            self.min_change if min_change is None else min_change,
        )


@dataclass(frozen=True, slots=True)
class Watch:
    id: int
    target: Target
    interval: float  # seconds
    enabled: bool
    state: WatchState
    created_at: datetime
    next_check_at: datetime
    last_checked_at: datetime | None = None
    last_error: str = ""
    revisions: int = 0  # number of stored revisions
    metrics: Mapping[str, int] = field(default_factory=lambda: EMPTY, compare=False)
    channels: tuple[str, ...] = ()  # channel names to alert; empty: every channel
    origin: str = "cli"  # "config" watches follow the config file; "account": discovered
    # Accounts and their posts:
    parent_id: int | None = None  # the account watch that discovered (or adopted) this post
    post_id: str = ""  # the platform's id of the post (posts found on a timeline)
    posted_at: datetime | None = None  # when the post was published, for follow-up and stats
    listing: tuple[str, ...] = ()  # account: post ids of its last timeline listing, newest first
    pages: int = 1  # account: timeline pages read per check
    version: int = 0  # bumped by every applied check: a decision applies only to its version
    name: str = ""  # what the user calls it (`add --name`); "" shows the URL alone
    tags: tuple[str, ...] = ()  # the user's labels, for `list --tag` and `status --tag`
    paused: bool = False  # stopped by `pause` (not enabled), until `resume`: not removed
    filters: Filters = field(default_factory=Filters)  # an account's posts take the account's
    # accounts going quiet (watcher.silence): "auto", "off" or seconds; and while a silence is
    # announced, the time of the last post before it
    silence: str = "auto"
    silent_since: datetime | None = None

    @property
    def discovered(self) -> bool:
        """A post found on an account's timeline, followed by its age (not an interval)."""
        return self.origin == DISCOVERED


@dataclass(frozen=True, slots=True)
class Followed:
    """A post an account watch follows, as timeline comparison needs it."""

    watch_id: int
    post_id: str
    posted_at: datetime | None


@dataclass(frozen=True, slots=True)
class Revision:
    """One stored version of a post."""

    watch_id: int
    number: int  # 1, 2, ... per watch
    post: Post
    content_hash: str
    observed_at: datetime


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    watch_id: int
    kind: EventKind
    at: datetime
    revision: int | None  # the revision the event is about (new text, or last text if deleted)
    previous: int | None  # the revision it replaced (edits)
    detail: str = ""


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One alert for one channel, as the outbox holds it."""

    id: int
    channel: str
    state: DeliveryState
    attempts: int
    parts_sent: int
    next_attempt_at: datetime
    created_at: datetime
    event: StoredEvent
    watch: Watch
    last_error: str = ""
    sent_at: datetime | None = None
