"""The Whoosh index as static files, so the browser can search it with no server.

What the browser needs to run a query exactly as Whoosh does, and no more:

- ``meta.<hash>.json``: the statistics BM25F uses (live document count and its log,
  total field lengths; see ``ranking.py``), the analysis settings (stop words), the
  topics, and the *chunk table*: the first term of every chunk of the lexicon, with the
  chunk's name;
- ``t/<name>.json``: one chunk of the lexicon, terms in order, each with, per field, the
  document frequency and its postings (document number, term weight, field length);
  ``ldf`` maps each document frequency in the chunk to ``log(df + 1)``, computed here
  because the browser's ``Math.log`` is not always rounded like Python's;
- ``p/<name>.json``: the positions of the same terms, fetched only for phrase queries;
- ``doc/<number>.json``: what a result shows (slug, title, day, abstract), fetched only
  for the results on screen.

Documents are numbered 0..N-1 in the canonical order (day joined, then slug) of the live
papers, whatever Whoosh's own document numbers are.

A query fetches the meta file once, then only the chunks holding its terms.  Chunk files
are named by their content, so a browser never mixes chunks from two builds.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Paper
from .query import open_index
from .ranking import LiveStats, log_df, paper_searcher
from .schema import (
    ANALYZER_KINDS,
    BM25_B,
    BM25_K1,
    DEFAULT_FIELDS,
    FIELD_BOOSTS,
    KEYWORD_PATTERN,
    SCHEMA_VERSION,
    STOP_MIN_SIZE,
    stop_words,
)

DATA_DIR = "search/data/"
# A chunk's target size grows with the square root of the lexicon's: a small shelf gets
# small chunks, a big one fewer chunks, so the chunk table (in the meta file, fetched by
# every first query) and the chunks a query fetches stay in balance.
MIN_CHUNK_BYTES = 16_000
MAX_CHUNK_BYTES = 64_000
HASH_CHARS = 10
FORMAT = 3


@dataclass(frozen=True, slots=True)
class ExportFile:
    path: str  # relative to the output folder
    data: bytes


@dataclass(frozen=True, slots=True)
class Export:
    meta_path: str
    files: tuple[ExportFile, ...]


def export_index(index_dir: Path, papers: Mapping[str, Paper], topics: Mapping[str, str]) -> Export:
    """Every static file of the browser's index (``papers`` by slug, ``topics`` slug -> query).

    The files depend on the shelf only, not on its history: documents are numbered in the
    canonical order (``ranking.py``) and every statistic counts live papers, so a build
    after any series of updates writes the same bytes as a build from scratch.
    """
    ix = open_index(index_dir)
    with paper_searcher(index_dir, ix) as searcher:
        reader = searcher.reader()
        stats: LiveStats = searcher.weighting.stats  # type: ignore[attr-defined]
        order = canonical_order(reader)
        numbers = {docnum: n for n, (docnum, _slug) in enumerate(order)}
        entries = _entries(reader, ix.schema, numbers)
        scorable = {name: bool(ix.schema[name].scorable) for name in ANALYZER_KINDS}

    files: list[ExportFile] = []
    chunk_table = []
    for first, terms in _chunks(entries):
        postings: dict[str, Any] = {"ldf": {}, "terms": {}}
        positions: dict[str, dict[str, list]] = {}
        for term in terms:
            postings["terms"][term] = {}
            for field, (df, row, pos) in entries[term].items():
                postings["ldf"][str(df)] = log_df(df)
                postings["terms"][term][field] = [df, *row]
                if pos is not None:
                    positions.setdefault(term, {})[field] = pos
        t_data, p_data = _json(postings), _json(positions)
        # One name for both files, from both contents: the table stays small.
        digest = hashlib.sha256(t_data + b"\0" + p_data).hexdigest()[:HASH_CHARS]
        files.append(ExportFile(f"{DATA_DIR}t/{digest}.json", t_data))
        files.append(ExportFile(f"{DATA_DIR}p/{digest}.json", p_data))
        chunk_table.append([first, digest])

    for number, (_docnum, slug) in enumerate(order):
        paper = papers.get(slug)
        if paper is None:
            continue
        doc = {
            "slug": slug,
            "title": paper.title,
            "joined": paper.date.isoformat(),
            "collections": list(paper.collections),
            "abstract": paper.abstract,
        }
        files.append(ExportFile(f"{DATA_DIR}doc/{number}.json", _json(doc)))

    meta = {
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "docCount": stats.doc_count,
        "logN": stats.log_n,
        "fields": {
            name: {"analyzer": kind, "scorable": scorable[name], "length": stats.lengths.get(name, 0)}
            for name, kind in ANALYZER_KINDS.items()
        },
        "defaultFields": list(DEFAULT_FIELDS),
        "boosts": FIELD_BOOSTS,
        "B": BM25_B,
        "K1": BM25_K1,
        "stopWords": stop_words(),
        "stopMinSize": STOP_MIN_SIZE,
        "keywordPattern": KEYWORD_PATTERN,
        "topics": dict(sorted(topics.items())),
        "chunks": chunk_table,
    }
    meta_file = _named("meta.", meta)
    files.append(meta_file)
    return Export(meta_file.path, tuple(files))


def canonical_order(reader: Any) -> list[tuple[int, str]]:
    """(Whoosh document number, slug) of every live paper, in the canonical order."""
    if reader.doc_count() == 0:
        return []
    joined = reader.column_reader("joined")
    slugs = reader.column_reader("slug")
    keyed = sorted((joined[d], slugs[d], d) for d in reader.all_doc_ids())
    return [(docnum, slug) for _joined, slug, docnum in keyed]


def utf16_key(term: str) -> bytes:
    """Sort terms as JavaScript compares strings (by UTF-16 code units)."""
    return term.encode("utf-16-be")


def _entries(
    reader: Any, schema: Any, numbers: Mapping[int, int]
) -> dict[str, dict[str, tuple[int, list[int], list | None]]]:
    """term -> field -> (live doc frequency, flat postings row, positions or None), with
    documents numbered as ``numbers`` maps Whoosh's numbers (live papers only)."""
    entries: dict[str, dict[str, tuple[int, list[int], list | None]]] = defaultdict(dict)
    for field in ANALYZER_KINDS:
        if field not in reader.indexed_field_names():
            continue
        fmt = schema[field].format
        with_positions = fmt.supports("positions")
        with_lengths = bool(schema[field].scorable)
        lengths: dict[int, int] = {}
        for btext in reader.lexicon(field):
            matcher = reader.postings(field, btext)  # skips deleted documents
            found: list[tuple[int, int, int, list[int] | None]] = []
            while matcher.is_active():
                docnum = matcher.id()
                length = 0
                if with_lengths:
                    length = lengths.get(docnum)
                    if length is None:
                        length = lengths[docnum] = reader.doc_field_length(docnum, field, 1)
                poslist = _deltas(matcher.value_as("positions")) if with_positions else None
                found.append((numbers[docnum], _number(matcher.weight()), length, poslist))
                matcher.next()
            if not found:
                continue  # every document holding it was deleted
            found.sort(key=lambda item: item[0])
            ids = [item[0] for item in found]
            row = [len(ids), *_deltas(ids), *(item[1] for item in found)]
            if with_lengths:
                row.extend(item[2] for item in found)
            term = btext.decode("utf-8")
            poslists = [item[3] for item in found] if with_positions else None
            entries[term][field] = (len(ids), row, poslists)
    return entries


def _chunks(entries: Mapping[str, Mapping[str, Any]]) -> Iterator[tuple[str, list[str]]]:
    terms = sorted(entries, key=utf16_key)
    costs = [len(t) + sum(len(row) * 4 + 16 for _df, row, _pos in entries[t].values()) for t in terms]
    # Balances table size (about 25 bytes a chunk) against a query's two or three chunks.
    target = min(MAX_CHUNK_BYTES, max(MIN_CHUNK_BYTES, int(math.sqrt(25 * sum(costs) / 2))))
    current: list[str] = []
    size = 0
    for term, cost in zip(terms, costs, strict=True):
        if current and size + cost > target:
            yield current[0], current
            current, size = [], 0
        current.append(term)
        size += cost
    if current:
        yield current[0], current


def _deltas(values: Sequence[int]) -> list[int]:
    out, previous = [], 0
    for value in values:
        out.append(value - previous)
        previous = value
    return out


def _number(value: float) -> int:
    whole = int(value)
    if whole != value:
        raise ValueError(f"a term weight of {value} is not a whole number; the export assumes counts")
    return whole


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _named(prefix: str, data: object) -> ExportFile:
    payload = _json(data)
    digest = hashlib.sha256(payload).hexdigest()[:HASH_CHARS]
    return ExportFile(f"{DATA_DIR}{prefix}{digest}.json", payload)
