"""Point apprise's real Telegram, Slack and Discord plugins at a local FakeSite.

In this process: `with fake_chat_apis(site): ...` patches the plugins' API base URLs and makes
the site answer like the real APIs. In a subprocess (the daemon under test):
`subprocess.run([...], env=fake_api_env(site, tmp_path))` - a `sitecustomize.py` applies the
same patch when the child interpreter starts; the site (in this process) answers.

Paths on the site:

    /telegram/bot<token>/<method>             sendMessage -> {"ok": true, "result": {...}}
    /slack/hooks/<a>/<b>/<c>                  webhook     -> "ok"
    /slack/api/<method>                       bot API     -> {"ok": true, ...}
    /discord/webhooks/<id>/<token>            webhook     -> 204

Routes are matched by prefix, so any token works; a test that sets an exact route on the site
(`site.reply("/discord/webhooks/1/x", 500)`) overrides the fake answer for that path.

What arrived: `telegram_messages`, `slack_messages`, `discord_messages`, `json_messages`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from tests.server import FakeSite, Handler, Reply

ENV_VAR = "WATCHER_TEST_FAKE_APIS"

# Tokens in the shapes apprise accepts; use them through the URL helpers below.
TELEGRAM_TOKEN = "123456789:AAFakeTelegramToken_0123456789abcdef"
SLACK_TOKENS = ("T0FAKE0001", "B0FAKE0002", "FakeSlackWebhookSecret0123")
SLACK_BOT_TOKEN = "xoxb-1234-5678-FakeSlackBotToken"
DISCORD_ID, DISCORD_TOKEN = "112233445566778899", "FakeDiscordWebhookToken_0123456789"

# (module, class, attribute) -> path on the site; "{}" stays for slack's api_url.format(method)
_PATCHES: dict[tuple[str, str, str], str] = {
    ("apprise.plugins.telegram", "NotifyTelegram", "notify_url"): "/telegram/bot",
    ("apprise.plugins.slack", "NotifySlack", "webhook_url"): "/slack/hooks",
    ("apprise.plugins.slack", "NotifySlack", "api_url"): "/slack/api/{}",
    ("apprise.plugins.discord", "NotifyDiscord", "notify_url"): "/discord/webhooks",
}


def telegram_url(chat_id: str = "12345", params: str = "") -> str:
    """A tgram:// URL with a chat id (without one, apprise asks getUpdates who to send to)."""
    return f"tgram://{TELEGRAM_TOKEN}/{chat_id}" + (f"?{params}" if params else "")


def slack_url(channel: str = "#alerts", params: str = "") -> str:
    """A Slack incoming-webhook URL (posts to /slack/hooks/...)."""
    return f"slack://{'/'.join(SLACK_TOKENS)}/{channel}" + (f"?{params}" if params else "")


def slack_bot_url(channel: str = "#alerts", params: str = "") -> str:
    """A Slack bot-token URL (posts to /slack/api/chat.postMessage)."""
    return f"slack://{SLACK_BOT_TOKEN}/{channel}" + (f"?{params}" if params else "")


def discord_url(params: str = "") -> str:
    return f"discord://{DISCORD_ID}/{DISCORD_TOKEN}" + (f"?{params}" if params else "")


# ---- the fake APIs -------------------------------------------------------------------------


def _json(payload: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(payload), {"content-type": "application/json"})


def _telegram(path: str) -> Reply:
    method = path.split("?")[0].rsplit("/", 1)[-1]
    if method == "getMe":
        return _json(
            {"ok": True, "result": {"id": 123456789, "is_bot": True, "first_name": "fake"}}
        )
    if method == "getUpdates":  # what apprise asks when a URL has no chat id: nobody wrote yet
        return _json({"ok": True, "result": []})
    message = {"message_id": 1, "date": 0, "chat": {"id": 12345, "type": "private"}, "text": ""}
    return _json({"ok": True, "result": message})


def _slack_api(path: str) -> Reply:
    method = path.split("?")[0].rsplit("/", 1)[-1]
    if method == "users.lookupByEmail":
        return _json({"ok": True, "user": {"id": "U0FAKE"}})
    return _json({"ok": True, "channel": "C0FAKE", "ts": "1700000000.000100"})


_ANSWERS: dict[str, Handler] = {
    "/telegram/bot": _telegram,
    "/slack/hooks/": lambda path: Reply(200, "ok", {"content-type": "text/plain"}),
    "/slack/api/": _slack_api,
    "/discord/webhooks/": lambda path: Reply(204, b""),
}


class _Routes(dict[str, "Reply | Handler"]):
    """FakeSite's route table, plus answers chosen by path prefix when no exact route matches."""

    def __init__(self, routes: dict[str, Reply | Handler], prefixes: dict[str, Handler]) -> None:
        super().__init__(routes)
        self.prefixes = prefixes

    def get(self, key: str, default: Any = None) -> Any:
        hit = super().get(key)
        if hit is not None:
            return hit
        if "?" in key:  # FakeSite asks again without the query: answer that one
            return default
        for prefix, handler in self.prefixes.items():
            if key.startswith(prefix):
                return handler
        return default


def _patch(base: str) -> list[tuple[type, str, str]]:
    """Point the plugin classes at `base`; returns what to restore."""
    saved = []
    for (module, name, attribute), path in _PATCHES.items():
        cls = getattr(import_module(module), name)
        saved.append((cls, attribute, getattr(cls, attribute)))
        setattr(cls, attribute, base + path)
    return saved


@contextmanager
def fake_chat_apis(site: FakeSite) -> Iterator[FakeSite]:
    """apprise's Telegram, Slack and Discord plugins talk to `site`, which answers like them."""
    original = site.routes
    site.routes = _Routes(original, dict(_ANSWERS))
    saved = _patch(site.url)
    try:
        yield site
    finally:
        for cls, attribute, value in saved:
            setattr(cls, attribute, value)
        site.routes = dict(site.routes)


_SITECUSTOMIZE = '''\
"""Written by tests/fakeapis.py. When {var} is set, point apprise's chat plugins at that
local fake before anything runs. Test subprocesses only."""

import os as _os


def _fake_apis() -> None:
    base = _os.environ.get({var!r})
    if not base:
        return
    from importlib import import_module

    for (module, name, attribute), path in {patches!r}.items():
        setattr(getattr(import_module(module), name), attribute, base + path)


def _chain() -> None:
    """Run the sitecustomize this one shadows, if there is one."""
    import importlib.machinery
    import runpy
    import sys

    here = _os.path.dirname(_os.path.abspath(__file__))
    rest = [p for p in sys.path if _os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.origin:
        runpy.run_path(spec.origin)


_fake_apis()
_chain()
'''


def fake_api_env(site: FakeSite, tmp_path: Path) -> dict[str, str]:
    """A complete environment (this one plus two variables) for a subprocess whose apprise should
    talk to `site`: PYTHONPATH starts with a directory holding the `sitecustomize.py` that
    patches the plugins, and WATCHER_TEST_FAKE_APIS names the site. The site must be inside
    `fake_chat_apis(site)` (for its answers) while the subprocess sends."""
    folder = tmp_path / "fake-apis-site"
    folder.mkdir(exist_ok=True)
    source = _SITECUSTOMIZE.format(var=ENV_VAR, patches=_PATCHES)
    (folder / "sitecustomize.py").write_text(source, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, ENV_VAR: site.url}


# ---- what arrived --------------------------------------------------------------------------


def _payload(body: bytes) -> dict[str, Any]:
    """A JSON body, or a form body as a dict."""
    try:
        value = json.loads(body)
    except ValueError:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return value if isinstance(value, dict) else {"_": value}


def telegram_messages(site: FakeSite) -> list[dict[str, Any]]:
    """Every sendMessage payload, in order: `text`, `parse_mode`, `chat_id` and the rest."""
    return [
        _payload(p.body)
        for p in site.posts
        if p.path.startswith("/telegram/bot") and p.path.split("?")[0].endswith("/sendMessage")
    ]


def slack_messages(site: FakeSite) -> list[dict[str, Any]]:
    """Every message posted to the Slack webhook or chat.postMessage, in order, as
    {"text": what Slack renders, "mrkdwn": whether as mrkdwn, "channel": ..., "payload": raw}.
    apprise puts the body in `attachments[0].text` (legacy, the default) or, with `blocks=yes`,
    in `attachments[0].blocks[0].text.text` (type "mrkdwn" or "plain_text")."""
    found = []
    for post in site.posts:
        is_api = post.path.split("?")[0] == "/slack/api/chat.postMessage"
        if not (post.path.startswith("/slack/hooks/") or is_api):
            continue
        payload = _payload(post.body)
        found.append(
            {**_slack_text(payload), "channel": payload.get("channel"), "payload": payload}
        )
    return found


def _slack_text(payload: dict[str, Any]) -> dict[str, Any]:
    attachment = (payload.get("attachments") or [{}])[0]
    if "blocks" in attachment:
        text = attachment["blocks"][0]["text"]
        return {"text": text["text"], "mrkdwn": text["type"] == "mrkdwn"}
    if "text" in attachment:
        return {"text": attachment["text"], "mrkdwn": bool(payload.get("mrkdwn"))}
    return {"text": payload.get("text", ""), "mrkdwn": payload.get("mrkdwn", True)}


def discord_messages(site: FakeSite) -> list[dict[str, Any]]:
    """Every webhook payload, in order; the body is in `content` (`embeds` only with the URL's
    format=markdown, which watcher never adds)."""
    return [_payload(p.body) for p in site.posts if p.path.startswith("/discord/webhooks/")]


def json_messages(site: FakeSite, path: str) -> list[dict[str, Any]]:
    """What apprise's json:// plugin posted to `path`, in order:
    {"version": "1.0", "title": "", "message": body, "attachments": [], "type": "info"}."""
    return [p.json() for p in site.posts if p.path.split("?")[0] == path]
