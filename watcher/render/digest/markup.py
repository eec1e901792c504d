"""A digest as Markdown or HTML. Untrusted text is one line with its controls spelled out,
then escaped: a backslash before every ASCII punctuation mark in Markdown (so no mark, link or
block can start), entities in HTML; links and images only for http(s) URLs."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from watcher.controls import visible_url
from watcher.render.digest.words import (
    PREVIEW,
    TABLE_DAYS,
    Item,
    flat,
    period_line,
    posts_figure,
    sections,
    sparkline,
    web,
    who,
)

if TYPE_CHECKING:
    from watcher.digest import Digest

# -- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark
_MD_OWN = re.compile(r"([\\`*_\[\]<>|~#])")  # what could act in our own words


def _md(text: str, limit: int = PREVIEW) -> str:
    return _MD_SPECIAL.sub(r"\\\1", flat(text, limit))


def _own(text: str) -> str:
    """Our own words (numbers, times, labels): only what could act in them is escaped, such as
    the `_` of America/New_York."""
    return _MD_OWN.sub(r"\\\1", text)


def _md_target(url: str) -> str:
    """A link destination in `<…>`, which ends at the first `>`: so none is left in it."""
    return visible_url(url).replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")


def _md_link(url: str, label: str = "") -> str:
    if not web(url):
        return _md(url, len(url))
    return f"[{_md(label or url, len(label or url))}](<{_md_target(url)}>)"


def as_markdown(d: Digest) -> str:
    """The digest as Markdown: headings, a table of days, lists of posts and changes."""
    account = d.account.url
    shown = f"<{_md_target(account)}>" if web(account) else _md(account, len(account))
    lines = [f"## Digest: {_md(who(d))}", "", shown, ""]
    lines += [f"**{_own(period_line(d.period))}**", ""]
    posts = sparkline([day.posts for day in d.per_day])
    gained = sparkline([day.interactions for day in d.per_day])
    lines += [
        f"- Posts: **{_own(posts_figure(d))}** `{posts}`",
        f"- Interactions: **{d.interactions:,}** `{gained}`",
    ]
    if 1 < len(d.per_day) <= TABLE_DAYS:
        lines += ["", "| day | posts | interactions |", "| --- | ---: | ---: |"]
        lines += [
            f"| {day.date:%a %Y-%m-%d} | {day.posts:,} | {day.interactions:,} |"
            for day in d.per_day
        ]
    for section in sections(d):
        lines += ["", f"### {_own(section.title)}", ""]
        items = enumerate(section.items, 1)
        lines += [_md_item(item, n if section.numbered else 0) for n, item in items] or ["None."]
    return "\n".join(lines) + "\n"


def _md_item(item: Item, number: int) -> str:
    parts = [_own(text) for text in (item.head, item.detail) if text]
    if item.image and web(item.image):
        parts.append(f"![image](<{_md_target(item.image)}>)")
    parts += [_md_link(url, "post") for url in item.links]
    lines = [(f"{number}. " if number else "- ") + " · ".join(parts)]
    for label, text in item.quotes:
        if text.strip():
            lines.append(f"   > {label + ': ' if label else ''}{_md(text)}")
    return "\n".join(lines)


# -- HTML (a fragment: a mail or page puts it in its own document) ----------------------------


def _h(text: str, limit: int = PREVIEW) -> str:
    return html.escape(flat(text, limit), quote=True)


def _h_link(url: str, label: str = "") -> str:
    shown = _h(label or url, len(label or url))
    if not web(url):
        return shown
    return f'<a href="{html.escape(visible_url(url), quote=True)}">{shown}</a>'


def as_html(d: Digest) -> str:
    """The digest as an HTML fragment, every quoted text and URL escaped."""
    posts = sparkline([day.posts for day in d.per_day])
    gained = sparkline([day.interactions for day in d.per_day])
    out = [
        f"<h2>Digest: {_h(who(d))}</h2>",
        f"<p>{_h_link(d.account.url)}<br><b>{html.escape(period_line(d.period))}</b></p>",
        f"<p>Posts: <b>{html.escape(posts_figure(d))}</b> <code>{posts}</code><br>"
        f"Interactions: <b>{d.interactions:,}</b> <code>{gained}</code></p>",
    ]
    if 1 < len(d.per_day) <= TABLE_DAYS:
        rows = "".join(
            f"<tr><td>{day.date:%a %Y-%m-%d}</td><td>{day.posts:,}</td>"
            f"<td>{day.interactions:,}</td></tr>"
            for day in d.per_day
        )
        out.append(f"<table><tr><th>day</th><th>posts</th><th>interactions</th></tr>{rows}</table>")
    for section in sections(d):
        out.append(f"<h3>{html.escape(section.title)}</h3>")
        items = "".join(f"<li>{_html_item(item)}</li>" for item in section.items)
        listed = "ol" if section.numbered else "ul"
        out.append(f"<{listed}>{items}</{listed}>" if items else "<p>None.</p>")
    return "\n".join(out) + "\n"


def _html_item(item: Item) -> str:
    parts = [html.escape(text) for text in (item.head, item.detail) if text]
    if item.image and web(item.image):
        src = html.escape(visible_url(item.image), quote=True)
        parts.append(f'<img src="{src}" alt="" style="max-width:100%">')
    parts += [_h_link(url, "post") for url in item.links]
    quotes = "".join(
        f"<blockquote>{html.escape(label) + ': ' if label else ''}{_h(text)}</blockquote>"
        for label, text in item.quotes
        if text.strip()
    )
    return " · ".join(parts) + quotes
