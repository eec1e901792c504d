"""Counting in words, for every message that says how many: "1 watch", "3 watches"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str = "") -> str:
    """`1 version`, `2 versions`; `plural` where adding an s is wrong (`watches`)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
