"""Writing the site: atomic, only when the bytes changed, never outside the output folder.

The writer remembers which files the last build produced, each with the *input key* it
was made from (a manifest in the cache).  That does two jobs: files of papers that left
the shelf are removed instead of lingering forever, and a file whose key is the same as
last time is neither made nor compared again (``keep``), which is what lets a rebuild of
a 100,000-paper shelf touch only the pages that changed.

A writer with a file per paper declares that folder a *family* (``folder/<name><suffix>``):
the family's files are recorded by name, in a mapping of their own, with a stamp of the
folder as the writer left it.  A rebuild carries the unchanged ones over by copying that
mapping, and takes the folder as the last build left it while its stamp is the same,
instead of making 100,000 paths and looking each one up in a listing of the folder.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import posixpath
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import cachefile
from ..atomic import write_atomic, write_if_changed
from ..errors import BuildError

Family = tuple[str, str]  # (folder, suffix): the files folder/<name><suffix>, one per name
FolderStamp = tuple[int, int]  # (inode, mtime_ns) of a family's folder
_FORMAT = "papershelf output manifest"
_VERSION = 1


@dataclass
class Manifest:
    """What a writer made: the input key of each file, by path and, in families, by name."""

    files: dict[str, str] = field(default_factory=dict)  # relpath -> input key ("" when unkeyed)
    named: dict[Family, dict[str, str]] = field(default_factory=dict)  # family -> {name: input key}
    # Each family's folder as the writer left it.  While the stamp is the same, nothing in
    # the folder was added, removed or renamed since: removing a page's folder from
    # ``papers/`` changes the stamp of ``papers/``.
    folders: dict[str, FolderStamp] = field(default_factory=dict)

    def relpaths(self) -> Iterator[tuple[str, str]]:
        """Every file, as (relpath, input key)."""
        yield from self.files.items()
        for (folder, suffix), names in self.named.items():
            for name, key in names.items():
                yield f"{folder}/{name}{suffix}", key


@dataclass
class OutputWriter:
    root: Path
    manifest: Path | None = None
    families: tuple[Family, ...] = ()
    written: int = 0
    unchanged: int = 0
    kept: int = 0  # files left alone because their input key had not changed
    _paths: dict[str, str] = field(default_factory=dict)  # relpath -> input key, outside the families
    _named: dict[Family, dict[str, str]] = field(default_factory=dict)  # family -> {name: input key}
    _last: Manifest | None = None
    _previous: dict[str, str] | None = None
    _changed: list[str] = field(default_factory=list)
    _listings: dict[str, frozenset[str]] = field(default_factory=dict)  # folder -> names in it
    _found: dict[str, FolderStamp | None] = field(default_factory=dict)  # family folder -> stamp at start
    _marked: bool = False  # the mark that this writer is writing is on disk

    def __post_init__(self) -> None:
        self._root = os.path.realpath(self.root)
        for folder, suffix in self.families:
            self._resolve(f"{folder}/x{suffix}")  # a family outside the output fails here
            self._named[(folder, suffix)] = {}
            # Before this writer writes anything into it.
            self._found[folder] = self._stamp(folder)

    @property
    def last(self) -> Manifest:
        """What the last build wrote, grouped by this writer's families.

        After a build that stopped while writing (its mark is still there), the files are
        known but none by its key: a file may have been rewritten from new input after
        the manifest last said what it was made from, so every file is made again.
        """
        if self._last is None:
            found = Manifest()
            if self.manifest is not None:
                # Before manifests were marshalled they were JSON files beside them.
                found = read_manifest_parts(self.manifest)
                if not found.files and not found.named:
                    found = read_manifest_parts(self.manifest.with_suffix(".json"))
            if self.manifest is not None and _writing_mark(self.manifest).exists():
                named = {family: dict.fromkeys(names, "") for family, names in found.named.items()}
                found = Manifest(dict.fromkeys(found.files, ""), named)
            self._last = _regrouped(found, self.families)
        return self._last

    @property
    def previous(self) -> dict[str, str]:
        """What the last build wrote: relpath -> input key, every family spelled out.

        For looking at a whole manifest; ``previous_key`` looks up one file.
        """
        if self._previous is None:
            self._previous = dict(self.last.relpaths())
        return self._previous

    def previous_key(self, relpath: str) -> str | None:
        """The input key the last build made ``relpath`` from; None if it did not make it."""
        found = self._family_of(relpath)
        if found is None:
            return self.last.files.get(relpath)
        family, name = found
        return self.last.named[family].get(name)

    @property
    def changed(self) -> list[str]:
        """The files this build wrote because their bytes differed (in the order written)."""
        return list(self._changed)

    def write(self, relpath: str, data: str | bytes, key: str = "") -> bool:
        """Write ``data`` to ``root/relpath``; returns True when the bytes on disk changed."""
        target = self._claim(relpath, key)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        self._mark_writing()
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
        if not key or self.previous_key(relpath) != key or not self.present(relpath):
            return False
        self._claim(relpath, key)
        self.kept += 1
        return True

    def carry(self, relpath: str) -> bool:
        """Claim ``relpath`` with the key the last build made it from, without a key of its own.

        For a caller that knows from its own records that the file's input is unchanged,
        so that it need not even compute the key.  Presence is checked as ``present``
        checks it.  Returns False (and claims nothing) when the last build did not make
        the file or it is gone.
        """
        key = self.previous_key(relpath)
        if not key or self._claimed(relpath) or not self.present(relpath):
            return False
        self._claim(relpath, key)
        self.kept += 1
        return True

    def carry_each(self, folder: str, names: Collection[str], suffix: str = "") -> set[str]:
        """``carry`` ``folder/<name><suffix>`` for each of ``names``; return the names not carried.

        The same checks as ``carry``, made with set operations on whole collections: on a
        rebuild of 100,000 papers, checking their files one by one cost a third of a
        second for each kind of file.  A suffix that starts with "/" names a file inside a
        page's folder (``/index.html``), whose presence is the folder's, as for ``carry``.
        """
        family = (folder, suffix)
        if family in self._named:
            return self._carry_named(family, names)
        prefix = f"{folder}/" if folder else ""
        self._resolve(f"{prefix}x{suffix}")  # a folder or suffix outside the output fails here
        listing = self._listing(folder)
        if suffix.startswith("/"):
            listed = list(listing.intersection(names))
        else:
            listed = [name for name in names if f"{name}{suffix}" in listing]
        relpaths = [f"{prefix}{name}{suffix}" for name in listed]
        keys = list(map(self.last.files.get, relpaths))  # None: the last build did not make it
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

    def _carry_named(self, family: Family, names: Collection[str]) -> set[str]:
        # Whole mappings and set operations: no path is made and no name looked up one by
        # one, unless the folder changed since the last build left it.
        folder, suffix = family
        last = self.last.named[family]
        wanted = names if isinstance(names, set | frozenset) else set(names)
        if self._as_left(folder):
            carry = wanted & last.keys()
        elif suffix.startswith("/"):
            carry = wanted & last.keys() & self._listing(folder)
        else:
            listing = self._listing(folder)
            carry = {name for name in wanted & last.keys() if f"{name}{suffix}" in listing}
        dropped = last.keys() - carry
        if len(dropped) < len(carry):  # the usual rebuild: a copy, less a few
            carried = dict(last)
            for name in dropped:
                del carried[name]
        else:
            carried = {name: last[name] for name in carry}
        if "" in carried.values():  # made without a key: never carried
            carried = {name: key for name, key in carried.items() if key}
        mine = self._named[family]
        for name in carried.keys() & mine.keys():  # claimed already in this build
            del carried[name]
        mine.update(carried)
        self.kept += len(carried)
        return set(wanted.difference(carried.keys()))

    def previous_bytes(self, relpath: str) -> bytes | None:
        """The bytes at ``relpath``, if the last build made that file; None if it did not or it is gone.

        For a writer that patches a file rather than making it again; the file's input
        key (``previous_key``) says what the last build made it from.
        """
        if self.previous_key(relpath) is None:
            return None
        try:
            with open(self._resolve(relpath), "rb") as handle:
                return handle.read()
        except (OSError, BuildError):
            return None

    def claim(self, relpath: str, key: str = "") -> None:
        """Record that ``relpath`` belongs to this build although it was not rewritten.

        Nothing is written, so the path is not checked here (as ``write`` checks it);
        ``finish`` checks every path it removes.
        """
        self._claim(relpath, key, check=False)

    def claim_each(self, folder: str, names: Iterable[str], suffix: str = "") -> None:
        """``claim`` ``folder/<name><suffix>`` for each of ``names`` (file names, without a key).

        In a family folder, in one step: an export that keeps 100,000 files as they are
        claimed them one call each for a fifth of a second.
        """
        family = (folder, suffix)
        if family not in self._named:
            for name in names:
                self.claim(f"{folder}/{name}{suffix}")
            return
        claimed = dict.fromkeys(names, "")
        mine = self._named[family]
        if not mine.keys().isdisjoint(claimed):
            twice = min(mine.keys() & claimed.keys())
            raise BuildError(f"two pages of the site would both be written to {folder}/{twice}{suffix}")
        mine.update(claimed)

    def target(self, relpath: str, key: str = "") -> str:
        """Claim ``relpath`` for a file made elsewhere (another process); its absolute path.

        ``record`` then says whether its bytes changed.
        """
        self._mark_writing()
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
        last = self.last
        # Key views, not a set of each: one set of 100,000 paths made, not two.
        stale = list(last.files.keys() - self._paths.keys())
        for (folder, suffix), names in last.named.items():
            stale.extend(f"{folder}/{name}{suffix}" for name in names.keys() - self._named[(folder, suffix)].keys())
        removed = 0
        for relpath in sorted(stale):
            with contextlib.suppress(FileNotFoundError, BuildError, IsADirectoryError):
                target = self._resolve(relpath)
                os.unlink(target)
                removed += 1
                # A paper's page lives alone in its folder; do not leave the folder behind.
                with contextlib.suppress(OSError):
                    os.rmdir(os.path.dirname(target))
        folders = {folder: stamp for folder, _ in self.families if (stamp := self._stamp(folder)) is not None}
        made = Manifest(self._paths, self._named, folders)
        if made != last or not self.manifest.exists():
            write_atomic(self.manifest, _dumps(made), durable=False)
        for done in (_writing_mark(self.manifest), self.manifest.with_suffix(".json")):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(done)
        return removed

    def _mark_writing(self) -> None:
        # Before the first file this build writes: until ``finish`` records what the files
        # were made from, the manifest no longer vouches for them (``last``).
        if not self._marked and self.manifest is not None:
            self.last  # noqa: B018 -- read before the mark, which would blank it
            mark = _writing_mark(self.manifest)
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.touch()
            self._marked = True

    def _family_of(self, relpath: str) -> tuple[Family, str] | None:
        return _in_family(relpath, self.families) if self.families else None

    def _claimed(self, relpath: str) -> bool:
        found = self._family_of(relpath)
        if found is None:
            return relpath in self._paths
        family, name = found
        return name in self._named[family]

    def _claim(self, relpath: str, key: str, *, check: bool = True) -> str:
        target = self._resolve(relpath) if check else ""
        found = self._family_of(relpath)
        claimed = self._paths if found is None else self._named[found[0]]
        name = relpath if found is None else found[1]
        if name in claimed:
            raise BuildError(f"two pages of the site would both be written to {relpath}")
        claimed[name] = key
        return target

    def present(self, relpath: str) -> bool:
        """Whether ``relpath`` is in the output folder, as ``carry`` checks it.

        By the listing of the file's folder (of the page's folder, for ``…/index.html``),
        read once per folder; in a family folder that the last build left as it is now,
        by its manifest.  So a page's folder removed by hand is noticed, an
        ``index.html`` removed from inside it is not (as with the build stamp,
        ``rm -r cache`` makes everything again).
        """
        found = self._family_of(relpath)
        if found is not None and self._as_left(found[0][0]) and found[1] in self.last.named[found[0]]:
            return True
        folder, _, name = relpath.rpartition("/")
        if name == "index.html" and folder:
            folder, _, name = folder.rpartition("/")
        return name in self._listing(folder)

    def _as_left(self, folder: str) -> bool:
        """Whether the family folder ``folder`` was, when this writer began, as the last build left it."""
        stamp = self._found.get(folder)
        return stamp is not None and self.last.folders.get(folder) == stamp

    def _stamp(self, folder: str) -> FolderStamp | None:
        try:
            info = os.stat(self._resolve(folder))
        except (OSError, BuildError):
            return None
        return info.st_ino, info.st_mtime_ns

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
    """A writer's manifest as relpath -> input key, every family spelled out."""
    return dict(read_manifest_parts(path).relpaths())


def read_manifest_parts(path: Path) -> Manifest:
    """A writer's manifest as it is kept (the flat mappings and JSON of older builds are read too).

    marshal, not JSON: at 100,000 papers the manifests of a build hold over 300,000 paths,
    and encoding them as JSON cost most of a one-paper rebuild's second.  An unreadable
    manifest is an empty one: the writer then makes every file again.
    """
    try:
        data = cachefile.load(path)
    except OSError:
        return Manifest()
    except (EOFError, ValueError, TypeError):
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, ValueError):
            return Manifest()
    if isinstance(data, tuple) and len(data) == 5 and data[:2] == (_FORMAT, _VERSION):
        files, named, folders = data[2:]
        if (
            _is_keys(files)
            and isinstance(named, dict)
            and all(_is_family(f) and _is_keys(n) for f, n in named.items())
            and isinstance(folders, dict)
            and all(isinstance(s, tuple) and len(s) == 2 for s in folders.values())
        ):
            return Manifest(files, named, folders)
        return Manifest()
    if isinstance(data, list):
        return Manifest({str(p): "" for p in data})
    if isinstance(data, dict):
        return Manifest(data if _is_keys(data) else {str(p): str(k) for p, k in data.items()})
    return Manifest()


def _is_keys(mapping: object) -> bool:
    # Checked by type sets, not item by item: a manifest holds up to 200,000 paths.
    return isinstance(mapping, dict) and set(map(type, mapping)) <= {str} and set(map(type, mapping.values())) <= {str}


def _is_family(family: object) -> bool:
    return isinstance(family, tuple) and len(family) == 2 and all(isinstance(part, str) for part in family)


def _regrouped(found: Manifest, families: tuple[Family, ...]) -> Manifest:
    """``found`` with exactly ``families`` by name, and every other file by path.

    The usual case (the same families as the last build) costs nothing; a manifest of an
    older build, or of other families, is regrouped once.
    """
    # A writer files every path of a family under the family: with the same families
    # as the last build, no path in ``files`` can belong to one.
    if found.named.keys() == set(families):
        return found
    files = dict(found.files)
    for (folder, suffix), names in found.named.items():
        if (folder, suffix) not in families:
            files.update((f"{folder}/{name}{suffix}", key) for name, key in names.items())
    named = {family: dict(found.named.get(family, {})) for family in families}
    for relpath in list(files):
        if (grouped := _in_family(relpath, families)) is not None:
            family, name = grouped
            named[family][name] = files.pop(relpath)
    folders = {folder for folder, _suffix in families}
    return Manifest(files, named, {f: stamp for f, stamp in found.folders.items() if f in folders})


def _in_family(relpath: str, families: tuple[Family, ...]) -> tuple[Family, str] | None:
    for family in families:
        folder, suffix = family
        if relpath.startswith(f"{folder}/") and relpath.endswith(suffix):
            name = relpath[len(folder) + 1 : len(relpath) - len(suffix)]
            if name and "/" not in name:
                return family, name
    return None


def _writing_mark(manifest: Path) -> Path:
    """The file that says a writer began writing and has not recorded its manifest since."""
    return manifest.with_name(f"{manifest.name}.writing")


def _dumps(manifest: Manifest) -> bytes:
    return marshal.dumps((_FORMAT, _VERSION, manifest.files, manifest.named, manifest.folders))
