"""Reading the shelf for a build: every paper file, parsed once and cached by its stamp.

The cache maps a file name to its stamp ``(mtime_ns, size)``, the paper's digest, its
search content hash and the paper's fields; a file whose stamp is the same as last time
is not read again (parsing 100,000 paper files takes about 14 s, the cache about a
second).  It is a ``marshal`` of plain tuples rather than a pickle of ``Paper`` objects,
whose frozen-dataclass ``__setstate__`` runs Python code per field, read through a map
of each file (``cachefile``), because ``marshal.load`` on a file reads it in small
pieces.  It is split into
``SHARDS`` files by file name, so that adding a paper rewrites a 64th of it rather than
all of it (180 MB at 100,000 papers).  A damaged or missing cache only costs time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import marshal
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from .. import cachefile
from ..atomic import write_atomic
from ..errors import PaperFileError
from ..model import Paper
from ..paperfile import is_paper_file, parse_paper
from ..progress import Progress
from ..search.index import content_hash
from ..search.schema import SCHEMA_VERSION
from .model import paper_digest

logger = logging.getLogger(__name__)
_FIELDS = tuple(f.name for f in dataclasses.fields(Paper))
_DATE = _FIELDS.index("date")
_PUBLISHED = _FIELDS.index("published")
# Paper is a frozen dataclass with slots: its __init__ sets each field through
# object.__setattr__, which costs more than reading the cache.  The slots' own
# descriptors set the same fields directly.
_SETTERS = tuple(getattr(Paper, name).__set__ for name in _FIELDS)
# A cache written for other Paper fields, or another search schema (whose version the
# content hash covers), must not be read into this one.
_CACHE_VERSION = (4, _FIELDS, SCHEMA_VERSION)
SHARDS = 64
_FIRST = 4  # where a row's fields start

Row = tuple  # (mtime_ns, size, digest, content hash, fields...)
Stamps = Mapping[str, tuple[int, int]]  # file name -> (mtime_ns, size)


@dataclass
class Shelf:
    papers: list[Paper]  # sorted by slug
    errors: list[PaperFileError]
    digests: dict[str, str] = field(default_factory=dict)  # slug -> paper_digest
    # slug -> search.index.content_hash: kept with the paper, as its digest is, so that
    # finding what the search index lacks costs no pass over every abstract.
    hashes: dict[str, str] = field(default_factory=dict)
    read: int = 0  # files parsed (the rest came from the cache)


def load_papers(folder: Path, cache_dir: Path | None = None) -> tuple[list[Paper], list[PaperFileError]]:
    """All valid papers in ``folder`` (sorted by slug) and the files that could not be read."""
    shelf = read_shelf(folder, cache_dir)
    return shelf.papers, shelf.errors


def paper_stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """The stamp of every paper file in ``folder``: file name -> (mtime_ns, size)."""
    found: dict[str, tuple[int, int]] = {}
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return found
    for entry in entries:
        name = entry.name
        if not is_paper_file(name):
            continue
        with contextlib.suppress(FileNotFoundError):
            if entry.is_file():
                info = entry.stat()
                found[name] = (info.st_mtime_ns, info.st_size)
    return found


class PaperCache:
    """The paper cache's rows and the papers made from them, read one shard at a time.

    In shards so that a build can read it while another process stamps the paper files
    (``read_next`` between looks at that process): the two take about as long, and
    neither needs the other until they are compared in ``read_shelf``.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.shards: list[dict[str, Row]] = []  # file name -> row
        self.papers: list[list[Paper]] = []  # each shard's papers, in the order of its rows

    def read_next(self) -> bool:
        """Read the next shard; False once every shard is read."""
        if len(self.shards) == SHARDS:
            return False
        rows = _read_shard(self.folder, len(self.shards)) if self.folder else {}
        self.shards.append(rows)
        self.papers.append(list(map(_from_fields, rows.values())))
        return True

    def read_all(self) -> PaperCache:
        while self.read_next():
            pass
        return self


def read_shelf(
    folder: Path,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    stamps: Stamps | None = None,
    cache: PaperCache | None = None,
) -> Shelf:
    """The papers of ``folder`` with their digests, reading only files whose stamp changed.

    ``stamps`` are the files' stamps when the caller has just taken them (the build
    stamp does), so that they are not taken twice; ``cache`` is ``cache_dir``'s
    ``PaperCache`` when the caller began reading it.  ``progress`` counts the paper files
    parsed (not those that came from the cache).
    """
    cache = (cache or PaperCache(cache_dir)).read_all()
    shards = cache.shards
    files = paper_stamps(folder) if stamps is None else stamps
    dirty = set()
    shelf = Shelf([], [])
    if progress is not None:
        progress.total = max(len(files) - sum(map(len, shards)), 1)
    # The cache's rows first, shard by shard (no shard number to compute per file); what
    # is left of ``unread`` then are the files new or changed since they were cached.
    unread = dict(files)
    for number, (shard, papers) in enumerate(zip(shards, cache.papers, strict=True)):
        gone = []
        for (name, row), paper in zip(shard.items(), papers, strict=True):
            stamp = unread.get(name)
            if stamp is None:
                gone.append(name)
            elif row[0] == stamp[0] and row[1] == stamp[1]:
                del unread[name]
                shelf.papers.append(paper)
                shelf.digests[paper.slug] = row[2]
                shelf.hashes[paper.slug] = row[3]
        for name in gone:
            del shard[name]
            dirty.add(number)
    for name in sorted(unread):
        number = _shard(name)
        dirty.add(number)
        try:
            paper = _read(folder / name)
        except PaperFileError as exc:
            shards[number].pop(name, None)
            shelf.errors.append(exc)
            continue
        digest, hash_ = paper_digest(paper), content_hash(paper)
        shards[number][name] = (*unread[name], digest, hash_, *_to_fields(paper))
        shelf.read += 1
        if progress is not None and shelf.read % 100 == 0:
            progress.update(shelf.read)
        shelf.papers.append(paper)
        shelf.digests[paper.slug] = digest
        shelf.hashes[paper.slug] = hash_
    shelf.papers.sort(key=attrgetter("slug"))
    if cache_dir:
        _write_cache(cache_dir, shards, dirty)
    return shelf


def _shard(name: str) -> int:
    return zlib.crc32(name.encode("utf-8")) % SHARDS


def _to_fields(paper: Paper) -> tuple:
    values = [getattr(paper, name) for name in _FIELDS]
    values[_DATE] = values[_DATE].toordinal()
    values[_PUBLISHED] = values[_PUBLISHED].toordinal() if values[_PUBLISHED] else None
    return tuple(values)


def _from_fields(row: Row) -> Paper:
    paper = Paper.__new__(Paper)
    for setter, value in zip(_SETTERS, row[_FIRST:], strict=True):
        setter(paper, value)
    _SETTERS[_DATE](paper, dt.date.fromordinal(row[_FIRST + _DATE]))
    if row[_FIRST + _PUBLISHED] is not None:
        _SETTERS[_PUBLISHED](paper, dt.date.fromordinal(row[_FIRST + _PUBLISHED]))
    return paper


def _read(path: Path) -> Paper:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PaperFileError(str(path), f"not UTF-8 ({exc.reason}); save it as UTF-8") from None
    except OSError as exc:
        raise PaperFileError(str(path), f"cannot be read ({exc.strerror})") from None
    paper = parse_paper(text, str(path))
    if paper.slug != path.stem:
        raise PaperFileError(str(path), f"'Slug: {paper.slug}' does not match the file name {path.name}")
    return paper


def _read_shard(folder: Path, number: int) -> dict[str, Row]:
    path = folder / f"{number:02d}.marshal"
    try:
        version, found = cachefile.load(path)
        if version == _CACHE_VERSION and isinstance(found, dict):
            return found
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 -- any unreadable shard (old format, cut short) is rebuilt
        logger.info("Ignoring unreadable paper cache %s", path)
    return {}


def _write_cache(folder: Path, shards: list[dict[str, Row]], numbers: set[int]) -> None:
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        for number in sorted(numbers):
            data = marshal.dumps((_CACHE_VERSION, shards[number]))
            write_atomic(folder / f"{number:02d}.marshal", data, durable=False)
