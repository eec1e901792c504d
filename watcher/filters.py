"""Pure per-watch filters (`watcher.model.Filters`), applied to what a check observed before
it is hashed and compared.

- `ignore` removes every match of a regex from a post's text and title, which are then folded
  again: a rotating footer or a visit counter never makes an edit. The pattern is the user's
  and the text is the world's, so a pattern that backtracks badly on some text is cut off after
  `IGNORE_TIMEOUT` and the check counts as unobserved (`Broken`): never as a change. Ignored
  text is never stored, so it can never be evidence.
- `min_change` holds back an edit that changes fewer characters than that, counted against the
  last stored version: nothing is stored or reported, and the stored version stays the one
  compared with, so small changes add up until they reach it. A first snapshot and a
  restoration are never held back.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import regex

from watcher.detect import Outcome
from watcher.differ import diff_texts
from watcher.model import Broken, Observation, Post, Revision, Seen, Status, WatchState
from watcher.normalize import fold_text

IGNORE_TIMEOUT = 1.0  # seconds a pattern may take on one text (a post's title, its text)


@lru_cache(maxsize=256)  # the patterns of the watches being checked, each compiled once
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)  # as `watcher.config.check_pattern` checked it


def ignoring(obs: Observation, pattern: str) -> Observation:
    """`obs` with every match of `pattern` removed from its post; an observation without a
    post (or no pattern) as it is. `Broken` when the pattern cannot be used on this text: the
    post was not compared, which says nothing about whether it changed."""
    if not pattern or not isinstance(obs, Seen):
        return obs
    try:
        compiled = _compiled(pattern)
        post = obs.post
        return Seen(replace(post, text=_cut(compiled, post.text), title=_cut(compiled, post.title)))
    except TimeoutError:
        took = f"took longer than {IGNORE_TIMEOUT:g}s on this post"
        return Broken(f"the ignore pattern {took} (it may backtrack): simplify it")
    except regex.error as exc:  # stored by hand, or refused by a newer regex module
        return Broken(f"the ignore pattern is not a valid regex: {exc}")


def _cut(compiled: regex.Pattern[str], text: str) -> str:
    # `concurrent`: the GIL is released while it matches (a str cannot change meanwhile), so
    # a slow pattern run off the event loop holds up no other thread.
    return fold_text(compiled.sub("", text, timeout=IGNORE_TIMEOUT, concurrent=True))


def changed_characters(old: str, new: str) -> int:
    """The characters an edit removed plus those it added, in the whole words of the diff an
    alert shows ("colour" → "color" is 6 + 5)."""
    return sum(len(text) for op, text in diff_texts(old, new) if op)


def held_back(
    before: WatchState, outcome: Outcome, stored: Revision, post: Post, min_change: int
) -> Outcome:
    """An edit of `post` that changes fewer than `min_change` characters of the `stored`
    version, as an unchanged check that keeps the stored version's hash (`before`'s); any
    other outcome as it is."""
    if outcome.status is not Status.EDITED or min_change <= 0:
        return outcome
    changed = changed_characters(stored.post.document, post.document)
    if changed >= min_change:
        return outcome
    # The quoted post's news waits with the edit: it is decided again from `before`'s.
    state = replace(
        outcome.state,
        status=Status.UNCHANGED,
        content_hash=before.content_hash,
        quoted=before.quoted,
        quoted_hash=before.quoted_hash,
    )
    reason = (
        f"{changed} characters changed since version {stored.number}; min_change is {min_change}"
    )
    return Outcome(state, Status.UNCHANGED, reason=reason)
