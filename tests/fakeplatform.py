"""A Mastodon-shaped fake platform on FakeSite for account scenarios: one account whose
timeline and statuses a test changes between checks (post, delete, go private, vanish)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.server import FakeSite, Reply
from watcher.settings import ChannelSettings, DetectSettings, PlatformSettings, Settings

JSON = {"content-type": "application/json; charset=utf-8"}
ACCOUNT_ID = "109000000000000001"
INSTANCE = "https://social.example"
PROFILE = f"{INSTANCE}/@ann"
STATUSES = f"/api/v1/accounts/{ACCOUNT_ID}/statuses"


@dataclass
class FakeAccount:
    site: FakeSite
    posts: list[dict[str, Any]] = field(default_factory=list)  # newest first
    deleted: set[str] = field(default_factory=set)
    unlisted: set[str] = field(default_factory=set)  # left out of the timeline, still there
    page_size: int = 20
    private: bool = False  # the timeline lists nothing (locked, or hidden from visitors)
    gone: bool = False  # the account itself answers 404
    # status id → its versions, oldest first, as GET /api/v1/statuses/:id/history lists them
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.site.set("/api/v1/accounts/lookup", self._lookup)
        self.site.set(STATUSES, self._timeline)

    def post(
        self, text: str, age: timedelta = timedelta(minutes=1), at: datetime | None = None
    ) -> str:
        """Publish a status `age` ago (or `at` that time); returns its id (ids grow with time,
        like Snowflakes)."""
        ident = str(110000000000000000 + len(self.posts) + 1)
        created = at or datetime.now(UTC) - age
        status = {
            "id": ident,
            "created_at": _iso(created),
            "url": f"{PROFILE}/{ident}",
            "content": f"<p>{text}</p>",
            "account": {"id": ACCOUNT_ID, "acct": "ann", "username": "ann"},
            "edited_at": None,
            "reblog": None,
            "spoiler_text": "",
            "media_attachments": [],
            "favourites_count": 0,
        }
        self.posts.insert(0, status)
        self.history[ident] = [self._version(status)]
        self.site.set(f"/api/v1/statuses/{ident}", lambda _path, s=status: self._status(s))
        self.site.set(f"/api/v1/statuses/{ident}/history", lambda _path, i=ident: self._edits(i))
        return ident

    def edit(self, ident: str, text: str, at: datetime | None = None) -> None:
        """Edit a status: its content and `edited_at` change, its history gains a version."""
        status = next(p for p in self.posts if p["id"] == ident)
        status["content"] = f"<p>{text}</p>"
        status["edited_at"] = _iso(at or datetime.now(UTC))
        self.history[ident].append(self._version(status))

    @staticmethod
    def _version(status: dict[str, Any]) -> dict[str, Any]:
        """A StatusEdit: the version's content and the time it was made."""
        keys = ("content", "spoiler_text", "media_attachments", "account")
        made = status["edited_at"] or status["created_at"]
        return {key: status[key] for key in keys} | {"created_at": made, "sensitive": False}

    def _edits(self, ident: str) -> Reply:
        return Reply(200, json.dumps(self.history[ident]), JSON)

    def delete(self, ident: str) -> None:
        self.deleted.add(ident)

    def listed(self) -> list[str]:
        return [p["id"] for p in self._visible()][: self.page_size]

    def _visible(self) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["id"] not in self.deleted | self.unlisted]

    def _lookup(self, _path: str) -> Reply:
        if self.gone:
            return Reply(404, json.dumps({"error": "Record not found"}), JSON)
        return Reply(200, json.dumps({"id": ACCOUNT_ID, "acct": "ann", "username": "ann"}), JSON)

    def _timeline(self, _path: str) -> Reply:
        if self.gone:
            return Reply(404, json.dumps({"error": "Record not found"}), JSON)
        listed = [] if self.private else self._visible()[: self.page_size]
        return Reply(200, json.dumps(listed), JSON)

    def _status(self, status: dict[str, Any]) -> Reply:
        if status["id"] in self.deleted or self.gone:
            return Reply(404, json.dumps({"error": "Record not found"}), JSON)
        return Reply(200, json.dumps(status), JSON)

    def status_hits(self) -> int:
        """Direct status fetches so far (the timeline and lookups not counted)."""
        return sum(1 for path, _ in self.site.requests if path.startswith("/api/v1/statuses/"))


def mastodon_settings(site: FakeSite) -> Settings:
    """Settings that read Mastodon from `site` and alert one channel (never drained here)."""
    return Settings(
        platforms={"mastodon": PlatformSettings(base_url=site.url)},
        channels=(ChannelSettings("chat", "json://127.0.0.1:9/notify"),),
        detect=DetectSettings(confirm_deletions=2, confirm_pause=0.01),
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
