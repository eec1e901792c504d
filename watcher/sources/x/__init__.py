"""X (Twitter): one post through the key-less syndication endpoint embedded posts use,
`GET cdn.syndication.twimg.com/tweet-result?id=<id>&lang=en&token=<token>` (`token`).

**Deletion needs proof.** The endpoint answers a post it will not show in several ways that
prove nothing on their own: `{}` (a token it disliked), a 404 (X also sends bursts of those to
clients it throttles), a `TweetTombstone` without a reason or with the generic "This Post is
unavailable", a post without its author. Those are checked with the FxTwitter API
(`GET api.fxtwitter.com/status/<id>`): only its `NOT_FOUND` makes the post `Gone`, its
`PRIVATE_TWEET` makes it `Hidden`, anything else (a failed request too) leaves the check
`Failed`. A post found gone is asked about once more through FxTwitter v2 (`/2/status/<id>`),
whose tombstone has a reason: a suspended account's post is `Gone(removed=True)`, a private or
blocked one `Hidden`. A tombstone that gives a reason is taken at its word (`answers`).

**Edits.** X gives every edit a new id and `edit_control.edit_tweet_ids` lists the chain,
oldest first. The id a user watched keeps answering with its own, old text (`isStaleEdit`), so
reading it as it is would never show an edit: X's web client greys that text and points to the
new version. The adapter does the same thing a reader would: when the answer is a stale version
it fetches the newest id in the chain and observes that, so the edit arrives as an ordinary text
change with a diff. The newest id is remembered (a bounded memo), so following an edited post
stays one request per check. `id` and `url` name the version shown; `created_at` is when the
first version was posted (from the first id, a snowflake), `edited_at` when the shown version
was made, and `platform_edited` is X's own edited flag. When a check finds the post edited,
`history` reads the older versions of the chain by their ids, so versions that lived only
between two checks are reported too.

X has no key-less public timeline, so there are no account watches.

Modules: `source` (the adapter and its flows), `answers` (what each answer means), `post` (a
syndication body as a `Post`), `token` (the syndication token).
"""

from watcher.sources.x.post import snowflake_time, tweet_post
from watcher.sources.x.source import XSource, post_ref
from watcher.sources.x.token import js_radix, syndication_token

__all__ = ["XSource", "js_radix", "post_ref", "snowflake_time", "syndication_token", "tweet_post"]
