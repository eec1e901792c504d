"""Keeping a chat plugin from pinging anyone a post names: apprise's Discord plugin, guarded."""

from __future__ import annotations

from typing import Any

_PING_ALL = frozenset({"everyone", "here"})  # apprise's names; Discord's allowed type: everyone


def quiet_discord(plugin: Any) -> bool:
    """Make a Discord plugin ping only whom its URL names (`ping=`), never anyone a post names.
    False when this apprise's plugin cannot be guarded (no `_send` to add the field through).

    apprise cannot be told this. Given `format=markdown` (or `url=`, `thread=`), it reads every
    `@word`, `<@id>` and `<@&id>` in the body, even escaped ones, and adds a "👉 @everyone <@1>"
    content line, under an `allow_mentions` key that Discord ignores, so Discord parses it (and
    any content) with its default, which pings everyone named. So: its mention scan reads only
    the URL's own `ping=` targets, and every payload carries Discord's real `allowed_mentions`,
    naming only those: whatever the text, format or template, nobody else is pinged."""
    post, scan = getattr(plugin, "_send", None), getattr(plugin, "ping_payload", None)
    if not callable(post):
        return False
    named = " ".join(getattr(plugin, "ping", None) or ())
    own: dict[str, Any] = scan(named) if callable(scan) and named else {}
    if callable(scan):
        plugin.ping_payload = lambda *texts: dict(own)  # the body is never scanned
    asked = own.get("allow_mentions") or {}
    allowed = {
        "parse": ["everyone"] if _PING_ALL & set(asked.get("parse", ())) else [],
        "users": sorted(asked.get("users", ())),
        "roles": sorted(asked.get("roles", ())),
    }

    def send(payload: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return post({**payload, "allowed_mentions": allowed}, *args, **kwargs)

    plugin._send = send
    return True
