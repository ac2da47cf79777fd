"""A writer's record of what its files were last made from, kept between builds.

The page stage and the JSON API each keep the model's own mappings (record digests,
related papers, topics, lookup shards), so that a rebuild finds what changed with set
operations on whole mappings.  A record is marshalled with its format's version and
the salt it was made under (templates, settings, code); one of another version or
salt, or one that cannot be read, is no record: every file is then checked by its key.

A rebuild that changed a few papers writes only what changed, to a second file beside
the record (``<name>.delta.marshal``) that names the record it applies to: rewriting
100,000-entry mappings for one new paper cost a sixth of a second per writer.  Once the
changes grow past a share of the record, the record is written whole again.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import cachefile
from ..atomic import write_atomic

# Changes are written beside the record until they hold more entries than this share
# of the record's (or than the floor, for a small record).
DELTA_SHARE = 1 / 16
DELTA_FLOOR = 1000
Changes = tuple[dict, tuple]  # (key -> new value, keys removed) of one mapping


@dataclass(frozen=True)
class Record:
    """A record as read: its mappings, with the changes beside it applied."""

    mappings: tuple[dict, ...]
    token: str  # names the written-whole record the changes apply to
    changes: tuple[Changes, ...] = ()  # the changes beside it, one per mapping (empty: none)


def read_record(path: Path, version: int, salt: str, count: int) -> Record | None:
    """The ``count`` mappings recorded at ``path`` under ``version`` and ``salt``, if they are there."""
    try:
        found = cachefile.load(path)
    except Exception:  # noqa: BLE001 -- no record, or an unreadable one
        return None
    if not isinstance(found, tuple) or len(found) != count + 3 or found[:2] != (version, salt):
        return None
    token, mappings = found[2], found[3:]
    if not isinstance(token, str) or not all(isinstance(m, dict) for m in mappings):
        return None
    changes = _read_changes(_delta_path(path), version, salt, token, count)
    for mapping, (updated, removed) in zip(mappings, changes, strict=False):
        mapping.update(updated)
        for key in removed:
            mapping.pop(key, None)
    return Record(mappings, token, changes)


def made_under(path: Path, salt: str) -> bool:
    """Whether the record at ``path`` looks made under ``salt``, from its first bytes.

    A guess, for deciding where to do work before the record is read (reading a
    100,000-paper record takes a fifth of a second); ``read_record`` is the check.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(salt) + 64)
    except OSError:
        return False
    return salt.encode("utf-8") in head


def write_record(
    path: Path,
    version: int,
    salt: str,
    mappings: Sequence[Mapping],
    *,
    since: Record | None = None,
    touched: Sequence[Collection | None] = (),
) -> None:
    """Record ``mappings`` at ``path``.

    ``since`` is the record as this build read it (under the same version and salt), and
    ``touched`` holds, for each mapping, every key whose value may differ from it (None:
    any key may).  With both, only the changes are written, while they stay small.  A
    record that cannot be written is removed: a stale one would vouch for files made
    from something else.
    """
    try:
        if since is not None and len(touched) == len(mappings) == len(since.mappings):
            changes = _changes(since, mappings, touched)
            largest = max((len(m) for m in mappings), default=0)
            if sum(len(u) + len(r) for u, r in changes) <= max(DELTA_FLOOR, largest * DELTA_SHARE):
                data = (version, salt, since.token, *changes)
                write_atomic(_delta_path(path), marshal.dumps(data), durable=False)
                return
        token = os.urandom(8).hex()
        write_atomic(path, marshal.dumps((version, salt, token, *(dict(m) for m in mappings))), durable=False)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_delta_path(path))
    except OSError:
        forget_record(path)


def forget_record(path: Path) -> None:
    """Remove the record at ``path`` (and its changes)."""
    for stale in (path, _delta_path(path)):
        with contextlib.suppress(OSError):
            os.unlink(stale)


def _changes(since: Record, mappings: Sequence[Mapping], touched: Sequence[Collection | None]) -> list[Changes]:
    """Each mapping's changes from the record as last written whole: those ``since`` had
    beside it, brought up to date with what differs now among the ``touched`` keys."""
    found: list[Changes] = []
    for number, (now, then, keys) in enumerate(zip(mappings, since.mappings, touched, strict=True)):
        updated, removed = since.changes[number] if number < len(since.changes) else ({}, ())
        updated, gone = dict(updated), set(removed)
        for key in now.keys() | then.keys() if keys is None else keys:
            if key in now:
                value = now[key]
                if key not in then or then[key] != value:
                    updated[key] = value
                    gone.discard(key)
            elif key in then:
                updated.pop(key, None)
                gone.add(key)
        found.append((updated, tuple(sorted(gone))))
    return found


def _read_changes(path: Path, version: int, salt: str, token: str, count: int) -> tuple[Changes, ...]:
    try:
        found = cachefile.load(path)
    except Exception:  # noqa: BLE001 -- no changes, or unreadable ones (the record is then as written whole)
        return ()
    if not isinstance(found, tuple) or len(found) != count + 3 or found[:3] != (version, salt, token):
        return ()
    changes = found[3:]
    well_formed = all(
        isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], dict) and isinstance(c[1], tuple) for c in changes
    )
    return changes if well_formed else ()


def _delta_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.delta{path.suffix}")
