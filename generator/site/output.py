"""Writing the site: atomic, only when the bytes changed, never outside the output folder.

The writer remembers which files the last build produced, each with the *input key* it
was made from (a manifest in the cache).  That does two jobs: files of papers that left
the shelf are removed instead of lingering forever, and a file whose key is the same as
last time is neither made nor compared again (``keep``), which is what lets a rebuild of
a 100,000-paper shelf touch only the pages that changed.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import posixpath
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from .. import cachefile
from ..atomic import write_atomic, write_if_changed
from ..errors import BuildError


@dataclass
class OutputWriter:
    root: Path
    manifest: Path | None = None
    written: int = 0
    unchanged: int = 0
    kept: int = 0  # files left alone because their input key had not changed
    _paths: dict[str, str] = field(default_factory=dict)  # relpath -> input key ("" when unkeyed)
    _previous: dict[str, str] | None = None
    _changed: list[str] = field(default_factory=list)
    _listings: dict[str, frozenset[str]] = field(default_factory=dict)  # folder -> names in it

    def __post_init__(self) -> None:
        self._root = os.path.realpath(self.root)

    @property
    def previous(self) -> dict[str, str]:
        """What the last build wrote: relpath -> input key."""
        if self._previous is None:
            self._previous = {}
            if self.manifest:
                # Before manifests were marshalled they were JSON files beside them.
                self._previous = read_manifest(self.manifest) or read_manifest(self.manifest.with_suffix(".json"))
        return self._previous

    @property
    def changed(self) -> list[str]:
        """The files this build wrote because their bytes differed (in the order written)."""
        return list(self._changed)

    def write(self, relpath: str, data: str | bytes, key: str = "") -> bool:
        """Write ``data`` to ``root/relpath``; returns True when the bytes on disk changed."""
        target = self._claim(relpath, key)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        if write_if_changed(Path(target), payload):
            self.written += 1
            self._changed.append(relpath)
            return True
        self.unchanged += 1
        return False

    def keep(self, relpath: str, key: str) -> bool:
        """Claim ``relpath`` without making it when the last build made it from the same ``key``.

        Returns False (and claims nothing) when the file has to be made: a new key, or the
        file is gone from the output folder (checked as ``carry`` does).
        """
        if not key or self.previous.get(relpath) != key or not self.present(relpath):
            return False
        if relpath in self._paths:
            raise BuildError(f"two pages of the site would both be written to {relpath}")
        self._paths[relpath] = key
        self.kept += 1
        return True

    def carry(self, relpath: str) -> bool:
        """Claim ``relpath`` with the key the last build made it from, without a key of its own.

        For a caller that knows from its own records that the file's input is unchanged,
        so that it need not even compute the key.  Presence is checked by the listing of
        the file's folder (of the page's folder, for ``…/index.html``), read once per
        folder: one ``stat`` per file cost more than the rest of a rebuild's checks.  So a
        page's folder removed by hand is noticed, an ``index.html`` removed from inside it
        is not (as with the build stamp, ``rm -r cache`` makes everything again).
        Returns False (and claims nothing) when the last build did not make the file or
        it is gone.
        """
        key = self.previous.get(relpath)
        if not key or relpath in self._paths or not self.present(relpath):
            return False
        self._paths[relpath] = key
        self.kept += 1
        return True

    def carry_each(self, folder: str, names: Collection[str], suffix: str = "") -> set[str]:
        """``carry`` ``folder/<name><suffix>`` for each of ``names``; return the names not carried.

        The same checks as ``carry``, made with set operations on whole collections: on a
        rebuild of 100,000 papers, checking their files one by one cost a third of a
        second for each kind of file.  A suffix that starts with "/" names a file inside a
        page's folder (``/index.html``), whose presence is the folder's, as for ``carry``.
        """
        prefix = f"{folder}/" if folder else ""
        self._resolve(f"{prefix}x{suffix}")  # a folder or suffix outside the output fails here
        listing = self._listing(folder)
        if suffix.startswith("/"):
            listed = list(listing.intersection(names))
        else:
            listed = [name for name in names if f"{name}{suffix}" in listing]
        relpaths = [f"{prefix}{name}{suffix}" for name in listed]
        keys = list(map(self.previous.get, relpaths))  # None: the last build did not make it
        carried = {relpath: key for relpath, key in zip(relpaths, keys, strict=True) if key}
        claimed = carried.keys() & self._paths.keys()
        for relpath in claimed:
            del carried[relpath]
        self._paths.update(carried)
        self.kept += len(carried)
        left = set(names).difference(listed)
        left.update(name for name, key in zip(listed, keys, strict=True) if not key)
        if claimed:
            left.update(name for name, relpath in zip(listed, relpaths, strict=True) if relpath in claimed)
        return left

    def previous_bytes(self, relpath: str) -> bytes | None:
        """The bytes at ``relpath``, if the last build made that file; None if it did not or it is gone.

        For a writer that patches a file rather than making it again; the file's input
        key (``previous``) says what the last build made it from.
        """
        if relpath not in self.previous:
            return None
        try:
            with open(self._resolve(relpath), "rb") as handle:
                return handle.read()
        except (OSError, BuildError):
            return None

    def keep_all(self, key: str, prefix: str = "") -> bool:
        """``keep`` every file (under ``prefix``) that the last build made from ``key``, or none.

        For products made in one piece (the feeds, the lookup tables, the sitemap): when
        their one key is unchanged and all their files are in place, nothing is made.
        """
        relpaths = [p for p, k in self.previous.items() if k == key and p.startswith(prefix)]
        if not key or not relpaths or not all(os.path.isfile(self._resolve(p)) for p in relpaths):
            return False
        for relpath in relpaths:
            self._claim(relpath, key)
        self.kept += len(relpaths)
        return True

    def rekey(self, key: str) -> None:
        """Record every file claimed so far as made from ``key`` (see ``keep_all``)."""
        for relpath in self._paths:
            self._paths[relpath] = key

    def claim(self, relpath: str, key: str = "") -> None:
        """Record that ``relpath`` belongs to this build although it was not rewritten.

        Nothing is written, so the path is not checked here (as ``write`` checks it);
        ``finish`` checks every path it removes.
        """
        if relpath in self._paths:
            raise BuildError(f"two pages of the site would both be written to {relpath}")
        self._paths[relpath] = key

    def target(self, relpath: str, key: str = "") -> str:
        """Claim ``relpath`` for a file made elsewhere (another process); its absolute path.

        ``record`` then says whether its bytes changed.
        """
        return self._claim(relpath, key)

    def record(self, relpath: str, changed: bool) -> None:
        """Account for a file claimed with ``target`` and written (or left alone) elsewhere."""
        if changed:
            self.written += 1
            self._changed.append(relpath)
        else:
            self.unchanged += 1

    def finish(self) -> int:
        """Delete files the previous build wrote and this one did not; return how many."""
        if self.manifest is None:
            return 0
        removed = 0
        # Key views, not a set of each: one set of 100,000 paths made, not two (0.04 -> 0.02 s).
        for relpath in sorted(self.previous.keys() - self._paths.keys()):
            with contextlib.suppress(FileNotFoundError, BuildError, IsADirectoryError):
                target = self._resolve(relpath)
                os.unlink(target)
                removed += 1
                # A paper's page lives alone in its folder; do not leave the folder behind.
                with contextlib.suppress(OSError):
                    os.rmdir(os.path.dirname(target))
        if self._paths != self.previous or not self.manifest.exists():
            write_atomic(self.manifest, marshal.dumps(self._paths), durable=False)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.manifest.with_suffix(".json"))
        return removed

    def _claim(self, relpath: str, key: str) -> str:
        target = self._resolve(relpath)
        if relpath in self._paths:
            raise BuildError(f"two pages of the site would both be written to {relpath}")
        self._paths[relpath] = key
        return target

    def present(self, relpath: str) -> bool:
        """Whether ``relpath`` is in the output folder, as ``carry`` checks it."""
        folder, _, name = relpath.rpartition("/")
        if name == "index.html" and folder:
            folder, _, name = folder.rpartition("/")
        return name in self._listing(folder)

    def _listing(self, folder: str) -> frozenset[str]:
        """The names in ``folder`` of the output, listed once per build."""
        names = self._listings.get(folder)
        if names is None:
            try:
                names = frozenset(os.listdir(self._resolve(folder) if folder else self._root))
            except (OSError, BuildError):
                names = frozenset()
            self._listings[folder] = names
        return names

    def _resolve(self, relpath: str) -> str:
        # A string check, not Path.resolve(): resolving every one of 200,000 paths cost
        # more than writing them.  Paths come from slugs and fixed names, and the output
        # folder is the build's own; what must never happen is "..", "/" or "\\" in them.
        normal = posixpath.normpath(relpath)
        if (
            not relpath
            or relpath.startswith("/")
            or "\\" in relpath
            or "\x00" in relpath
            or normal != relpath
            or normal.startswith("..")
        ):
            raise BuildError(f"refusing to write outside the output folder: {relpath!r}")
        return os.path.join(self._root, relpath)


def read_manifest(path: Path) -> dict[str, str]:
    """A writer's manifest: relpath -> input key (marshalled; the JSON of older builds is still read).

    marshal, not JSON: at 100,000 papers the manifests of a build hold over 300,000 paths,
    and encoding them as JSON cost most of a one-paper rebuild's second.
    """
    try:
        data = cachefile.load(path)
    except OSError:
        return {}
    except (EOFError, ValueError, TypeError):
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, ValueError):
            return {}
    if isinstance(data, list):
        return {str(p): "" for p in data}
    if not isinstance(data, dict):
        return {}
    # Checked by type sets, not item by item: a manifest holds up to 200,000 paths.
    if set(map(type, data)) <= {str} and set(map(type, data.values())) <= {str}:
        return data
    return {str(p): str(k) for p, k in data.items()}
