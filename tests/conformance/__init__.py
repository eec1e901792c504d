"""The table the conformance test runs: one module per platform, each defining `PLATFORM`,
a list of recordings in ../shared/fixtures/platforms/<folder>/ and what the adapter must make of
each. Add a platform by adding a module here; test_conformance.py finds it."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from watcher.model import Observation, Page


@dataclass(frozen=True)
class Case:
    file: str  # the recording, relative to the platform folder
    watch: str  # the URL a user would watch
    serve_at: str  # the path (with query) the adapter requests; FakeSite answers it with `file`
    expect: type[Observation] | type[Page]
    # Expected attributes: of the Post for Seen, of the observation itself otherwise.
    fields: Mapping[str, Any] = field(default_factory=dict)
    # More requests the adapter makes for this observation: path (with query) → recording.
    extra: Mapping[str, str] = field(default_factory=dict)
    # Served as `{wrap: recording}`: the recording is one member of a larger answer (a union
    # member of a Bluesky thread, say), so it is served inside the envelope the API defines.
    wrap: str = ""
    # Requests answered with our own payloads (tests/fixtures/<source>/<file>), where the
    # recording's companion answer was not recorded: path (with query) → file.
    own: Mapping[str, str] = field(default_factory=dict)
    field: str = ""  # the target's field (a feed item's link or guid)
    timeline: bool = False  # read with Source.timeline (an account) instead of fetch (a post)


@dataclass(frozen=True, eq=False)
class MediaUrls:
    """Equal to a Page's `posts` when each post's `media_urls` are the ones given for its id
    (none for a post not named): the expectation of a page's `"posts"` field."""

    by_id: Mapping[str, tuple[str, ...]]

    def __eq__(self, other: object) -> bool:
        posts = other if isinstance(other, tuple) else ()
        return {post.id: post.media_urls for post in posts if post.media_urls} == dict(self.by_id)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Platform:
    source: str  # the platform name in watcher.sources.SOURCES
    cases: tuple[Case, ...]
    not_yet_used: Mapping[str, str]  # recording → what will use it; keeps the gap visible
    folder: str = ""  # the folder under ../shared/fixtures/platforms (default: `source`)
    # Recordings a test outside the Case table reads (a method cases do not run, or several
    # recordings in sequence): recording → "tests/test_module.py::test_function". The
    # bookkeeping test checks that the function exists and names the recording.
    used_by: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.folder or self.source


def platforms() -> dict[str, Platform]:
    """Every platform module's PLATFORM, by recordings folder name."""
    found: dict[str, Platform] = {}
    for info in pkgutil.iter_modules(__path__):
        platform = importlib.import_module(f"{__name__}.{info.name}").PLATFORM
        found[platform.name] = platform
    return found
