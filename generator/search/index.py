"""The Whoosh index of the shelf, kept in step with the papers incrementally.

Each paper is one document keyed by its slug, with a hash of everything indexed about it.
An update writes only papers whose hash changed and deletes papers that left the shelf;
the rest of the index is left alone, so adding one paper to a big shelf costs one paper.

The index folder also holds ``papershelf-index.json``: the schema version (an index of
another version is rebuilt) and the topics (saved queries), which a query can name as
``topic:slug`` from any front end.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import pickle
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh import index

from ..atomic import write_atomic
from ..mappings import changed_keys
from ..model import Paper
from ..settings import Topic
from .ranking import record_stats, stats_with, stats_without
from .schema import SCHEMA_VERSION, make_schema
from .state import read_state, write_state
from .storage import open_whoosh

logger = logging.getLogger(__name__)

KNOWN_FILE = "papershelf-hashes.pickle"  # slug -> hash of the indexed papers, a cache of the index's columns
WRITER_TIMEOUT = 60.0  # seconds to wait for another build's writer to finish
INCREMENTAL_STATS_LIMIT = 1000  # papers written or removed, past which statistics are recounted


@dataclass(frozen=True, slots=True)
class IndexUpdate:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    # The slugs written or deleted, and the index's identity before and after, so that
    # what is derived from the index (topics) can be brought up to date from these alone.
    touched: frozenset[str] = frozenset()
    before: bytes = b""
    after: bytes = b""

    def summary(self) -> str:
        how = "rebuilt" if self.rebuilt else "updated"
        return (
            f"Search index {how} in {self.seconds:.2f} s: {self.added} added, {self.changed} changed, "
            f"{self.removed} removed, {self.unchanged} unchanged"
        )


def content_hash(paper: Paper) -> str:
    """A hash of what the index holds about ``paper``."""
    # Unit and record separators cannot occur in cleaned paper text; a plain join is
    # several times faster than JSON, which matters at 100k papers on every build.
    fields = (
        str(SCHEMA_VERSION),
        paper.title,
        paper.abstract,
        paper.date.isoformat(),
        "\x1e".join(paper.collections),
        "\x1e".join(paper.authors),
        paper.arxiv_id,
    )
    return hashlib.blake2b("\x1f".join(fields).encode(), digest_size=12).hexdigest()


def document(paper: Paper, hash_: str) -> dict[str, str]:
    doc = {
        "slug": paper.slug,
        "content_hash": hash_,
        "title": paper.title,
        "abstract": paper.abstract,
        "author": "\n".join(paper.authors),
        "collection": " ".join(paper.collections),
        "joined": paper.date.isoformat(),
        "arxiv": paper.arxiv_id,
    }
    # An empty value would be indexed as an empty term; leave the field out instead.
    return {name: value for name, value in doc.items() if value}


def update_index(
    index_dir: Path,
    papers: Sequence[Paper],
    topics: Sequence[Topic] = (),
    progress: Callable[[int], None] = lambda _n: None,
    hashes: Mapping[str, str] | None = None,
) -> IndexUpdate:
    """Bring the index in ``index_dir`` in step with ``papers``; record ``topics`` beside it.

    ``hashes`` (slug -> ``content_hash``) saves computing them when the caller has.
    """
    started = time.monotonic()
    if hashes is None:
        hashes = {p.slug: content_hash(p) for p in papers}
    ix, rebuilt, stored = _open(index_dir)
    before = b"" if rebuilt else identity(index_dir, ix)
    # The two tables compared whole: at 100,000 papers, comparing paper by paper cost a
    # quarter of a second of every rebuild.
    changed = changed_keys(hashes, stored)
    to_write = [p for p in papers if p.slug in changed] if changed else []
    removed = sorted(stored.keys() - hashes.keys())
    added = sum(1 for p in to_write if p.slug not in stored)
    if to_write or removed:
        # A few papers: carry the live statistics over instead of counting them afresh.
        small = len(to_write) + len(removed) <= INCREMENTAL_STATS_LIMIT and not rebuilt
        gone = [*removed, *(p.slug for p in to_write if p.slug in stored)]
        docs = [document(paper, hashes[paper.slug]) for paper in to_write]
        writer = ix.writer(timeout=WRITER_TIMEOUT)
        try:
            # Under the writer's lock: no other build commits between these and ours.
            # The writer's own searcher: opening another reader costs as much again.
            carried = stats_without(index_dir, ix, gone, writer.searcher()) if small else None
            for slug in removed:
                writer.delete_by_term("slug", slug)
            for count, doc in enumerate(docs, start=1):
                # update_document deletes the old version (same slug) before adding this one.
                writer.update_document(**doc)
                if count % 500 == 0:
                    progress(count)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        for slug in removed:
            del stored[slug]
        stored.update((p.slug, hashes[p.slug]) for p in to_write)
        _write_known(index_dir, ix, stored)
        if carried is not None:
            record_stats(index_dir, ix, stats_with(carried, docs))
    write_state(index_dir, topics)
    return IndexUpdate(
        added=added,
        changed=len(to_write) - added,
        removed=len(removed),
        unchanged=len(papers) - len(to_write),
        rebuilt=rebuilt,
        seconds=time.monotonic() - started,
        touched=frozenset([*removed, *(p.slug for p in to_write)]),
        before=before,
        after=identity(index_dir, ix),
    )


def _open(index_dir: Path) -> tuple[index.Index, bool, dict[str, str]]:
    """The index in ``index_dir`` and what it holds (slug -> hash); created afresh if it is
    missing, of another schema version, or cannot be read."""
    if read_state(index_dir).get("schema") == SCHEMA_VERSION:
        try:
            if index.exists_in(str(index_dir)):
                ix = open_whoosh(index_dir)
                known = _read_known(index_dir, ix)
                if known is not None:
                    return ix, False, known
                with ix.searcher() as searcher:
                    known = _stored_hashes(searcher)
                _write_known(index_dir, ix, known)
                return ix, False, known
        except Exception as exc:  # noqa: BLE001 -- any unreadable index is rebuilt from the shelf
            logger.warning("Rebuilding the search index: the one in %s cannot be read (%s)", index_dir, exc)
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), make_schema())
    write_state(index_dir, ())
    return ix, True, {}


def identity(index_dir: Path, ix: index.Index, generation: int | None = None) -> bytes:
    """A digest of the index's table of contents (of its latest generation, or of
    ``generation``), which names its segments (random ids): it changes with every commit,
    and a rebuilt index never has an old one's."""
    generation = ix.latest_generation() if generation is None else generation
    toc = index_dir / f"_{ix.indexname}_{generation}.toc"
    return hashlib.sha256(toc.read_bytes()).digest()


def read_known(index_dir: Path) -> dict[str, str] | None:
    """slug -> content hash of every paper in the index, if the cache of it is current."""
    try:
        return _read_known(index_dir, open_whoosh(index_dir))
    except Exception:  # noqa: BLE001 -- no index, or an unreadable one: no answer
        return None


def _read_known(index_dir: Path, ix: index.Index) -> dict[str, str] | None:
    """slug -> hash as recorded after the last commit, if that is still the index's state."""
    try:
        with (index_dir / KNOWN_FILE).open("rb") as handle:
            recorded, known = pickle.load(handle)
    except Exception:  # noqa: BLE001 -- missing or unreadable: read the index itself
        return None
    return known if recorded == identity(index_dir, ix) and isinstance(known, dict) else None


def _write_known(index_dir: Path, ix: index.Index, known: dict[str, str]) -> None:
    data = pickle.dumps((identity(index_dir, ix), known), protocol=pickle.HIGHEST_PROTOCOL)
    with contextlib.suppress(OSError):
        write_atomic(index_dir / KNOWN_FILE, data, durable=False)


def _stored_hashes(searcher: object) -> dict[str, str]:
    """slug -> content hash of every live document, read from the index's columns."""
    reader = searcher.reader()  # type: ignore[attr-defined]
    if reader.doc_count() == 0:
        return {}
    slugs = reader.column_reader("slug")
    hashes = reader.column_reader("content_hash")
    return {slugs[docnum]: hashes[docnum] for docnum in reader.all_doc_ids()}
