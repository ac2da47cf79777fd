"""How every front end ranks: BM25F over the *live* papers, ties broken in the canonical order.

Whoosh's own BM25F takes its statistics from the index as stored: the document count,
the total field lengths and each term's document frequency all still count papers that
were deleted or replaced since the last merge.  An index updated paper by paper would
then rank (and export) differently from one built from scratch for the same shelf.  Here
the statistics are those of the live papers only, so the ranking depends on the shelf,
never on its history:

- ``doc_count``: live papers;
- ``lengths``: per field, the sum of the live papers' field lengths as Whoosh stores them
  per document (``doc_field_length``, quantised to one byte), the same lengths BM25F reads
  for each posting;
- document frequencies: live postings of the term.

The idf is ``(log N - log(df + 1)) + 1`` (Whoosh's ``log(N / (df + 1)) + 1`` split in
two): the static export ships ``log N`` in its meta file and ``log(df + 1)`` in the
chunks, so the browser adds and subtracts exactly the same doubles and a chunk's bytes
do not depend on the size of the shelf.

Documents are ordered canonically by (day joined, slug): the static export numbers them
in that order, and equal scores rank in that order everywhere.  New papers join on the
latest day, so they take the last numbers and leave every other number as it was.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from heapq import heappush, heapreplace
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.collectors import TopCollector
from whoosh.reading import IndexReader, TermNotFound
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length, length_to_byte

from ..atomic import write_atomic
from .schema import ANALYZER_KINDS, BM25_B, BM25_K1, make_schema
from .storage import open_whoosh

STATS_FILE = "papershelf-stats.json"
SCORABLE = tuple(name for name in ANALYZER_KINDS if make_schema()[name].scorable)


@dataclass(frozen=True, slots=True)
class LiveStats:
    """What BM25F needs to know about the shelf, counted over live papers only."""

    doc_count: int
    lengths: Mapping[str, int]  # scorable field -> total of the live papers' lengths

    @property
    def log_n(self) -> float:
        return math.log(max(self.doc_count, 1))

    def avg_length(self, field: str) -> float:
        # As Whoosh's BM25FScorer: ``avg_field_length(field) or 1``.
        return (self.lengths.get(field, 0) / (self.doc_count or 1)) or 1

    def idf(self, df: int) -> float:
        return (self.log_n - log_df(df)) + 1


def log_df(df: int) -> float:
    return math.log(df + 1)


def live_stats(reader: IndexReader) -> LiveStats:
    """Count the live statistics of ``reader`` (one pass over its length columns)."""
    lengths = dict.fromkeys(SCORABLE, 0)
    for leaf, _offset in reader.leaf_readers():
        if leaf.doc_count() == 0:
            continue
        live = list(leaf.all_doc_ids())
        for field in SCORABLE:
            # ``or 0``: whoosh3 answers None for a document without the field.
            lengths[field] += sum(leaf.doc_field_length(d, field) or 0 for d in live)
    return LiveStats(reader.doc_count(), lengths)


def quantised_length(spec: Any, value: str) -> int:
    """A field's length in a document as Whoosh stores it (one byte) and BM25F reads it."""
    return byte_to_length(length_to_byte(sum(freq for _text, freq, _weight, _value in spec.index(value))))


def recorded_stats(index_dir: Path, ix: index.Index) -> LiveStats | None:
    """The statistics recorded for the index's latest generation, if any (no reader opened)."""
    from .index import identity

    try:
        data = json.loads((index_dir / STATS_FILE).read_text(encoding="utf-8"))
        if data["key"] != identity(index_dir, ix).hex():
            return None
        return LiveStats(int(data["docCount"]), {str(k): int(v) for k, v in data["lengths"].items()})
    except (OSError, ValueError, TypeError, KeyError):
        return None


def current_stats(index_dir: Path, ix: index.Index) -> LiveStats:
    """The live statistics of the index's latest generation: recorded, or counted now."""
    stats = recorded_stats(index_dir, ix)
    if stats is None:
        with ix.reader() as reader:
            stats = cached_stats(index_dir, ix, reader)
    return stats


def stats_without(index_dir: Path, ix: index.Index, slugs: Iterable[str], searcher: Searcher) -> LiveStats | None:
    """The recorded statistics of the index as it stands, less the papers ``slugs`` (found
    with ``searcher``); None when no current record exists (then they are counted afresh
    when next needed)."""
    stats = recorded_stats(index_dir, ix)
    if stats is None:
        return None
    count, lengths = stats.doc_count, dict(stats.lengths)
    reader = searcher.reader()
    for slug in slugs:
        docnum = searcher.document_number(slug=slug)
        if docnum is None:
            continue
        count -= 1
        for field in SCORABLE:
            lengths[field] = lengths.get(field, 0) - (reader.doc_field_length(docnum, field) or 0)
    return LiveStats(count, lengths)


def stats_with(stats: LiveStats, docs: Iterable[Mapping[str, str]]) -> LiveStats:
    """``stats`` plus the documents ``docs`` (as given to Whoosh's writer)."""
    schema = make_schema()
    count, lengths = stats.doc_count, dict(stats.lengths)
    for doc in docs:
        count += 1
        for field in SCORABLE:
            if doc.get(field):
                lengths[field] = lengths.get(field, 0) + quantised_length(schema[field], doc[field])
    return LiveStats(count, lengths)


def record_stats(index_dir: Path, ix: index.Index, stats: LiveStats) -> None:
    """Record ``stats`` as those of the index's latest generation."""
    from .index import identity

    _write_stats(index_dir, identity(index_dir, ix).hex(), stats)


def _write_stats(index_dir: Path, key: str, stats: LiveStats) -> None:
    record = {"key": key, "docCount": stats.doc_count, "lengths": dict(sorted(stats.lengths.items()))}
    with contextlib.suppress(OSError):
        write_atomic(index_dir / STATS_FILE, json.dumps(record, sort_keys=True).encode(), durable=False)


def cached_stats(index_dir: Path, ix: index.Index, reader: IndexReader) -> LiveStats:
    """``live_stats`` of ``reader``, from the file beside the index when it is current."""
    from .index import identity  # index.py imports this module

    key = identity(index_dir, ix, reader.generation()).hex()
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads((index_dir / STATS_FILE).read_text(encoding="utf-8"))
        if data["key"] == key:
            return LiveStats(int(data["docCount"]), {str(k): int(v) for k, v in data["lengths"].items()})
    stats = live_stats(reader)
    _write_stats(index_dir, key, stats)
    return stats


def live_doc_frequency(reader: IndexReader, field: str, text: str | bytes) -> int:
    """How many live papers hold ``text`` in ``field``."""
    total = 0
    for leaf, _offset in reader.leaf_readers():
        if (field, text) not in leaf:
            continue
        if not leaf.has_deletions():
            total += leaf.doc_frequency(field, text)
            continue
        with contextlib.suppress(TermNotFound):
            # A segment's matcher skips its deleted documents.
            total += sum(1 for _ in leaf.postings(field, text).all_ids())
    return total


class LiveBM25F(BM25F):
    """Whoosh's BM25F with the shelf's live statistics (see the module's docstring)."""

    def __init__(self, stats: LiveStats) -> None:
        super().__init__(B=BM25_B, K1=BM25_K1)
        self.stats = stats

    def idf(self, searcher: Any, fieldname: str, text: str) -> float:
        return self.stats.idf(live_doc_frequency(searcher.get_parent().reader(), fieldname, text))

    def scorer(self, searcher: Any, fieldname: str, text: str, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        return _LiveScorer(searcher, fieldname, text, self, qf)


class _LiveScorer(BM25FScorer):
    def __init__(self, searcher: Any, fieldname: str, text: str, model: LiveBM25F, qf: int = 1) -> None:
        self.idf = searcher.get_parent().idf(fieldname, text)  # cached per query by the searcher
        self.avgfl = model.stats.avg_length(fieldname)
        self.B = model.B
        self.K1 = model.K1
        self.qf = qf
        self.setup(searcher, fieldname, text)


@contextlib.contextmanager
def paper_searcher(index_dir: Path, ix: index.Index | None = None) -> Iterator[Searcher]:
    """A searcher over the index in ``index_dir`` that ranks with the live statistics."""
    ix = ix or open_whoosh(index_dir)
    reader = ix.reader()
    searcher = Searcher(reader, weighting=LiveBM25F(cached_stats(index_dir, ix, reader)))
    try:
        yield searcher
    finally:
        searcher.close()


class _Later:
    """A canonical key that sorts backwards: the heap's worst entry has the largest key."""

    __slots__ = ("key",)

    def __init__(self, key: tuple[str, str]) -> None:
        self.key = key

    def __lt__(self, other: _Later) -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Later) and other.key == self.key

    __hash__ = None  # type: ignore[assignment]


class CanonicalTopCollector(TopCollector):
    """Whoosh's ``TopCollector`` with ties ranked by (day joined, slug), not by Whoosh's
    document numbers, which depend on the order papers were written in."""

    def set_subsearcher(self, subsearcher: Searcher, offset: int) -> None:
        super().set_subsearcher(subsearcher, offset)
        reader = subsearcher.reader()
        self._joined = reader.column_reader("joined")
        self._slugs = reader.column_reader("slug")

    def _rank(self, global_docnum: int) -> _Later:
        sub = global_docnum - self.offset
        return _Later((self._joined[sub], self._slugs[sub]))

    def _collect(self, global_docnum: int, score: float) -> float:
        items = self.items
        self.total += 1
        if len(items) < self.limit:
            heappush(items, (score, self._rank(global_docnum), global_docnum))
        elif score < items[0][0]:
            return 0
        else:
            entry = (score, self._rank(global_docnum), global_docnum)
            if entry[:2] < items[0][:2]:  # an equal score that loses the tie
                return 0
            heapreplace(items, entry)
        if len(items) == self.limit:
            # A block whose best score equals the worst kept score may hold a paper
            # that wins the tie: skip only blocks that are clearly worse.
            worst = items[0][0]
            self.minscore = worst - abs(worst) * 1e-9
        return 0 - score

    def remove(self, global_docnum: int) -> None:
        raise NotImplementedError("papers are never removed from a search in progress")

    def results(self) -> Any:
        items = sorted(self.items, key=lambda item: (item[0], item[1]), reverse=True)
        return self._results([(score, docnum) for score, _rank, docnum in items])
