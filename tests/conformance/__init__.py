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
    field: str = ""  # the target's field (a feed item's link or guid)
    timeline: bool = False  # read with Source.timeline (an account) instead of fetch (a post)


@dataclass(frozen=True)
class Platform:
    source: str  # the platform name in watcher.sources.SOURCES
    cases: tuple[Case, ...]
    not_yet_used: Mapping[str, str]  # recording → what will use it; keeps the gap visible
    folder: str = ""  # the folder under ../shared/fixtures/platforms (default: `source`)

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
