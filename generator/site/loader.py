"""Reading the shelf for a build: every paper file, parsed once and cached by its stamp.

The cache maps a file name to ``(mtime_ns, size, Paper)``; a file whose stamp is the same
as last time is not read again.  A damaged or missing cache only costs time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import pickle
from pathlib import Path

from ..atomic import write_atomic
from ..errors import PaperFileError
from ..model import Paper
from ..paperfile import parse_paper

logger = logging.getLogger(__name__)
# A cache written for other Paper fields must not be unpickled into this one.
_CACHE_VERSION = (1, tuple(f.name for f in dataclasses.fields(Paper)))


def load_papers(folder: Path, cache_file: Path | None = None) -> tuple[list[Paper], list[PaperFileError]]:
    """All valid papers in ``folder`` (sorted by slug) and the files that could not be read."""
    cached = _read_cache(cache_file) if cache_file else {}
    fresh: dict[str, tuple[int, int, Paper]] = {}
    papers: list[Paper] = []
    errors: list[PaperFileError] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        entries = []
    for entry in entries:
        name = entry.name
        if name.startswith(".") or not name.endswith(".md") or not entry.is_file():
            continue
        stat = entry.stat()
        hit = cached.get(name)
        if hit and hit[0] == stat.st_mtime_ns and hit[1] == stat.st_size:
            paper = hit[2]
        else:
            try:
                paper = _read(Path(entry.path))
            except PaperFileError as exc:
                errors.append(exc)
                continue
        fresh[name] = (stat.st_mtime_ns, stat.st_size, paper)
        papers.append(paper)
    if cache_file and fresh != cached:
        _write_cache(cache_file, fresh)
    return papers, errors


def _read(path: Path) -> Paper:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PaperFileError(str(path), f"not UTF-8 ({exc.reason}); save it as UTF-8") from None
    paper = parse_paper(text, str(path))
    if paper.slug != path.stem:
        raise PaperFileError(str(path), f"'Slug: {paper.slug}' does not match the file name {path.name}")
    return paper


def _read_cache(path: Path) -> dict[str, tuple[int, int, Paper]]:
    try:
        with path.open("rb") as handle:
            version, data = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except Exception:  # noqa: BLE001 -- any unreadable cache (old version, cut short) is rebuilt
        logger.info("Ignoring unreadable paper cache %s", path)
        return {}
    return data if version == _CACHE_VERSION else {}


def _write_cache(path: Path, data: dict[str, tuple[int, int, Paper]]) -> None:
    with contextlib.suppress(OSError):
        write_atomic(path, pickle.dumps((_CACHE_VERSION, data), protocol=pickle.HIGHEST_PROTOCOL), durable=False)
