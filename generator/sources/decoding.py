"""Reading an input file as numbered lines of text, without letting one bad byte cost the file."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    text: str
    # Set when the line's bytes were not valid UTF-8; ``text`` then holds a lossy decode.
    error: str = ""


def lines_of(data: bytes) -> Iterator[Line]:
    """Numbered lines of ``data``.

    UTF-8 (with or without a byte-order mark) is the format; UTF-16 is accepted when a
    byte-order mark announces it, as Windows tools write it.  A line whose bytes are not
    valid UTF-8 is yielded with ``error`` set, so the caller can reject that record and
    keep the rest of the file.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            yield Line(1, "", f"the file starts with a UTF-16 mark but is not UTF-16 ({exc.reason})")
            return
        for number, line in enumerate(text.split("\n"), start=1):
            yield Line(number, line.rstrip("\r"))
        return
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        try:
            yield Line(number, raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Line(
                number,
                raw.decode("utf-8", errors="replace"),
                f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); save the file as UTF-8",
            )
