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
import functools
import hashlib
import json
import marshal
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from itertools import compress, filterfalse
from operator import attrgetter, methodcaller
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..paperfile import is_paper_file
from .keys import code_digest, input_key

STAMP_FILE = "build-stamp.json"
# Libraries whose output is part of the site's bytes.
_LIBRARIES = ("pelican", "jinja2", "markupsafe", "feedgen", "lxml", "whoosh3", "markdown")
_SIMPLE = (str, int, float, bool, type(None))
_NAME, _MTIME, _SIZE = attrgetter("name"), attrgetter("st_mtime_ns"), attrgetter("st_size")
_IS_DIR = methodcaller("is_dir", follow_symlinks=True)


FileStamp = tuple[str, int, int]  # (path, size, mtime_ns)
PaperStamps = dict[str, tuple[int, int]]  # paper file name -> (mtime_ns, size)


@dataclass(frozen=True)
class PaperColumns:
    """The stamps of the paper files directly in the papers folder, a list per column.

    Columns rather than a tuple per file: for 100,000 papers, making, sorting and
    sending a tuple per file cost a third of a second, beside the ``stat`` calls.
    """

    names: list[str]  # sorted
    mtimes: list[int]  # mtime_ns
    sizes: list[int]

    def stamps(self) -> PaperStamps:
        """file name -> (mtime_ns, size), as ``loader.paper_stamps`` takes them."""
        return dict(zip(self.names, zip(self.mtimes, self.sizes, strict=True), strict=True))


@dataclass(frozen=True)
class Inputs:
    """Every file a build reads: the paper files by column, when the papers folder is among
    the folders stamped, and every other file by its ``FileStamp`` (sorted by path)."""

    files: list[FileStamp]
    papers: PaperColumns | None = None


def file_stamps(folders: list[Path]) -> list[FileStamp]:
    """The stamp of every file under ``folders``, sorted by path."""
    return stamps_with_papers(folders, None).files


def stamps_with_papers(folders: list[Path], papers: Path | None) -> Inputs:
    """The stamps of every file under ``folders``, with those of the paper files directly
    in ``papers`` by column when that folder is among them.

    Taken in the same walk: sorting the paper files out of 100,000 stamps afterwards
    cost a quarter of a second.
    """
    files: list[FileStamp] = []
    target = os.path.normpath(papers) if papers is not None else None
    collected: dict[str, PaperColumns] = {}  # the papers folder's, once the walk gets there
    for folder in folders:
        _stamps(str(folder), files, target, collected)
    files.sort()
    return Inputs(files, collected.get(target) if target is not None else None)


def input_stamp(settings: Mapping[str, Any], inputs: Inputs) -> str:
    """A digest of the settings, the code and ``inputs`` (``stamps_with_papers`` of the inputs)."""
    versions = []
    for name in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append((name, metadata.version(name)))
    # The lists hold a stamp per paper: their marshal bytes are hashed, three times faster
    # than their repr.  Version 0 writes equal values as equal bytes (later versions mark
    # interned and shared objects, which depends on more than the values).
    digest = hashlib.blake2b(marshal.dumps(inputs.files, 0), digest_size=16)
    if inputs.papers is not None:
        digest.update(marshal.dumps((inputs.papers.names, inputs.papers.mtimes, inputs.papers.sizes), 0))
    return input_key(code_digest(), sys.version, versions, _plain(settings), digest.hexdigest())


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


def _stamps(folder: str, found: list[FileStamp], papers: str | None, collected: dict[str, PaperColumns]) -> None:
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        found.append((folder, -1, -1))
        return
    if papers is not None and os.path.normpath(folder) == papers:
        collected[papers], entries = _paper_columns(folder, entries)
    for entry in entries:
        if entry.is_dir(follow_symlinks=True):
            _stamps(entry.path, found, papers, collected)
            continue
        try:
            info = entry.stat()
        except FileNotFoundError:
            continue
        found.append((entry.path, info.st_size, info.st_mtime_ns))


def _paper_columns(folder: str, entries: list[os.DirEntry]) -> tuple[PaperColumns, list[os.DirEntry]]:
    """The paper files among ``entries`` of the papers folder, by column, and the other entries."""
    # Mapped in C, one pass per column: a loop over 100,000 entries cost more than the stats.
    names = list(map(_NAME, entries))
    others = set(compress(names, map(_IS_DIR, entries)))
    others.update(filterfalse(is_paper_file, names))
    papers = sorted(filterfalse(others.__contains__, names)) if others else sorted(names)
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        stat = functools.partial(os.stat, dir_fd=descriptor)
        try:
            infos = list(map(stat, papers))
        except FileNotFoundError:  # one removed while stamped: stamped one by one, without it
            infos, kept = [], []
            for name in papers:
                with contextlib.suppress(FileNotFoundError):
                    infos.append(stat(name))
                    kept.append(name)
            papers = kept
    finally:
        os.close(descriptor)
    columns = PaperColumns(papers, list(map(_MTIME, infos)), list(map(_SIZE, infos)))
    return columns, [entry for entry in entries if entry.name in others] if others else []


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
