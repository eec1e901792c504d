"""`watcher serve`: the read-only dashboard (see `watcher.serve`). It reads the daemon's
database beside it and changes nothing; beyond this machine it needs `[serve] token`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from watcher.cli.base import cli, common_options

if TYPE_CHECKING:
    from watcher.settings import Settings

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8787


@cli.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True, help="Port."
)
@common_options
def serve(host: str, port: int, config: str | None, db: str | None) -> None:
    """Serve a read-only dashboard of changes, watches, accounts and health (each page with a
    JSON twin under /api/). Any address but this machine's needs [serve] token."""
    from watcher.config import database_url, load_settings
    from watcher.serve import check_bind, read_only_url

    settings = load_settings(config)
    check_bind(host, settings.serve.token)  # before opening anything
    url = read_only_url(database_url(db, settings))
    run(settings, url, host, port)


def run(settings: Settings, url: str, host: str, port: int) -> None:
    """Open the store and serve until interrupted (uvicorn handles SIGINT and SIGTERM)."""
    import uvicorn

    from watcher.app import App
    from watcher.serve import create_app

    with App(settings, url) as app:
        web = create_app(app, settings.serve.token)
        click.echo(f"watcher: serving http://{_shown(host)}:{port}/ (read-only)", err=True)
        uvicorn.run(web, host=host, port=port, log_level="warning", server_header=False)


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host
