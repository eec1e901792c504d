"""Characters that act instead of showing, and how watcher shows them instead: one table for the
terminal (`watcher.console`) and for alerts (`watcher.render.inert`), so a post reads the same in
`history` and in a chat message.

What acts: the C0 controls but newline and tab, DEL and the C1 controls (ESC starts colours,
screen clearing, OSC title changes and hyperlinks; U+009B is a one-character CSI on some
terminals), and the bidi controls that reorder the text after them (U+202E makes `exe.txt` read
`txt.exe`). Each is spelled out (`\\x1b`, `<U+202E>`) rather than removed: a post that hides a
U+202E is itself evidence. A carriage return is a line break written the old way: it becomes a
newline, as `watcher.normalize` folds it before hashing. In a link the same characters are
percent-encoded instead: that is how a URL spells them, so the link still leads where it led.
"""

from __future__ import annotations

_C0_C1 = (*range(0x00, 0x20), *range(0x7F, 0xA0))
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_HOSTILE = tuple(c for c in _C0_C1 if chr(c) not in "\n\t") + _BIDI

_VISIBLE: dict[int, str] = {c: f"\\x{c:02x}" for c in _C0_C1 if chr(c) not in "\n\t\r"} | {
    c: f"<U+{c:04X}>" for c in _BIDI
}
_ENCODED: dict[int, str] = {
    c: "".join(f"%{byte:02X}" for byte in chr(c).encode("utf-8")) for c in _HOSTILE
}


def visible(text: str) -> str:
    """`text` with its controls and bidi controls spelled out (`\\x1b`, `<U+202E>`) and its
    carriage returns as newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_VISIBLE)


def visible_url(url: str) -> str:
    """`url` with its controls and bidi controls percent-encoded (`%1B`, `%E2%80%AE`)."""
    return url.translate(_ENCODED)
