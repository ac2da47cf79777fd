"""Input keys: short digests of what a file is made from, so unchanged files are not made again."""

from __future__ import annotations

import hashlib
from pathlib import Path

_GENERATOR = Path(__file__).resolve().parent.parent
_code_digest: str | None = None


def input_key(*parts: object) -> str:
    """A digest of ``parts`` (strings, numbers, dates, None and sequences of them).

    ``repr`` of these types is deterministic, so equal parts give equal keys in every build.
    """
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def code_digest() -> str:
    """A digest of Papershelf's own source: a new version of the code makes every file again."""
    global _code_digest
    if _code_digest is None:
        digest = hashlib.blake2b(digest_size=16)
        for path in sorted(_GENERATOR.rglob("*.py")):
            digest.update(path.relative_to(_GENERATOR).as_posix().encode() + b"\0" + path.read_bytes())
        _code_digest = digest.hexdigest()
    return _code_digest
