"""Opening the database for the dashboard: read-only wherever the database allows it, so that
no page can change what the daemon keeps, even by mistake."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url

from watcher.errors import UsageError


def read_only_url(url: str) -> str:
    """`url`, asking for read-only access: a SQLite file opened with `mode=ro` (readers never
    block the daemon in WAL mode); a PostgreSQL session whose transactions are read-only.
    UsageError for a SQLite file that does not exist: there is nothing to show yet."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if parsed.query.get("uri") == "true" or database in ("", ":memory:"):
            return url
        if not Path(database).exists():
            raise UsageError(
                f"no database at {database} yet: add a watch or start the daemon first"
            )
        query = dict(parsed.query) | {"mode": "ro", "uri": "true"}
        ro = parsed.set(database=f"file:{quote(str(Path(database).absolute()))}", query=query)
        return ro.render_as_string(hide_password=False)
    if backend == "postgresql":
        options = str(parsed.query.get("options", ""))
        query = dict(parsed.query) | {
            "options": f"{options} -c default_transaction_read_only=on".strip()
        }
        return parsed.set(query=query).render_as_string(hide_password=False)
    # Other databases: opened as given (no read-only switch is known for them).
    return url
