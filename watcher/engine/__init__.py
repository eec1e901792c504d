"""The I/O around sans-I/O sources: an event loop's HTTP engine that runs source flows."""

from watcher.engine.client import Engine

__all__ = ["Engine"]
