"""Writing the site: atomic, only when the bytes changed, never outside the output folder.

The writer remembers which files the last build produced (a manifest in the cache) so
that pages of papers that left the shelf are removed instead of lingering forever.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_atomic, write_if_changed
from ..errors import BuildError


@dataclass
class OutputWriter:
    root: Path
    manifest: Path | None = None
    written: int = 0
    unchanged: int = 0
    _paths: set[str] = field(default_factory=set)

    def write(self, relpath: str, data: str | bytes) -> bool:
        """Write ``data`` to ``root/relpath``; returns True when the bytes on disk changed."""
        target = self._resolve(relpath)
        if relpath in self._paths:
            raise BuildError(f"two pages of the site would both be written to {relpath}")
        self._paths.add(relpath)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        if write_if_changed(target, payload):
            self.written += 1
            return True
        self.unchanged += 1
        return False

    def claim(self, relpath: str) -> None:
        """Record that ``relpath`` belongs to this build although it was not rewritten."""
        # Nothing is written here, so a check of the name is enough (``finish`` resolves
        # before it deletes); resolving every path costs seconds for 100,000 kept files.
        if relpath.startswith("/") or ".." in relpath.split("/"):
            raise BuildError(f"refusing to claim a path outside the output folder: {relpath!r}")
        self._paths.add(relpath)

    def finish(self) -> int:
        """Delete files the previous build wrote and this one did not; return how many."""
        if self.manifest is None:
            return 0
        previous: set[str] = set()
        with contextlib.suppress(FileNotFoundError, ValueError):
            previous = set(json.loads(self.manifest.read_text(encoding="utf-8")))
        removed = 0
        for relpath in sorted(previous - self._paths):
            with contextlib.suppress(FileNotFoundError, BuildError, IsADirectoryError):
                target = self._resolve(relpath)
                os.unlink(target)
                removed += 1
                # A paper's page lives alone in its folder; do not leave the folder behind.
                with contextlib.suppress(OSError):
                    target.parent.rmdir()
        write_atomic(self.manifest, json.dumps(sorted(self._paths)).encode(), durable=False)
        return removed

    def _resolve(self, relpath: str) -> Path:
        target = (self.root / relpath).resolve()
        root = self.root.resolve()
        if relpath.startswith("/") or ".." in Path(relpath).parts or not target.is_relative_to(root):
            raise BuildError(f"refusing to write outside the output folder: {relpath!r}")
        return target
