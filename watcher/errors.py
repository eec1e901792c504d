"""One exception tree for the whole package.

    WatcherError
    ├── ConfigError      a bad config file, key or value            (CLI exit 2)
    ├── UsageError       bad command-line input: URL, platform, id  (CLI exit 2)
    ├── StoreError       the database cannot be opened or written   (CLI exit 2)
    ├── DeliveryError    a channel did not accept a notification (apprise)
    └── FetchError       a request did not produce a usable response
        ├── TooLarge         the body passed the byte cap
        ├── BadBody          the body is not what the source parses (not HTML, not JSON)
        ├── TransportError   timeout, refused connection, redirect loop, TLS
        └── HostBackoff      the host told us to wait (429) and the wait is not over

Foreign exceptions (httpx, SQLAlchemy, lxml, apprise) are mapped to these at the module that
calls them.
A `FetchError` never escapes a source: the source turns it into a `Failed` observation, because
a failed fetch is a fact about this check, not an error of the program.
"""

from __future__ import annotations


class WatcherError(Exception):
    """Root of every error watcher raises on purpose."""


class ConfigError(WatcherError):
    """The configuration (file, key, value or environment variable) is invalid."""


class UsageError(WatcherError):
    """The command line asked for something that cannot be done as stated."""


class StoreError(WatcherError):
    """The database could not be opened, migrated, read or written."""


class DeliveryError(WatcherError):
    """A channel did not accept a notification: apprise reported failure, raised, or cannot use
    the channel's URL. The message is one line with the URL's secrets masked."""

    def __init__(self, message: str, delivered: int = 0) -> None:
        super().__init__(message)
        self.delivered = delivered  # bodies of the failed send that the channel did accept


class FetchError(WatcherError):
    """A request did not produce a usable response."""


class TooLarge(FetchError):
    """The response body passed the configured byte cap."""


class BadBody(FetchError):
    """The body is not of the kind the source parses."""


class TransportError(FetchError):
    """Network-level failure: timeout, connection, redirect loop, TLS."""


class HostBackoff(FetchError):
    """The host asked us to slow down (HTTP 429) and its Retry-After has not passed yet."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
