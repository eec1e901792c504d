"""Decoding a body to text like a browser: header charset, BOM, `<meta charset>`, detection."""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
# Browsers decode these labels with a superset codec; so must we, or GBK pages lose characters.
_CODEC_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}


def decode_body(body: bytes, content_type: str = "") -> str:
    """Decode like a browser: header charset, BOM, <meta charset>, then detection."""
    for label in (_header_charset(content_type), _bom_charset(body), _meta_charset(body)):
        if label:
            codec = _CODEC_ALIASES.get(label.lower(), label)
            try:
                return body.decode(codec, errors="replace").lstrip("\ufeff")
            except LookupError:
                log.debug("unknown charset %r, trying the next clue", label)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        import charset_normalizer  # only for bodies that are neither labelled nor UTF-8

        best = charset_normalizer.from_bytes(body).best()
        return str(best) if best is not None else body.decode("utf-8", errors="replace")


def _header_charset(content_type: str) -> str:
    match = re.search(r"charset\s*=\s*[\"']?([-\w.:]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else ""


def _bom_charset(body: bytes) -> str:
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return ""


def _meta_charset(body: bytes) -> str:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", errors="ignore") if match else ""
