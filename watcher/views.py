"""What the CLI asks of the app besides checks: reading history, listing, adding and removing
watches, status and deliveries. The CLI goes through these, never through the store."""

from __future__ import annotations

from watcher.store import Store


class Views:
    """Mixed into `App`: every store access the commands need, behind app-level names."""

    store: Store
