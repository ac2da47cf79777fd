"""Reading the build's marshalled cache files without copying them first.

``marshal.loads`` of a file's bytes needs the whole file in memory; at 100,000 papers the
build reads some 300 MB of them on every rebuild, and on a virtual machine the memory that
copy first touches costs more than the copy.  ``marshal.loads`` reads a read-only map of
the file just as well.  The build replaces these files by renaming a new one over them
(``atomic.write_atomic``), never by rewriting one in place, so a map stays whole while it
is read.
"""

from __future__ import annotations

import marshal
import mmap
from pathlib import Path


def load(path: Path) -> object:
    """The marshalled value in ``path``; ``OSError`` if it cannot be read, ``ValueError``,
    ``EOFError`` or ``TypeError`` if it is empty or not marshal data."""
    with open(path, "rb") as handle:
        if not handle.seek(0, 2):
            raise EOFError(f"{path} is empty")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return marshal.loads(data)
