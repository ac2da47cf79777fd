"""Inputs that become papers: listing dumps and JSON Lines files.

``read_input`` opens one file, picks its format and returns what it held; a file that
cannot be read at all becomes one rejection, never an exception, so a batch goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from ..model import Rejection
from .jsonl import parse_jsonl
from .listing_dump import parse_listing_dump
from .result import SourceResult

__all__ = ["MAX_INPUT_BYTES", "SourceResult", "read_input"]

# Far above any real dump or export (the sample dumps are 57–284 KB); a bigger file is
# more likely a wrong path (a PDF folder, a disk image) than a shelf.
MAX_INPUT_BYTES = 256 * 1024 * 1024
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


def read_input(
    path: Path,
    *,
    today: dt.date,
    date: dt.date | None = None,
    collections: Iterable[str] = (),
) -> SourceResult:
    """Read ``path`` as JSON Lines (by suffix, or a first line that starts with ``{``) or as a listing dump."""
    name = path.name
    try:
        size = path.stat().st_size
        if path.is_dir():
            return _failed(name, "is a folder, not a file")
        if size > MAX_INPUT_BYTES:
            return _failed(name, f"is {size / 2**20:,.0f} MiB; inputs over {MAX_INPUT_BYTES // 2**20} MiB are refused")
        data = path.read_bytes()
    except FileNotFoundError:
        return _failed(str(path), "no such file")
    except PermissionError:
        return _failed(str(path), "permission denied")
    except OSError as exc:
        return _failed(str(path), f"cannot be read: {exc.strerror or exc}")
    if not data.strip():
        return _failed(name, "is empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _failed(name, "is a binary file, not text")
    options = {"today": today, "date": date, "collections": collections}
    if path.suffix.lower() in _JSONL_SUFFIXES or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return parse_jsonl(data, name, **options)
    return parse_listing_dump(data, name, **options)


def _failed(name: str, reason: str) -> SourceResult:
    return SourceResult(rejections=[Rejection(name, 0, reason)])
