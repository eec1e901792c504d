"""The post a watched post reposts or quotes (`Post.quoted`): pure rules for its own changes.

A quoted post is part of the post that quotes it, with a presence of its own. The quoting
post's content hash covers only the quoted post's identity (`normalize.content_hash`); what the
quoted post shows (its text and media while visible, its presence otherwise) has a hash of its
own here, kept on the watch beside its presence, so the hot path still compares two strings.
A change of it is the quoted post's news, never an edit of the quoting post:

    visible → visible, other text       quoted_edited
    any     → deleted                   quoted_deleted
    any     → removed, account removed  quoted_removed
    any     → hidden, detached          quoted_hidden
    not visible → visible               quoted_restored
    any     → unknown notice            nothing said: the notice is stored as it is

Nothing is said the first time a quote is seen, nor when the watch's last revision was stored
before quotes were kept (schema 6): there is nothing of the quoted post to compare with.

Before schema 6 the Weibo source appended the quoted text to the repost's own (`//@name:
text`), so every stored Weibo repost hash covers it, and no source's hash covered a quote's
identity. `legacy_hash` is that old rule: the first check after the upgrade (the watch has no
`quoted_hash` yet) compares by it once, and a post that is unchanged by it is stored again
under the new rule with no event (never a false "edited"). A hash-version column would have
said the same; this needs none, since a post stored under the new rule always has one.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from watcher.model import EventKind, Post, Quoted, QuotedPresence, WatchState
from watcher.normalize import content_hash, fold_text

_GONE = {
    QuotedPresence.DELETED: EventKind.QUOTED_DELETED,
    QuotedPresence.REMOVED: EventKind.QUOTED_REMOVED,
    QuotedPresence.ACCOUNT_REMOVED: EventKind.QUOTED_REMOVED,
    QuotedPresence.HIDDEN: EventKind.QUOTED_HIDDEN,
    QuotedPresence.DETACHED: EventKind.QUOTED_HIDDEN,
}


def quoted_hash(quoted: Quoted | None) -> str:
    """Hash of what the quoted post shows: its presence, and its text and media while visible.
    A known notice's words are not in it (Weibo rewords them at will); an unknown one's are,
    so that each notice we cannot read is stored as it was said. "" when nothing is quoted."""
    if quoted is None:
        return ""
    parts = [quoted.presence.value]
    if quoted.visible:
        parts += [fold_text(quoted.text), "\n".join(sorted(quoted.media))]
    elif quoted.presence is QuotedPresence.UNKNOWN:
        parts.append(fold_text(quoted.notice))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def quoted_event(state: WatchState, quoted: Quoted | None) -> EventKind | None:
    """The event the quoted post's change since the last stored revision (`state`) is, if any."""
    if state.quoted is None or not state.quoted_hash or quoted is None:
        return None  # nothing stored to compare with, or no quote now (an edit, if any)
    if quoted_hash(quoted) == state.quoted_hash:
        return None
    if quoted.visible:
        visible = state.quoted is QuotedPresence.VISIBLE
        return EventKind.QUOTED_EDITED if visible else EventKind.QUOTED_RESTORED
    return _GONE.get(quoted.presence)


def quoted_detail(quoted: Quoted) -> str:
    """What the event records: the platform's notice, as it said it."""
    return "" if quoted.visible else quoted.notice


def legacy_hash(post: Post) -> str | None:
    """The hash `post` had under the rule before schema 6 (see the module docstring); None
    when nothing is quoted. Sources other than Weibo appended nothing (`legacy` is ""): their
    old hash is the post's without the quote."""
    quoted = post.quoted
    if quoted is None:
        return None
    if not quoted.legacy:
        return content_hash(replace(post, quoted=None))
    text = "\n\n".join(part for part in (post.text, quoted.legacy) if part)
    return content_hash(replace(post, text=text, media=post.media + quoted.media, quoted=None))


def known_hash(state: WatchState, post: Post, digest: str) -> str:
    """The stored hash to compare `post`'s `digest` with: the state's, except on the first
    check of a repost stored before schema 6 that the old rule finds unchanged (then its own)."""
    if state.quoted_hash or not state.content_hash:
        return state.content_hash
    return digest if legacy_hash(post) == state.content_hash else state.content_hash
