"""A Mastodon 4.5 quote post's `quote` (a `Quote`: `state`, and `quoted_status` only while the
quote is `accepted`; nested a level down, a `ShallowQuote` with `quoted_status_id`): each state
is a presence of the quoted status, never content; a state we do not know is kept as named.

| `quote.state` | the quoted status is |
| --- | --- |
| `accepted` | visible (`quoted_status`) |
| `deleted` | deleted |
| `rejected`, `revoked` | detached: its author refused or withdrew the quote |
| `unauthorized`, `blocked_account`, `blocked_domain`, `muted_account` | hidden from us |
| `pending` | unknown: not yet approved, nothing to say |

Only `accepted` carries the quoted status, so its identity otherwise comes from the fallback
link Mastodon puts in the quoting status's content (`<p class="quote-inline">RE: <a href>`).
"""

from __future__ import annotations

import re

from watcher.model import QuotedPresence

ACCEPTED = "accepted"
_STATES = {
    ACCEPTED: QuotedPresence.VISIBLE,
    "deleted": QuotedPresence.DELETED,
    "rejected": QuotedPresence.DETACHED,
    "revoked": QuotedPresence.DETACHED,
    "unauthorized": QuotedPresence.HIDDEN,
    "blocked_account": QuotedPresence.HIDDEN,
    "blocked_domain": QuotedPresence.HIDDEN,
    "muted_account": QuotedPresence.HIDDEN,
    "pending": QuotedPresence.UNKNOWN,
}
_INLINE = re.compile(
    r"""<p[^>]*\bclass=["'][^"']*\bquote-inline\b[^>]*>.*?<a[^>]*\bhref=["']([^"']+)["']""",
    re.IGNORECASE | re.DOTALL,
)


def state_presence(state: str) -> QuotedPresence:
    """The quoted status's presence by the quote's state; `unknown` for one we do not know."""
    return _STATES.get(state, QuotedPresence.UNKNOWN)


def inline_link(content: str) -> str:
    """The quoted status's address in the quoting status's fallback paragraph, or ""."""
    match = _INLINE.search(content)
    return match.group(1) if match else ""
