"""The Whoosh index as static files, so the browser can search it with no server.

What the browser needs to run a query exactly as Whoosh does, and no more:

- ``meta.<hash>.json``: the statistics BM25F uses (document count, total field lengths),
  the analysis settings (stop words), the topics, the deleted document numbers, and the
  *chunk table*: the first term of every chunk of the lexicon, with the chunk's name;
- ``t/<name>.json``: one chunk of the lexicon, terms in order, each with, per field, the
  document frequency and its postings (document number, term weight, field length);
  ``idf`` maps each document frequency in the chunk to Whoosh's own idf, because the
  browser's ``Math.log`` is not always rounded like Python's;
- ``p/<name>.json``: the positions of the same terms, fetched only for phrase queries;
- ``doc/<docnum>.json``: what a result shows (slug, title, day, abstract), fetched only
  for the results on screen.

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
FORMAT = 2


@dataclass(frozen=True, slots=True)
class ExportFile:
    path: str  # relative to the output folder
    data: bytes


@dataclass(frozen=True, slots=True)
class Export:
    meta_path: str
    files: tuple[ExportFile, ...]


def export_index(index_dir: Path, papers: Mapping[str, Paper], topics: Mapping[str, str]) -> Export:
    """Every static file of the browser's index (``papers`` by slug, ``topics`` slug -> query)."""
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        doc_count = reader.doc_count_all()
        deleted = [n for n in range(doc_count) if reader.is_deleted(n)]
        entries = _entries(reader, ix.schema)
        slugs = reader.column_reader("slug") if reader.doc_count() else {}
        docs = [(n, slugs[n]) for n in reader.all_doc_ids()] if reader.doc_count() else []
        field_lengths = {name: reader.field_length(name) for name in ANALYZER_KINDS}
        scorable = {name: bool(ix.schema[name].scorable) for name in ANALYZER_KINDS}

    files: list[ExportFile] = []
    chunk_table = []
    for first, terms in _chunks(entries):
        postings: dict[str, Any] = {"idf": {}, "terms": {}}
        positions: dict[str, dict[str, list]] = {}
        for term in terms:
            postings["terms"][term] = {}
            for field, (df, row, pos) in entries[term].items():
                postings["idf"][str(df)] = _idf(doc_count, df)
                postings["terms"][term][field] = [df, *row]
                if pos is not None:
                    positions.setdefault(term, {})[field] = pos
        t_data, p_data = _json(postings), _json(positions)
        # One name for both files, from both contents: the table stays small.
        digest = hashlib.sha256(t_data + b"\0" + p_data).hexdigest()[:HASH_CHARS]
        files.append(ExportFile(f"{DATA_DIR}t/{digest}.json", t_data))
        files.append(ExportFile(f"{DATA_DIR}p/{digest}.json", p_data))
        chunk_table.append([first, digest])

    for docnum, slug in docs:
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
        files.append(ExportFile(f"{DATA_DIR}doc/{docnum}.json", _json(doc)))

    meta = {
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "docCount": doc_count,
        "deleted": deleted,
        "fields": {
            name: {"analyzer": kind, "scorable": scorable[name], "length": field_lengths[name]}
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


def utf16_key(term: str) -> bytes:
    """Sort terms as JavaScript compares strings (by UTF-16 code units)."""
    return term.encode("utf-16-be")


def _entries(reader: Any, schema: Any) -> dict[str, dict[str, tuple[int, list[int], list | None]]]:
    """term -> field -> (doc frequency, flat postings row, positions or None)."""
    entries: dict[str, dict[str, tuple[int, list[int], list | None]]] = defaultdict(dict)
    for field in ANALYZER_KINDS:
        if field not in reader.indexed_field_names():
            continue
        fmt = schema[field].format
        with_positions = fmt.supports("positions")
        with_lengths = bool(schema[field].scorable)
        lengths: dict[int, int] = {}
        for btext in reader.lexicon(field):
            matcher = reader.postings(field, btext)
            ids: list[int] = []
            weights: list[int] = []
            lens: list[int] = []
            poslists: list[list[int]] = []
            while matcher.is_active():
                docnum = matcher.id()
                ids.append(docnum)
                weights.append(_number(matcher.weight()))
                if with_lengths:
                    length = lengths.get(docnum)
                    if length is None:
                        length = lengths[docnum] = reader.doc_field_length(docnum, field, 1)
                    lens.append(length)
                if with_positions:
                    poslists.append(_deltas(matcher.value_as("positions")))
                matcher.next()
            if not ids:
                continue  # every document holding it was deleted
            row = [len(ids), *_deltas(ids), *weights, *lens]
            term = btext.decode("utf-8")
            entries[term][field] = (reader.doc_frequency(field, btext), row, poslists if with_positions else None)
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


def _idf(doc_count: int, df: int) -> float:
    # Whoosh's WeightingModel.idf, computed here so the browser need not round a log.
    return math.log(doc_count / (df + 1)) + 1


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
