"""The build stamp: has anything that a build reads changed since the last clean build?

A build reads the content folder, the theme, the settings and Papershelf's own code (and
the libraries it runs on).  The stamp is a digest of all of them, by file stamps
(name, size, modification time) rather than by contents, so that taking it costs one
``stat`` per file: about 0.3 s for 100,000 papers, where reading them, rebuilding the
model and checking every page's key took several seconds.  When it equals the stamp of
the last build that finished without a warning, and the output folder looks as that
build left it, there is nothing to do.

"Looks as that build left it" is checked on the output folder itself and on each folder
the site writes into (``papers/``, ``api/papers/``, …): removing the output, or any
page's folder, makes the next build a real one.  A file removed by hand inside a page's
folder is not noticed; ``papershelf build`` after ``rm -r cache`` remakes everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..paperfile import is_paper_file
from .keys import code_digest, input_key

STAMP_FILE = "build-stamp.json"
# Libraries whose output is part of the site's bytes.
_LIBRARIES = ("pelican", "jinja2", "markupsafe", "feedgen", "lxml", "whoosh3", "markdown")
_SIMPLE = (str, int, float, bool, type(None))


FileStamp = tuple[str, int, int]  # (path, size, mtime_ns)
PaperStamps = dict[str, tuple[int, int]]  # paper file name -> (mtime_ns, size)


def file_stamps(folders: list[Path]) -> list[FileStamp]:
    """The stamp of every file under ``folders``, sorted by path."""
    return stamps_with_papers(folders, None)[0]


def stamps_with_papers(folders: list[Path], papers: Path | None) -> tuple[list[FileStamp], PaperStamps | None]:
    """``file_stamps(folders)``, and the stamps of the paper files directly in ``papers``
    (file name -> (mtime_ns, size), as ``loader.paper_stamps`` takes them) when that folder
    is among those stamped, else None.

    Taken in the same walk: sorting the paper files out of 100,000 stamps afterwards
    cost a quarter of a second.
    """
    files: list[FileStamp] = []
    target = os.path.normpath(papers) if papers is not None else None
    collected: dict[str, PaperStamps] = {}  # the papers folder's, once the walk gets there
    for folder in folders:
        _stamps(str(folder), files, target, collected)
    files.sort()
    return files, collected.get(target) if target is not None else None


def input_stamp(settings: Mapping[str, Any], files: list[FileStamp]) -> str:
    """A digest of the settings, the code and ``files`` (``file_stamps`` of the inputs)."""
    versions = []
    for name in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append((name, metadata.version(name)))
    # The list holds a stamp per paper: its marshal bytes are hashed, three times faster
    # than its repr.  Version 0 writes equal values as equal bytes (later versions mark
    # interned and shared objects, which depends on more than the values).
    listing = hashlib.blake2b(marshal.dumps(files, 0), digest_size=16).hexdigest()
    return input_key(code_digest(), sys.version, versions, _plain(settings), listing)


def output_stamp(output: Path) -> str:
    """A digest of the output folder's identity and of the folders directly in it (and api/)."""
    entries: list[tuple[str, int, int]] = []
    for folder in (output, output / "api"):
        with contextlib.suppress(OSError):
            info = folder.stat()
            entries.append((folder.name, info.st_ino, info.st_mtime_ns if folder != output else 0))
            for entry in os.scandir(folder):
                # Pelican rewrites the theme's assets on every build.
                if entry.is_dir(follow_symlinks=False) and entry.name != "theme":
                    info = entry.stat(follow_symlinks=False)
                    entries.append((entry.path, info.st_ino, info.st_mtime_ns))
    return input_key(sorted(entries))


def unchanged(cache: Path, inputs: str, output: Path) -> bool:
    """Whether the last clean build had these ``inputs`` and left ``output`` as it is now."""
    try:
        recorded = json.loads((cache / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(recorded, dict)
        and recorded.get("inputs") == inputs
        and recorded.get("output") == output_stamp(output)
    )


def record(cache: Path, inputs: str, output: Path) -> None:
    """Note a clean build of ``inputs``, after it wrote ``output``."""
    data = {"inputs": inputs, "output": output_stamp(output)}
    write_atomic(cache / STAMP_FILE, json.dumps(data).encode(), durable=False)


def forget(cache: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(cache / STAMP_FILE)


def _stamps(folder: str, found: list[FileStamp], papers: str | None, collected: dict[str, PaperStamps]) -> None:
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        found.append((folder, -1, -1))
        return
    into = collected.setdefault(papers, {}) if papers is not None and os.path.normpath(folder) == papers else None
    for entry in entries:
        if entry.is_dir(follow_symlinks=True):
            _stamps(entry.path, found, papers, collected)
            continue
        try:
            info = entry.stat()
        except FileNotFoundError:
            continue
        found.append((entry.path, info.st_size, info.st_mtime_ns))
        if into is not None and is_paper_file(entry.name):
            into[entry.name] = (info.st_mtime_ns, info.st_size)


def _plain(value: object) -> object:
    """``value`` with everything but plain data left out (a setting may be a function)."""
    if isinstance(value, _SIMPLE):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return sorted((str(k), _plain(v)) for k, v in value.items() if _is_plain(v))
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value if _is_plain(v)]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return None


def _is_plain(value: object) -> bool:
    return isinstance(value, (*_SIMPLE, Path, Mapping, list, tuple, set, frozenset))
