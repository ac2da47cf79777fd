"""Bringing the idle build folder level with the live one before the next build writes it.

The preview's two folders take turns, so without this each would be two builds behind
when its turn comes, and the second folder's first build would make the whole site from
nothing.  Copying what differs from the live folder (and from its cache: the output
manifests, the search index, the read cache) first makes every preview build what
``papershelf build`` is after one change: the pages whose inputs changed, and no more.

Files are compared by size and modification time.  Both folders are written only by the
preview's builds and by this copy, which keeps the modification time, so a file that
matches is one this copy made from the same source and the live build has not rewritten
since.  The copy is idempotent: after a failure half-way, the next one finishes the job.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..atomic import TEMP_PREFIX


@dataclass
class MirrorCount:
    copied: int = 0
    removed: int = 0
    same: int = 0
    stopped: bool = False  # ``stop`` said so before the copy was complete

    def add(self, other: MirrorCount) -> None:
        self.copied += other.copied
        self.removed += other.removed
        self.same += other.same
        self.stopped = self.stopped or other.stopped


class _Stopped(Exception):
    pass


def mirror(source: Path, target: Path, stop: Callable[[], bool] = lambda: False) -> MirrorCount:
    """Make ``target`` hold the files of ``source``: copy what differs, delete what is extra.

    ``stop`` is asked between files; when it says so, the copy ends there, incomplete.
    """
    count = MirrorCount()
    if not source.is_dir():
        # Nothing to copy from (a build that wrote no cache): leave nothing behind that
        # would describe a different output.
        _remove(target)
        count.removed += 1
        return count
    try:
        _mirror(str(source), str(target), count, stop)
    except _Stopped:
        count.stopped = True
    return count


def _mirror(source: str, target: str, count: MirrorCount, stop: Callable[[], bool]) -> None:
    if os.path.islink(target) or (os.path.lexists(target) and not os.path.isdir(target)):
        os.unlink(target)
    os.makedirs(target, exist_ok=True)
    existing = {entry.name: entry for entry in os.scandir(target)}
    for entry in os.scandir(source):
        if stop():
            raise _Stopped
        # A killed writer's temporary file is no part of the build.
        if entry.name.startswith(TEMP_PREFIX):
            continue
        there = existing.pop(entry.name, None)
        destination = os.path.join(target, entry.name)
        if entry.is_dir(follow_symlinks=False):
            _mirror(entry.path, destination, count, stop)
            continue
        info = entry.stat(follow_symlinks=False)
        if there is not None and there.is_file(follow_symlinks=False):
            theirs = there.stat(follow_symlinks=False)
            if theirs.st_size == info.st_size and theirs.st_mtime_ns == info.st_mtime_ns:
                count.same += 1
                continue
        if there is not None:
            _remove(Path(destination))
        # A new file, never a write into the old one, with the source's modification time
        # (what the next comparison reads).  Not copy2: its permission and xattr copying
        # doubled the cost, and every file here is the build's own, mode 644.
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), destination)
        else:
            shutil.copyfile(entry.path, destination)
            os.utime(destination, ns=(info.st_atime_ns, info.st_mtime_ns))
        count.copied += 1
    for name in existing:
        _remove(Path(target, name))
        count.removed += 1


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
