"""Commands that organise the watches: import, pause, resume, edit.

`import` reads what people bring from other tools: a plain list of URLs, changedetection.io's
URL list (`url-list.txt`, or `url-list-with-tags.txt` and its import box: a URL, then a space
and its tags, comma-separated), or urlwatch's `urls.yaml`. That YAML is read by a small bounded
reader of its top-level `key: value` lines (PyYAML is not a dependency of watcher): `url:` (or
`navigate:`, a browser job) and `name:` are kept, everything else (filters, headers) is not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

import click

from watcher.cli.base import (
    cli,
    common_options,
    emit_json,
    filter_options,
    given,
    open_app,
    silence_option,
    times,
    tz_option,
)
from watcher.errors import UsageError
from watcher.words import counted

if TYPE_CHECKING:
    from watcher.app import App
    from watcher.model import Target, Watch
    from watcher.views import Pausing

MAX_BYTES = 4 * 1024 * 1024  # a list of watches, not a data set
MAX_ENTRIES = 10_000
MAX_LINE = 8192
_YAML_KEY = re.compile(r"([A-Za-z_][\w-]*):(?:[ \t]+(.*))?")
_SINGLE = re.compile(r"'((?:[^']|'')*)'")  # 'it''s'
_DOUBLE = re.compile(r'"((?:[^"\\]|\\.)*)"')  # "a \"b\""


@dataclass(frozen=True, slots=True)
class Entry:
    """A watch a file lists, at its line; `problem`: why it cannot be one."""

    line: int
    url: str
    name: str = ""
    tags: tuple[str, ...] = ()
    problem: str = ""


@dataclass
class Tally:
    """What an import did: watches added by platform, those left as they were, repeated
    lines, and the lines skipped with why."""

    added: Counter[str] = field(default_factory=Counter)
    existing: int = 0
    repeated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


# -- import ---------------------------------------------------------------------------------


@cli.command(name="import")
@click.argument("source", metavar="FILE|-", type=click.File("rb"))
@click.option("--interval", "-i", default="", help="How often to check each (default: config's).")
@click.option(
    "--channel", "channels", multiple=True, metavar="NAME", help="Alert this channel (repeat)."
)
@click.option("--tag", "-t", "tags", multiple=True, metavar="TAG", help="Tag each one (repeat).")
@click.option("--dry-run", is_flag=True, help="Say what would be imported; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@common_options
@click.pass_context
def import_(
    ctx: click.Context,
    source: BinaryIO,
    interval: str,
    channels: tuple[str, ...],
    tags: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    config: str | None,
    db: str | None,
) -> None:
    """Add the watches FILE lists (`-`: standard input): one URL per line (blank lines and #
    comments skipped), changedetection.io's URL list (a URL, then its tags comma-separated),
    or urlwatch's urls.yaml (each job's url and name). Each URL's platform is recognised as
    `add` does; a URL watched already is left as it is. Bad lines are reported with their
    line number and skipped: then the exit code is 1."""
    from watcher.cli.watches import interval_seconds
    from watcher.views import checked_tags

    checked_tags(tags)  # a bad --tag is one usage error, not one per line
    entries = parse(_read(source))
    with open_app(config, db) as app:
        seconds = interval_seconds(interval) if interval else app.settings.default_interval
        _check_channels(app, channels)
        tally = _import(app, entries, seconds, channels or None, tags, dry_run)
    if as_json:
        emit_json(_tally_json(tally, dry_run))
    else:
        for line, problem in tally.skipped:
            click.echo(_visible(f"watcher: line {line}: {problem}"), err=True)
        click.echo(_visible(_summary(tally, dry_run)))
    ctx.exit(1 if tally.skipped else 0)


def _read(source: BinaryIO) -> str:
    data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UsageError(f"the file is larger than {MAX_BYTES // 2**20} MiB: split it")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"the file is not UTF-8 text (byte {exc.start})") from None


def _check_channels(app: App, channels: Sequence[str]) -> None:
    for channel in channels:
        if app.settings.channel(channel) is None:
            raise UsageError(f"--channel: no channel {channel!r} in the config")


def _import(
    app: App,
    entries: Sequence[Entry],
    seconds: float,
    channels: tuple[str, ...] | None,
    extra: Sequence[str],
    dry_run: bool,
) -> Tally:
    """Add each entry's watch (unless it exists), tallying what happened."""
    from watcher.views import checked_name, checked_tags

    tally = Tally()
    seen: set[Target] = set()
    for entry in entries:
        try:
            if entry.problem:
                raise UsageError(entry.problem)
            target = app.target(entry.url)
            label = (checked_name(entry.name), checked_tags((*entry.tags, *extra)))
        except UsageError as exc:
            tally.skipped.append((entry.line, str(exc)))
            continue
        if target in seen:
            tally.repeated += 1
            continue
        seen.add(target)
        if app.import_watch(target, seconds, channels, label, dry_run):
            tally.added[target.platform] += 1
        else:
            tally.existing += 1
    return tally


def _summary(t: Tally, dry_run: bool) -> str:
    """E.g. `imported 40: 35 web, 3 mastodon, 2 weibo; 1 already watched; 1 skipped (line 7:
    not an http(s) URL: 'x')`."""
    count = sum(t.added.values())
    line = f"{'would import' if dry_run else 'imported'} {count}"
    if count:
        line += ": " + ", ".join(f"{n} {platform}" for platform, n in _by_count(t.added))
    parts = [line]
    if t.existing:
        parts.append(f"{t.existing} already watched")
    if t.repeated:
        parts.append(f"{t.repeated} repeated")
    if len(t.skipped) == 1:
        parts.append(f"1 skipped (line {t.skipped[0][0]}: {t.skipped[0][1]})")
    elif t.skipped:
        lines = ", ".join(str(n) for n, _ in t.skipped[:10])
        more = f" and {len(t.skipped) - 10} more" if len(t.skipped) > 10 else ""
        parts.append(f"{len(t.skipped)} skipped (lines {lines}{more})")
    return "; ".join(parts)


def _tally_json(t: Tally, dry_run: bool) -> dict[str, object]:
    return {
        "imported": sum(t.added.values()),
        "platforms": dict(_by_count(t.added)),
        "already_watched": t.existing,
        "repeated": t.repeated,
        "skipped": [{"line": line, "reason": why} for line, why in t.skipped],
        "dry_run": dry_run,
    }


def _by_count(counts: Counter[str]) -> list[tuple[str, int]]:
    """Most first, ties by name: the same file always reads the same."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _visible(text: str) -> str:
    from watcher.controls import visible

    return visible(text)


# -- reading the file -----------------------------------------------------------------------


def parse(text: str) -> list[Entry]:
    """The entries of a URL list or of urlwatch's urls.yaml (told apart by the first line
    that says something: a `key:` or `---` starts YAML)."""
    lines = text.splitlines()
    first = next((s for s in map(str.strip, lines) if s and not s.startswith("#")), "")
    yaml = first == "---" or _YAML_KEY.fullmatch(first) is not None
    entries = list(_yaml_jobs(lines) if yaml else _url_lines(lines))
    if len(entries) > MAX_ENTRIES:
        raise UsageError(f"more than {MAX_ENTRIES} entries: split the file")
    return entries


def _url_lines(lines: Sequence[str]) -> Iterator[Entry]:
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > MAX_LINE:
            yield Entry(number, "", problem=f"longer than {MAX_LINE} characters")
            continue
        url, *rest = line.split(maxsplit=1)
        yield Entry(number, url, tags=_listed_tags(rest[0] if rest else ""))


def _listed_tags(text: str) -> tuple[str, ...]:
    """changedetection.io's tags after a URL: `news, ceo`. Its newer exports write a list of
    tag ids there instead (`['3f2a…']`): ids name nothing here, so they are left out."""
    if text.startswith(("[", "{")):
        return ()
    return tuple(tag.strip() for tag in text.split(",") if tag.strip())


def _yaml_jobs(lines: Sequence[str]) -> Iterator[Entry]:
    """urlwatch's jobs: YAML documents separated by `---`, each read by its top-level
    `key: value` lines (indented lines and list items belong to keys not read)."""
    job: dict[str, tuple[int, str]] = {}
    start = 1
    for number, raw in enumerate(lines, 1):
        if raw.rstrip() in ("---", "..."):
            yield from _job_entry(job, start)
            job, start = {}, number + 1
            continue
        if not raw.strip() or raw.lstrip().startswith("#") or raw[0] in " \t-":
            continue
        found = _YAML_KEY.fullmatch(raw.rstrip()[:MAX_LINE])
        if found is None:
            yield Entry(number, "", problem="not a `key: value` line of a urlwatch job")
            continue
        job.setdefault(found[1], (number, _scalar(found[2] or "")))
    yield from _job_entry(job, start)


def _job_entry(job: dict[str, tuple[int, str]], start: int) -> Iterator[Entry]:
    if not job:
        return
    if "command" in job:
        yield Entry(job["command"][0], "", problem="a shell command job, not a URL")
        return
    found = job.get("url") or job.get("navigate")
    if found is None:
        yield Entry(start, "", problem="a job without `url:`")
        return
    yield Entry(found[0], found[1], name=job.get("name", (0, ""))[1])


def _scalar(value: str) -> str:
    """A YAML scalar as written on one line: quoted ('it''s', "a \\"b\\"") or plain (up to
    a comment)."""
    value = value.strip()
    single, double = _SINGLE.match(value), _DOUBLE.match(value)
    if single:
        return single[1].replace("''", "'")
    if double:
        return re.sub(r"\\(.)", r"\1", double[1])
    return value.split(" #", 1)[0].rstrip()


# -- pause, resume, edit --------------------------------------------------------------------


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.option("--json", "as_json", is_flag=True, help="Print the watch as JSON.")
@common_options
def pause(ref: str, as_json: bool, config: str | None, db: str | None) -> None:
    """Stop checking a watch without removing it (an account: with the posts it follows);
    `watcher resume` checks it again. `list` shows it as paused."""
    with open_app(config, db) as app:
        done = app.pause(ref)
    w = done.watch
    if as_json:
        emit_json(_pausing_json(done))
        return
    if not done.changed:
        click.echo(f"watch {w.id} is paused already")
        return
    posts = f" with {counted(done.posts, 'post')} it follows" if done.posts else ""
    kept = f"{counted(w.revisions, 'version')} {'is' if w.revisions == 1 else 'are'} kept"
    click.echo(f"watch {w.id} paused{posts}; its {kept} (`watcher resume {w.id}`)")


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.option("--json", "as_json", is_flag=True, help="Print the watch as JSON.")
@tz_option
@common_options
def resume(ref: str, as_json: bool, tz: str, config: str | None, db: str | None) -> None:
    """Check a paused watch again (and the posts that paused with it), from where its
    schedule stood: at once if its next check has passed."""
    with open_app(config, db) as app:
        done = app.resume(ref)
        show = times(app, tz)
    if as_json:
        emit_json(_pausing_json(done))
        return
    w = done.watch
    posts = f" with {counted(done.posts, 'post')} it follows" if done.posts else ""
    did = "resumed" if done.changed else "is not paused"
    when = "now" if show.now and w.next_check_at <= show.now else show.at(w.next_check_at)
    click.echo(f"watch {w.id} {did}{posts}: next check {when}")


def _pausing_json(done: Pausing) -> dict[str, object]:
    from watcher import serialize

    return {"watch": serialize.watch_json(done.watch), "changed": done.changed, "posts": done.posts}


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.option("--interval", "-i", default=None, help="Check it this often, e.g. 30s, 10m, 1h.")
@click.option(
    "--channel", "channels", multiple=True, metavar="NAME", help="Alert only this channel (repeat)."
)
@click.option("--all-channels", is_flag=True, help="Alert every channel again.")
@click.option(
    "--selector", "-s", default=None, metavar="CSS", callback=given, help="web: read this."
)
@click.option(
    "--field", "-f", default=None, metavar="PATH", callback=given, help="json: read this."
)
@click.option("--name", "-n", default=None, help='Call it this ("" clears the name).')
@click.option("--tag", "-t", "tags", multiple=True, metavar="TAG", help="Add a tag (repeat).")
@click.option("--untag", multiple=True, metavar="TAG", help="Drop a tag (repeat).")
@filter_options
@silence_option
@click.option("--json", "as_json", is_flag=True, help="Print the watch and the changes as JSON.")
@common_options
def edit(
    ref: str,
    interval: str | None,
    channels: tuple[str, ...],
    all_channels: bool,
    selector: str | None,
    field: str | None,
    name: str | None,
    tags: tuple[str, ...],
    untag: tuple[str, ...],
    ignore: str | None,
    min_change: int | None,
    silence: str | None,
    as_json: bool,
    config: str | None,
    db: str | None,
) -> None:
    """Change a watch in place: its stored versions, events and state are kept. After a new
    --selector, --field or --ignore, the next check compares what it reads with the last
    stored version (a difference is reported as an edit)."""
    from watcher.cli.watches import interval_seconds
    from watcher.views import Change

    if channels and all_channels:
        raise UsageError("--channel and --all-channels contradict each other")
    change = Change(
        interval_seconds(interval) if interval is not None else None,
        () if all_channels else (channels or None),
        selector,
        field,
        name,
        tags,
        untag,
        ignore,
        min_change,
        silence,
    )
    if change == Change():
        raise UsageError("nothing to change: give an option (`watcher edit --help`)")
    with open_app(config, db) as app:
        _check_channels(app, channels)
        before, after = app.edit(ref, change)
    said = _changes(before, after)
    if as_json:
        from watcher import serialize

        emit_json({"watch": serialize.watch_json(after), "changes": said})
        return
    click.echo(_visible(f"watch {after.id}: {'; '.join(said) or 'nothing changed'}"))


def _changes(before: Watch, after: Watch) -> list[str]:
    """What `edit` changed, in words."""
    from watcher.detect import format_duration

    said = []
    if after.interval != before.interval:
        said.append(f"every {format_duration(after.interval)}")
    if after.channels != before.channels:
        said.append(f"alerts {', '.join(after.channels) or 'every channel'}")
    if after.name != before.name:
        said.append(f"name {after.name!r}" if after.name else "no name")
    if after.tags != before.tags:
        said.append(f"tags {', '.join(after.tags)}" if after.tags else "no tags")
    if after.target != before.target:
        reads = after.target.selector or after.target.field
        said.append(
            f"reads {reads!r}; the next check compares it with version {after.revisions}"
            if after.revisions
            else f"reads {reads!r}"
        )
    if after.silence != before.silence:
        from watcher.activity import setting_text

        said.append(f"silence {setting_text(after.silence)}")
    return said + _filters_changed(before, after)


def _filters_changed(before: Watch, after: Watch) -> list[str]:
    """What `edit` changed of a watch's filters, in words."""
    old, new = before.filters, after.filters
    said = []
    if new.ignore != old.ignore:
        ignores = f"ignores {new.ignore!r}" if new.ignore else "ignores nothing"
        if after.revisions:
            ignores += f"; the next check compares what is left with version {after.revisions}"
        said.append(ignores)
    if new.min_change != old.min_change:
        every = f"edits of {new.min_change}+ characters" if new.min_change else "every edit"
        said.append(f"reports {every}")
    return said
