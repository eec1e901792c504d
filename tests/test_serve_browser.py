"""`watcher serve` in a real headless Chromium (Debian's `chromium` and `chromium-driver`;
selenium never downloads a browser or a driver): the pages load over uvicorn, the diff is
<del>/<ins> markup, a hostile post runs nothing, and screenshots are saved. Outside CI the
tests are skipped when the browser is missing; in CI (CI=true) they must run."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW
from tests.serve_data import Site, write_site
from watcher.app import App
from watcher.serve import create_app, read_only_url
from watcher.settings import Settings

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# The README's screenshot is taken again only when asked (tests never write into the checkout
# otherwise): WATCHER_README_SHOT=1 .venv/bin/pytest tests/test_serve_browser.py
README_SHOT = Path(__file__).parents[1] / "docs" / "serve-watch.png"


def _missing() -> str:
    gone = [p for p in (CHROMIUM, DRIVER) if not shutil.which(p)]
    return (
        f"{' and '.join(gone)} not installed (apt-get install chromium chromium-driver)"
        if gone
        else ""
    )


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Site]]:
    """The dashboard served by uvicorn on a free local port, in a thread."""
    import uvicorn

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'w.db'}"
    with App(Settings(), url, clock=lambda: NOW) as app:
        site = write_site(app.store)
    with App(Settings(), read_only_url(url), clock=lambda: NOW) as app:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        config = uvicorn.Config(create_app(app), host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        try:
            yield f"http://127.0.0.1:{port}", site
        finally:
            server.should_exit = True
            thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = _missing()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests: {problem}")
        pytest.skip(problem)
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never fetch a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1100,1400",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def test_every_page_loads_in_chromium(browser: Any, base_url: tuple[str, Site], shots: Path):
    base, site = base_url
    pages = {
        "changes": "/",
        "watch": f"/watch/{site.edited}",
        "account": f"/account/{site.account}",
        "health": "/health",
    }
    for name, path in pages.items():
        browser.get(base + path)
        assert browser.find_element("tag name", "h1").text
        assert "watcher" in browser.title
        assert browser.save_screenshot(str(shots / f"{name}.png"))
    browser.get(base + f"/account/{site.account}")
    assert len(browser.find_elements("css selector", "svg rect.bar")) == 28


def test_the_diff_is_del_and_ins_markup(browser: Any, base_url: tuple[str, Site], shots: Path):
    base, site = base_url
    browser.get(f"{base}/watch/{site.edited}")
    removed = browser.find_elements("css selector", ".inline del")
    assert [d.text.strip() for d in removed] == [
        "“The best way to predict the future is to invent it.” —— Alan Kay"
    ]
    browser.get(f"{base}/watch/{site.edited}?old=2&new=1")
    assert browser.find_elements("css selector", ".inline ins")
    browser.get(f"{base}/watch/{site.edited}")
    assert browser.save_screenshot(str(shots / "watch.png"))
    if os.environ.get("WATCHER_README_SHOT"):
        assert browser.save_screenshot(str(README_SHOT))


def test_a_hostile_post_runs_nothing(browser: Any, base_url: tuple[str, Site], shots: Path):
    base, site = base_url
    for path in (f"/watch/{site.hostile}", "/", "/?q=pwned"):
        browser.get(base + path)
        assert "pwned" not in browser.title
        assert browser.execute_script("return window.__pwned === undefined")
        assert not browser.find_elements("css selector", "main img, main script, main svg[onload]")
    text = browser.find_element("tag name", "main").text
    assert "<script>document.title='pwned';window.__pwned=1</script>" in text
    browser.save_screenshot(str(shots / "hostile.png"))
