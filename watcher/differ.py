"""Pure text diffing: what was removed from a post and what was added.

Why token-level: a character diff of "colour" → "color" reports letter soup ("colo", "-u", "r"),
and a character diff of an emoji with a skin tone can remove half a code-point sequence, which no
reader can see and no renderer can draw. So both texts are cut into tokens first — whole words
for scripts that separate words with spaces, one token per character for Chinese, Japanese and
other unspaced scripts, whitespace runs, and one extended grapheme cluster for anything else —
and diff-match-patch diffs the token sequences. Every piece of a diff is therefore made of whole
tokens, and every token is made of whole grapheme clusters.

The op convention follows `watcher.model.Diff`: -1 removed, 0 same, 1 added.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import regex
from diff_match_patch import diff_match_patch

from watcher.model import Diff, DiffOp

REMOVED, SAME, ADDED = -1, 0, 1

# Letters that start a word run: word characters of scripts that put spaces between words.
# Scripts written without spaces (CJK ideographs, kana, Thai, ...) are left out, so each of
# their characters becomes its own token; marks and joiners are left out because they only
# ever continue a grapheme cluster, never start one.
_NO_SPACE_SCRIPTS = (
    r"\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}\p{Yi}\p{Thai}\p{Lao}\p{Khmer}"
    r"\p{Myanmar}\p{Tibetan}\p{Javanese}\p{Balinese}\u30fc\uff70"  # ー/ｰ: kana length marks
)
_WORD_START = rf"[\w--[{_NO_SPACE_SCRIPTS}\p{{M}}\p{{Join_Control}}]]"
_TOKEN = regex.compile(
    # A word run, keeping "2.8", "28,000" and "don't" whole, so a cut context or a change never
    # shows half a number.
    rf"(?:(?={_WORD_START})\X|(?<=\d)[.,](?=\d)|(?<={_WORD_START})['’](?={_WORD_START}))+"
    r"|(?:(?=\s)\X)+"  # a whitespace run
    r"|\X",  # anything else: one grapheme (a CJK character, a punctuation mark, an emoji)
    regex.V1,
)
_GRAPHEME = regex.compile(r"\X")

# Code points that stand for multi-character tokens while diff-match-patch runs. Private-use
# planes first so the encoded text looks like nothing real; then any other non-surrogate.
_CODE_RANGES: tuple[range, ...] = (
    range(0xF0000, 0x110000),
    range(0xE000, 0xF900),
    range(0x10000, 0xF0000),
    range(0x0, 0xD800),
    range(0xF900, 0x10000),
)


@dataclass(frozen=True, slots=True)
class Hunk:
    """One changed passage of a longer diff, with a little unchanged text around it.

    A renderer puts "…" before the hunk unless `starts_at_beginning`, and after it unless
    `ends_at_end`.
    """

    ops: Diff
    starts_at_beginning: bool
    ends_at_end: bool


def tokenize(text: str) -> tuple[str, ...]:
    """The tokens the diff works on; they concatenate back to `text`."""
    return tuple(_TOKEN.findall(text))


def diff_texts(old: str, new: str, timeout: float = 1.0) -> Diff:
    """Token-level diff of `old` → `new`, cleaned up for people to read.

    `timeout` is diff-match-patch's `Diff_Timeout` in seconds (0 means no limit); when it runs
    out the diff is coarser but still correct. Joining the ops 0 and -1 gives `old`, joining
    0 and 1 gives `new`; no op has empty text, so two empty texts give `()`.
    """
    if old == new:
        return ((SAME, old),) if old else ()
    old_tokens, new_tokens = tokenize(old), tokenize(new)
    codes = _token_codes(old_tokens, new_tokens)
    if codes is None:  # more distinct tokens than code points: a plain character diff
        return _merge(_run_dmp(old, new, timeout))
    encoded = _run_dmp(_encode(old_tokens, codes), _encode(new_tokens, codes), timeout)
    decode = {code: token for token, code in codes.items()}
    return _merge((op, "".join(decode[c] for c in text)) for op, text in encoded)


def _token_codes(*token_lists: tuple[str, ...]) -> dict[str, str] | None:
    """One character per distinct token, or None if there are not enough code points.

    A one-character token stands for itself, so diff-match-patch's semantic cleanup still sees
    real spaces, line breaks and punctuation when it aligns edits to boundaries; longer tokens
    get code points that occur in neither text.
    """
    distinct = dict.fromkeys(token for tokens in token_lists for token in tokens)
    codes = {token: token for token in distinct if len(token) == 1}
    free = _free_code_points(set(codes))
    for token in distinct:
        if len(token) > 1:
            code = next(free, None)
            if code is None:
                return None
            codes[token] = code
    return codes


def _free_code_points(taken: set[str]) -> Iterator[str]:
    for code_range in _CODE_RANGES:
        for point in code_range:
            if chr(point) not in taken:
                yield chr(point)


def _encode(tokens: tuple[str, ...], codes: dict[str, str]) -> str:
    return "".join(codes[token] for token in tokens)


def _run_dmp(old: str, new: str, timeout: float) -> list[DiffOp]:
    dmp = diff_match_patch()  # one per call: the object holds settings, so it is not shared
    dmp.Diff_Timeout = timeout
    diffs: list[DiffOp] = dmp.diff_main(old, new, False)
    dmp.diff_cleanupSemantic(diffs)
    return diffs


def _merge(ops: Iterable[DiffOp]) -> Diff:
    """Drop empty ops and join neighbours of the same kind."""
    merged: list[DiffOp] = []
    for op, text in ops:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return tuple(merged)


def changed(diff: Diff) -> bool:
    return any(op != SAME for op, _ in diff)


def removed(diff: Diff) -> tuple[str, ...]:
    """The removed pieces, in order."""
    return tuple(text for op, text in diff if op == REMOVED and text)


def added(diff: Diff) -> tuple[str, ...]:
    """The added pieces, in order."""
    return tuple(text for op, text in diff if op == ADDED and text)


def excerpt(diff: Diff, context: int = 60) -> tuple[Hunk, ...]:
    """The changed passages of a long diff, each with up to `context` characters around it.

    Meant for long texts: when the whole text fits the message, callers show `diff` itself.
    Otherwise they show the hunks joined by "…" (see `Hunk`). Context is cut at a token
    boundary (a word or space edge; any character edge in CJK text), never inside a grapheme
    cluster. Changes whose contexts would overlap or touch share one hunk. No change → `()`.
    """
    if not changed(diff):
        return ()
    hunks: list[Hunk] = []
    current: list[DiffOp] = []
    starts = True
    for index, (op, text) in enumerate(diff):
        if op != SAME:
            current.append((op, text))
        elif index == 0:
            lead = _tail_context(text, context)
            starts = lead == text
            current.append((SAME, lead))
        elif index == len(diff) - 1:
            trail = _head_context(text, context)
            current.append((SAME, trail))
            return (*hunks, Hunk(_merge(current), starts, trail == text))
        elif len(text) <= 2 * context:  # the two contexts would overlap or touch: one hunk
            current.append((SAME, text))
        else:
            current.append((SAME, _head_context(text, context)))
            hunks.append(Hunk(_merge(current), starts, False))
            current, starts = [(SAME, _tail_context(text, context))], False
    return (*hunks, Hunk(_merge(current), starts, True))


def _head_context(text: str, limit: int) -> str:
    """At most `limit` characters from the start of `text`, ending at a token boundary."""
    if len(text) <= limit:
        return text
    end = _last_end(_TOKEN, text, limit) or _last_end(_GRAPHEME, text, limit)
    return text[:end].rstrip()


def _tail_context(text: str, limit: int) -> str:
    """At most `limit` characters from the end of `text`, starting at a token boundary."""
    if len(text) <= limit:
        return text
    floor = len(text) - limit
    start = _first_start(_TOKEN, text, floor)
    if start == len(text):  # one token longer than the window: settle for a grapheme edge
        start = _first_start(_GRAPHEME, text, floor)
    return text[start:].lstrip()


def _last_end(pattern: regex.Pattern[str], text: str, limit: int) -> int:
    """The furthest match end at or before `limit` (0 if none)."""
    end = 0
    for match in pattern.finditer(text):
        if match.end() > limit:
            break
        end = match.end()
    return end


def _first_start(pattern: regex.Pattern[str], text: str, floor: int) -> int:
    """The first match start at or after `floor` (len(text) if none).

    Scans from the beginning: starting mid-text could begin inside a cluster (or between the
    two halves of a flag) and find false boundaries.
    """
    for match in pattern.finditer(text):
        if match.start() >= floor:
            return int(match.start())
    return len(text)
