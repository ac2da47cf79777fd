"""A writer's record of what its files were last made from, kept between builds.

The page stage and the JSON API each keep the model's own mappings (record digests,
related papers, topics, lookup shards), so that a rebuild finds what changed with set
operations on whole mappings.  A record is marshalled with its format's version and
the salt it was made under (templates, settings, code); one of another version or
salt, or one that cannot be read, is no record: every file is then checked by its key.
"""

from __future__ import annotations

import contextlib
import marshal
from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import cachefile
from ..atomic import write_atomic


def read_record(path: Path, version: int, salt: str, count: int) -> tuple[dict, ...] | None:
    """The ``count`` mappings recorded at ``path`` under ``version`` and ``salt``, if they are there."""
    try:
        found = cachefile.load(path)
    except Exception:  # noqa: BLE001 -- no record, or an unreadable one
        return None
    if not isinstance(found, tuple) or len(found) != count + 2 or found[:2] != (version, salt):
        return None
    mappings = found[2:]
    return mappings if all(isinstance(m, dict) for m in mappings) else None


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


def write_record(path: Path, version: int, salt: str, mappings: Sequence[Mapping]) -> None:
    """Record ``mappings`` at ``path``; a record that cannot be written only costs the next build time."""
    data = (version, salt, *(dict(m) for m in mappings))
    with contextlib.suppress(OSError):
        write_atomic(path, marshal.dumps(data), durable=False)
