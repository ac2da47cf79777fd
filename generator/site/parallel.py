"""Making many files on every core: forked worker processes, each with a share of the files.

Rendering pages and encoding JSON are pure Python, so threads would not help; forking
shares the site model with the workers without pickling it.  Each file is its own, so the
processes never write the same file, and the files are the same as when made in order.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from pathlib import Path

from ..atomic import write_if_changed

# Below this many files to make, forking costs more than it saves.
PARALLEL_MIN_FILES = 2000

Job = tuple[str, Callable[[], bytes]]  # (absolute path, what makes its bytes)


def make_files(
    todo: Sequence[Job],
    jobs: int,
    progress: Callable[[int], None] = lambda _n: None,
    min_files: int | None = None,
) -> list[bool]:
    """Make and write every file of ``todo``; for each, whether its bytes on disk changed.

    Uses up to ``jobs`` processes (this one included), one per ``min_files / 2`` files.
    """
    least = PARALLEL_MIN_FILES if min_files is None else min_files
    jobs = max(1, min(jobs, len(todo) // max(1, least // 2)))
    if jobs == 1:
        return _make(todo, progress)
    global _SHARED
    _SHARED = (todo, jobs)
    try:
        with multiprocessing.get_context("fork").Pool(jobs - 1) as pool:
            others = pool.map_async(_make_share, range(1, jobs))
            mine = _make(todo[0::jobs], progress, scale=jobs)
            shares = [mine, *others.get()]
    finally:
        _SHARED = None
    changed = [False] * len(todo)
    for index, share in enumerate(shares):
        changed[index::jobs] = share
    return changed


def _make(todo: Sequence[Job], progress: Callable[[int], None] = lambda _n: None, scale: int = 1) -> list[bool]:
    changed = []
    for n, (target, make) in enumerate(todo, start=1):
        changed.append(write_if_changed(Path(target), make()))
        if n % 100 == 0:
            progress(n * scale)
    return changed


# What forked workers make: set just before the fork, read by the children.
_SHARED: tuple[Sequence[Job], int] | None = None


def _make_share(index: int) -> list[bool]:
    assert _SHARED is not None  # set by make_files before the fork
    todo, jobs = _SHARED
    return _make(todo[index::jobs])
