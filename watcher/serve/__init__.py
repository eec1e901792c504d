"""`watcher serve`: a read-only dashboard over the store, for people.

Server-rendered pages (Starlette, Jinja2 with autoescape), a JSON twin of each under `/api/`,
no script anywhere, charts as inline SVG. Modules: `guard` (who may read; the security
headers), `params` (query strings, checked), `data` (each page's values, read through the app
and masked), `diffview` and `charts` (pure drawing), `jsonview` (the twins), `routes` (the
application), `store` (opening the database read-only).
"""

from __future__ import annotations

from watcher.serve.guard import check_bind, is_local
from watcher.serve.routes import create_app
from watcher.serve.store import read_only_url

__all__ = ["check_bind", "create_app", "is_local", "read_only_url"]
