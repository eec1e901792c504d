"""watcher: know the moment a public post is edited, deleted, restored, or a new one appears."""

__version__ = "0.1.0"
