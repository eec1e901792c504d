"""Reddit: posts and comments through the public JSON endpoints (`post`), accounts through
their listings (`user`). Both read things the same way (`things`) and refusals alike
(`answers`); `urls` says which URL is which."""

from watcher.sources.reddit.source import RedditSource
from watcher.sources.reddit.urls import PUBLIC_API, Profile, Thing, profile, thing

__all__ = ["PUBLIC_API", "Profile", "RedditSource", "Thing", "profile", "thing"]
