"""The dashboard as a Starlette application: one route per page and its JSON twin, all GET
but the login form's POST, which changes nothing stored. Handlers are plain functions, run in
Starlette's thread pool (a few at a time), since the store's reads block."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

from anyio import to_thread
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from watcher.app import App
from watcher.errors import StoreError, UsageError
from watcher.model import EventKind
from watcher.serve import data, guard, jsonview
from watcher.serve.params import BadRequest, change_query, version

HERE = Path(__file__).parent
MAX_FORM = 4096  # bytes of a login form: a token, not an upload
_EXPORT_TYPES = {"warc": "application/warc", "html": "text/html", "json": "application/json"}
OPEN_PATHS = ("/login", "/static/")  # what anyone may load: the form and its stylesheet
READERS = 2  # pages read at once (see _lifespan)


def create_app(app: App, token: str = "", attempts: guard.Attempts | None = None) -> Guard:
    """The dashboard over `app`'s store; `token` (when set) must come with every request.
    `attempts` counts wrong tokens, from the login form and bearer headers alike (a fresh
    count unless given)."""
    attempts = guard.Attempts() if attempts is None else attempts
    pages = _Pages(app, token, attempts)
    routes = [
        Route("/", pages.changes),
        Route("/api/changes", pages.changes_api),
        Route("/watch/{watch_id:int}", pages.watch),
        Route("/api/watch/{watch_id:int}", pages.watch_api),
        Route("/watch/{watch_id:int}/export.{fmt:str}", pages.export),
        Route("/account/{watch_id:int}", pages.account),
        Route("/api/account/{watch_id:int}", pages.account_api),
        Route("/health", pages.health),
        Route("/api/health", pages.health_api),
        Route("/login", pages.login_form, methods=["GET"]),
        Route("/login", pages.login, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    web = Starlette(routes=routes, exception_handlers={404: pages.not_found}, lifespan=_lifespan)
    return Guard(web, token, attempts)


@asynccontextmanager
async def _lifespan(_: Starlette) -> AsyncIterator[None]:
    """Pages are read READERS at a time, not the thread pool's 40: each read holds a database
    connection, its cache and its rows (3-4 MB), and more at once would only grow the process
    on a machine of a few cores, where the reads share one interpreter lock anyway."""
    to_thread.current_default_thread_limiter().total_tokens = READERS
    yield


class Guard:
    """ASGI middleware: the security headers on every answer; with a token, nothing but the
    login form for a request that does not carry it (or its cookie), and a wait for a client
    that sent too many wrong ones."""

    def __init__(self, inner: ASGIApp, token: str, attempts: guard.Attempts) -> None:
        self.inner, self.token, self.attempts = inner, token, attempts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in guard.HEADERS.items()]
                message["headers"] = [*message.get("headers", [])] + [
                    h for h in extra if h[0] not in names
                ]
            await send(message)

        request = Request(scope)
        path = request.url.path
        refusal = None if path.startswith(OPEN_PATHS) else self._refusal(request)
        await (self.inner if refusal is None else refusal)(scope, receive, with_headers)

    def _refusal(self, request: Request) -> Response | None:
        """None when `request` may read; else the answer that refuses it. The login cookie
        is a hash no one can guess, so only a bearer token counts as an attempt."""
        cookie = request.cookies.get(guard.COOKIE, "")
        if not self.token or guard.cookie_matches(self.token, cookie):
            return None
        path = request.url.path
        given = guard.bearer(request.headers.get("authorization", ""))
        if given is None:
            return _refused(path)
        wait = self.attempts.attempt(_address(request), self.token, given)
        if wait is None:
            return None
        return _too_many(path, wait) if wait else _refused(path)


def _refused(path: str) -> Response:
    if path.startswith("/api/"):
        headers = {"www-authenticate": 'Bearer realm="watcher"'}
        return JSONResponse({"error": "a token is needed"}, 401, headers)
    return RedirectResponse("/login?" + urlencode({"next": path}), 303)


def _too_many(path: str, wait: int) -> Response:
    """429: this client sent too many wrong tokens; it may try again in `wait` seconds."""
    message = f"Too many wrong tokens from this address: try again in {wait} s."
    headers = {"retry-after": str(wait)}
    if path.startswith("/api/"):
        return JSONResponse({"error": message}, 429, headers)
    return PlainTextResponse(message, 429, headers)


def _address(request: Request) -> str:
    """The client as counted for wrong tokens (the peer's address, never a header it sent)."""
    return guard.client_key(request.client.host if request.client else None)


class _Pages:
    """The handlers, over one app and one template environment."""

    def __init__(self, app: App, token: str, attempts: guard.Attempts) -> None:
        self.app, self.token, self.attempts = app, token, attempts
        self.zone = ZoneInfo(app.settings.timezone)
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
        )
        self.env.filters["when"] = self._when
        self.env.globals["link"] = _link
        self.env.globals["kinds"] = [k.value for k in EventKind]

    # -- pages and their twins ----------------------------------------------------------

    def changes(self, request: Request) -> Response:
        return self._page(request, "changes.html", self._changes)

    def changes_api(self, request: Request) -> Response:
        return self._api(lambda: jsonview.changes_json(self._changes(request)))

    def _changes(self, request: Request) -> data.ChangesPage:
        return data.changes_page(self.app, change_query(request.query_params, self.zone))

    def watch(self, request: Request) -> Response:
        return self._page(request, "watch.html", self._watch)

    def watch_api(self, request: Request) -> Response:
        return self._api(lambda: jsonview.watch_page_json(self._watch(request)))

    def _watch(self, request: Request) -> data.WatchPage:
        params = request.query_params
        watch_id = int(request.path_params["watch_id"])
        return data.watch_page(self.app, watch_id, version(params, "old"), version(params, "new"))

    def export(self, request: Request) -> Response:
        """The watch's evidence as `watcher export` writes it, as a download (read-only)."""
        from watcher.export import FORMATS, SUFFIX, render

        fmt, watch_id = request.path_params["fmt"], int(request.path_params["watch_id"])
        if fmt not in FORMATS:
            return self.not_found(request, LookupError(fmt))
        try:
            body = render(self.app.evidence(str(watch_id)), fmt)
        except UsageError:
            return self.not_found(request, LookupError(watch_id))
        name = f"watch-{watch_id}-evidence.{SUFFIX[fmt]}"
        disposition = {"content-disposition": f'attachment; filename="{name}"'}
        return Response(body, 200, disposition, media_type=_EXPORT_TYPES[fmt])

    def account(self, request: Request) -> Response:
        return self._page(request, "account.html", self._account)

    def account_api(self, request: Request) -> Response:
        return self._api(lambda: jsonview.account_json(self._account(request)))

    def _account(self, request: Request) -> data.AccountPage:
        return data.account_page(self.app, int(request.path_params["watch_id"]))

    def health(self, request: Request) -> Response:
        return self._page(request, "health.html", lambda _: data.health_page(self.app))

    def health_api(self, request: Request) -> Response:
        return self._api(lambda: jsonview.health_json(data.health_page(self.app)))

    # -- logging in: the only POST; it sets a cookie and changes nothing stored ------------

    def login_form(self, request: Request) -> Response:
        return self._html("login.html", {"next": _next(request.query_params.get("next", ""))})

    async def login(self, request: Request) -> Response:
        body = await _small_body(request)
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        target = _next(form.get("next", ""))
        wait = self.attempts.attempt(_address(request), self.token, form.get("token", ""))
        if wait:
            headers = {"retry-after": str(wait)}
            return self._html("login.html", {"next": target, "wait": wait}, 429, headers)
        if wait is not None:
            return self._html("login.html", {"next": target, "wrong": True}, 403)
        response = RedirectResponse(target, 303)
        secure = request.url.scheme == "https"
        value = guard.session_value(self.token)
        response.set_cookie(guard.COOKIE, value, httponly=True, samesite="strict", secure=secure)
        return response

    # -- shared -------------------------------------------------------------------------

    def not_found(self, request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "not found"}, 404)
        return self._html("error.html", {"status": 404, "message": "Nothing here."}, 404)

    def _page(self, request: Request, name: str, read: Callable[[Request], Any]) -> Response:
        try:
            page = read(request)
        except (data.NotFound, BadRequest, StoreError) as exc:
            status = _status(exc)
            return self._html("error.html", {"status": status, "message": str(exc)}, status)
        return self._html(name, {"page": page, "params": dict(request.query_params)})

    def _api(self, read: Callable[[], dict[str, Any]]) -> Response:
        try:
            return JSONResponse(read())
        except (data.NotFound, BadRequest, StoreError) as exc:
            return JSONResponse({"error": str(exc)}, _status(exc))

    def _html(
        self,
        name: str,
        context: Mapping[str, Any],
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        body = self.env.get_template(name).render(**context)
        return HTMLResponse(body, status, headers)

    def _when(self, moment: datetime | None) -> str:
        """A time in the dashboard's zone, to the minute."""
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _status(exc: Exception) -> int:
    if isinstance(exc, data.NotFound):
        return 404
    return 400 if isinstance(exc, BadRequest) else 503


def _link(path: str, **params: object) -> str:
    """`path` with the query `params` that have a value (the templates' page links)."""
    given = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(given)}" if given else path


def _next(target: str) -> str:
    """Where to go after logging in: a path on this site, never another site."""
    ok = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if ok else "/"


async def _small_body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return b""
    return body
