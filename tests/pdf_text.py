"""The text a reportlab PDF shows, for tests that check what a printed document says."""

from __future__ import annotations

import base64
import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_SHOWN = re.compile(rb"\(((?:\\.|[^\\)])*)\) Tj", re.S)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
_NAMED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_text(pdf: bytes) -> str:
    """The text the pages show: each stream ASCII85- and Flate-decoded, each shown string
    unescaped and read as the CID font's UTF-16."""
    shown = []
    for stream in _STREAM.findall(pdf):
        content = zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
        for literal in _SHOWN.findall(content):
            raw = _ESCAPE.sub(
                lambda m: (
                    bytes([int(m.group(1), 8)])
                    if m.group(1)[:1].isdigit()
                    else _NAMED.get(m.group(1), m.group(1))
                ),
                literal,
            )
            shown.append(raw.decode("utf-16-be"))
    return "\n".join(shown)
