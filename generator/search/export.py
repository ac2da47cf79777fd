"""The Whoosh index as static files, so the browser can search it with no server.

What the browser needs to run a query exactly as Whoosh does, and no more:

- ``meta.<hash>.json``: the statistics BM25F uses (live document count and its log,
  total field lengths; see ``ranking.py``), the analysis settings (stop words), the
  topics, and the *chunk table*: the first term of every chunk of the lexicon, with the
  chunk's name;
- ``t/<name>.bin`` and ``p/<name>.bin``: one chunk of the lexicon, its postings and its
  positions (the format is in ``shards.py``); positions are fetched only for phrases;
- ``doc/<number>.json``: what a result shows of document ``number`` (slug, title, day,
  collections), fetched only for the results on screen; its snippet comes from the
  abstract on the paper's own page (``paperPage`` in the meta file), so the site
  publishes each abstract once, not once more for search.

Documents are numbered 0..N-1 in the canonical order of the live papers (day joined,
then slug), and every statistic counts live papers, so the files depend on the shelf
only: a build after any series of updates writes the same bytes as a build from scratch.

The postings are those Whoosh writes: each paper's fields go through the schema's own
``field.index`` (the call Whoosh's writer makes), lengths are quantised as Whoosh stores
them.  The export keeps what it wrote in a state file in the cache.  When the only
change since then is papers added at the end of the canonical order (new papers join on
the latest day), it appends their postings to the chunks holding their terms and
rewrites only the files whose bytes change; any other change (a paper changed, removed,
or added before others) renumbers documents, and the export is written afresh.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import hashlib
import json
import logging
import marshal
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter, eq, itemgetter
from pathlib import Path
from typing import Any

from whoosh.util.numeric import byte_to_length, length_to_byte

from .. import cachefile, urls
from ..atomic import write_atomic
from ..model import Paper
from .index import content_hash, document, read_known
from .query import open_index
from .ranking import LiveStats, current_stats
from .schema import (
    ANALYZER_KINDS,
    BM25_B,
    BM25_K1,
    DEFAULT_FIELDS,
    FIELD_BOOSTS,
    KEYWORD_PATTERN,
    SCHEMA_VERSION,
    STOP_MIN_SIZE,
    make_schema,
    stop_words,
)
from .shards import Entry, Term, cuts, decode_chunk, encode_chunk, mark, read_varint, spacing, term_cost, varint

logger = logging.getLogger(__name__)
_DATE, _SLUG, _SECOND = attrgetter("date"), attrgetter("slug"), itemgetter(1)

DATA_DIR = "search/data/"
# The documents' files, doc/<number>.json: recorded by number (``OutputWriter.families``).
DOCS = (f"{DATA_DIR}doc", ".json")
HASH_CHARS = 10
FORMAT = 5
FIELD_ORDER = tuple(ANALYZER_KINDS)
_STATE_VERSION = 3  # 3: marshalled, not pickled
# Documents after which a full export encodes the postings queued so far.
FLUSH_EVERY = 500


@dataclass(frozen=True, slots=True)
class ExportFile:
    path: str  # relative to the output folder
    data: bytes


@dataclass(frozen=True, slots=True)
class Export:
    meta_path: str
    files: tuple[ExportFile, ...]  # to write (their bytes may equal what is on disk)
    kept: tuple[str, ...] = ()  # written by an earlier build and still current
    kept_docs: int = 0  # documents 0 .. kept_docs - 1: their files are still current
    updated: bool = False  # True: the last export was brought up to date, not redone
    state: ExportState | None = None  # to keep with ``record_export`` once the files are written


@dataclass
class ExportState:
    """What the last export wrote, kept in the cache to update it."""

    key: str  # settings the files depend on (format, topics)
    order: list[str]  # slugs in the canonical order: slug i is document i
    hashes: dict[str, str]  # slug -> content hash when exported
    terms: list[str]  # every term, in JavaScript's string order
    costs: list[int]  # each term's cost (``shards.term_cost``)
    marks: list[int]  # each term's hash mark (``shards.mark``)
    chunks: list[tuple[int, int, str]]  # (first term index, end index, name)
    meta_path: str
    version: int = _STATE_VERSION


def export_index(
    index_dir: Path,
    papers: Mapping[str, Paper],
    topics: Mapping[str, str],
    state_file: Path | None = None,
    output: Path | None = None,
    hashes: Mapping[str, str] | None = None,
) -> Export:
    """Every static file of the browser's index (``papers`` by slug, ``topics`` slug -> query).

    With ``state_file`` (the cache) and ``output`` (where the last export's files are),
    an export that only needs papers appended is brought up to date in place; call
    ``record_export`` once the returned files are written.  ``hashes`` (slug ->
    ``content_hash``) saves reading them from the index when the caller has them.
    """
    key = json.dumps([FORMAT, SCHEMA_VERSION, dict(sorted(topics.items()))])
    stats = current_stats(index_dir, open_index(index_dir))
    # (day, slug) pairs made and compared in C: a generator of 100,000 tuples cost a fifth of a second.
    values = papers.values()
    order = list(map(_SECOND, sorted(zip(map(_DATE, values), map(_SLUG, values), strict=True))))
    hashes = hashes if hashes is not None and hashes.keys() == papers.keys() else _known_hashes(index_dir, papers)
    state = _load_state(state_file) if state_file is not None else None
    result: tuple[Export, ExportState] | None = None
    if state is not None and output is not None and state.key == key:
        result = _update(state, order, hashes, papers, stats, topics, output)
    if result is None:
        result = _full(key, order, hashes, papers, stats, topics)
    export, new_state = result
    if state_file is not None and not export.updated:
        # Files written afresh may renumber documents: until ``record_export`` says they
        # are all on disk, no state may vouch for them.
        state_file.unlink(missing_ok=True)
    return dataclasses.replace(export, state=new_state)


def record_export(state_file: Path, export: Export) -> None:
    """Keep ``export``'s state for the next build, once all its files are written."""
    if export.state is None:
        return
    # marshal, not pickle: the state holds 100,000 slugs and hashes and every term, and
    # pickling it cost a third of a second of each rebuild.
    state = export.state
    data = marshal.dumps(tuple(getattr(state, f.name) for f in fields(state)))
    with contextlib.suppress(OSError):
        write_atomic(state_file, data, durable=False)


def paper_postings(paper: Paper, schema: Any = None) -> list[tuple[int, str, int, int | None, list[int] | None]]:
    """(field number, term, weight, field length or None, positions or None) of every term
    Whoosh indexes for ``paper``, as its writer computes them."""
    schema = schema or _SCHEMA
    doc = document(paper, "")
    out = []
    for field_no, name in enumerate(FIELD_ORDER):
        value = doc.get(name)
        if not value:
            continue
        spec = schema[name]
        fmt = spec.format
        postings = list(spec.index(value))
        length = None
        if spec.scorable:
            # Whoosh keeps a document's field length in one byte; BM25F reads that.
            length = byte_to_length(length_to_byte(sum(freq for _t, freq, _w, _v in postings)))
        with_positions = fmt.supports("positions")
        for btext, _freq, weight, vbytes in postings:
            whole = int(weight)
            if whole != weight:
                raise ValueError(f"a term weight of {weight} is not a whole number; the export assumes counts")
            positions = list(fmt.decode_positions(vbytes)) if with_positions else None
            out.append((field_no, btext.decode("utf-8"), whole, length, positions))
    return out


_SCHEMA = make_schema()


def utf16_key(term: str) -> bytes:
    """Sort terms as JavaScript compares strings (by UTF-16 code units)."""
    return term.encode("utf-16-be")


def _full(
    key: str,
    order: Sequence[str],
    hashes: Mapping[str, str],
    papers: Mapping[str, Paper],
    stats: LiveStats,
    topics: Mapping[str, str],
) -> tuple[Export, ExportState]:
    lexicon: dict[str, Term] = {}
    waiting: list[Entry] = []
    for number, slug in enumerate(order):
        _add(lexicon, number, papers[slug], waiting)
        if number % FLUSH_EVERY == FLUSH_EVERY - 1:
            # Postings wait in each entry's queue as Python tuples, several times the
            # size of their encoded bytes: left to the end, a 100,000-paper shelf's
            # queues took over 2 GB.  Encoding them as they come keeps them bounded.
            for entry in waiting:
                entry.flush()
            waiting.clear()
    terms = sorted(lexicon, key=utf16_key)
    costs = [term_cost(lexicon[t]) for t in terms]
    marks = [mark(t) for t in terms]
    files: list[ExportFile] = []
    chunks = []
    for start, end in cuts(marks, costs):
        name, t_file, p_file = _chunk_files([(t, lexicon[t]) for t in terms[start:end]])
        files += [t_file, p_file]
        chunks.append((start, end, name))
    files += [_doc_file(number, papers[slug]) for number, slug in enumerate(order)]
    meta_file = _meta_file(stats, topics, terms, chunks)
    files.append(meta_file)
    state = ExportState(key, list(order), dict(hashes), terms, costs, marks, chunks, meta_file.path)
    return Export(meta_file.path, tuple(files)), state


def _update(
    state: ExportState,
    order: Sequence[str],
    hashes: Mapping[str, str],
    papers: Mapping[str, Paper],
    stats: LiveStats,
    topics: Mapping[str, str],
    output: Path,
) -> tuple[Export, ExportState] | None:
    """Append the papers added at the end of the order; None if anything else changed."""
    old = len(state.order)
    if len(order) < old or list(order[:old]) != state.order:
        return None
    if not all(map(eq, map(state.hashes.get, state.order), map(hashes.get, state.order))):
        return None
    if not (output / state.meta_path).is_file():
        return None  # the output folder was cleared
    added: dict[str, Term] = {}
    for number in range(old, len(order)):
        _add(added, number, papers[order[number]])

    chunk_firsts = [utf16_key(state.terms[start]) for start, _end, _name in state.chunks]
    loaded: dict[int, dict[str, Term]] = {}

    def chunk_of(term: str) -> int:
        return max(0, bisect.bisect_right(chunk_firsts, utf16_key(term)) - 1)

    def load(i: int) -> dict[str, Term] | None:
        if i not in loaded:
            name = state.chunks[i][2]
            try:
                t_data = (output / f"{DATA_DIR}t/{name}.bin").read_bytes()
                p_data = (output / f"{DATA_DIR}p/{name}.bin").read_bytes()
            except OSError:
                return None
            loaded[i] = decode_chunk(t_data, p_data)
        return loaded[i]

    # Merge the new postings into the old terms' entries (new documents come last).
    terms = list(state.terms)
    costs = list(state.costs)
    marks = list(state.marks)
    merged: dict[str, Term] = {}
    for text in sorted(added, key=utf16_key):
        new_entries = added[text]
        i = bisect.bisect_left(terms, utf16_key(text), key=utf16_key)
        if i < len(terms) and terms[i] == text:
            chunk = load(chunk_of(text))
            if chunk is None:
                return None
            entries = chunk[text]
            for field_no, entry in new_entries.items():
                if field_no in entries:
                    _extend(entries[field_no], entry)
                else:
                    entries[field_no] = entry
            costs[i] = term_cost(entries)
        else:
            entries = new_entries
            terms.insert(i, text)
            costs.insert(i, term_cost(entries))
            marks.insert(i, mark(text))
        merged[text] = entries

    if spacing(len(terms)) != spacing(len(state.terms)):
        return None  # the vocabulary doubled: every chunk is cut anew anyway
    # Term positions that changed; a chunk without any, with the same first and last
    # term and length as an old chunk, holds the same terms with the same bytes.
    dirty = sorted(bisect.bisect_left(terms, utf16_key(t), key=utf16_key) for t in merged)
    old_chunks = {(state.terms[s], state.terms[e - 1], e - s): name for s, e, name in state.chunks}
    files: list[ExportFile] = []
    kept: list[str] = []
    chunks = []
    for start, end in cuts(marks, costs):
        name = old_chunks.get((terms[start], terms[end - 1], end - start))
        touched = bisect.bisect_left(dirty, start) < len(dirty) and dirty[bisect.bisect_left(dirty, start)] < end
        if name is not None and not touched and (output / f"{DATA_DIR}t/{name}.bin").is_file():
            kept += [f"{DATA_DIR}t/{name}.bin", f"{DATA_DIR}p/{name}.bin"]
            chunks.append((start, end, name))
            continue
        items = []
        for text in terms[start:end]:
            entries = merged.get(text)
            if entries is None:
                chunk = load(chunk_of(text))
                if chunk is None:
                    return None
                entries = chunk[text]
            items.append((text, entries))
        name, t_file, p_file = _chunk_files(items)
        files += [t_file, p_file]
        chunks.append((start, end, name))
    files += [_doc_file(n, papers[order[n]]) for n in range(old, len(order))]
    meta_file = _meta_file(stats, topics, terms, chunks)
    files.append(meta_file)
    new_state = ExportState(state.key, list(order), dict(hashes), terms, costs, marks, chunks, meta_file.path)
    return Export(meta_file.path, tuple(files), tuple(kept), kept_docs=old, updated=True), new_state


def _add(lexicon: dict[str, Term], number: int, paper: Paper, waiting: list[Entry] | None = None) -> None:
    """Queue ``paper``'s postings as document ``number``; note in ``waiting`` each entry
    whose queue this starts."""
    for field_no, text, weight, length, positions in paper_postings(paper):
        entries = lexicon.get(text)
        if entries is None:
            entries = lexicon[text] = {}
        entry = entries.get(field_no)
        if entry is None:
            entry = entries[field_no] = Entry()
        if waiting is not None and not entry.queued:
            waiting.append(entry)
        entry.append(number, weight, length, positions)


def _extend(entry: Entry, more: Entry) -> None:
    """Append ``more`` (postings of later documents, deltas from 0) to ``entry``."""
    # Only the first delta of ``more`` changes: it was counted from 0, not from entry.last.
    entry.flush()
    more.flush()
    first, pos = read_varint(more.ids, 0)
    entry.ids += varint(first - entry.last) + more.ids[pos:]
    entry.weights += more.weights
    entry.lengths += more.lengths
    if more.positions is not None:
        entry.positions = (entry.positions or bytearray()) + more.positions
    entry.df += more.df
    entry.last = entry.flushed_last = more.last


def _chunk_files(items: Sequence[tuple[str, Term]]) -> tuple[str, ExportFile, ExportFile]:
    t_data, p_data = encode_chunk(items)
    # One name for both files, from both contents: the table stays small.
    name = hashlib.sha256(t_data + b"\0" + p_data).hexdigest()[:HASH_CHARS]
    return name, ExportFile(f"{DATA_DIR}t/{name}.bin", t_data), ExportFile(f"{DATA_DIR}p/{name}.bin", p_data)


def _doc_file(number: int, paper: Paper) -> ExportFile:
    # The title comes from here, not from the page: parsing HTML alters some characters
    # (NUL, CR), and a result's title must be the title Whoosh returns.
    doc = {
        "slug": paper.slug,
        "title": paper.title,
        "joined": paper.date.isoformat(),
        "collections": list(paper.collections),
    }
    folder, suffix = DOCS
    return ExportFile(f"{folder}/{number}{suffix}", _json(doc))


def _meta_file(
    stats: LiveStats, topics: Mapping[str, str], terms: Sequence[str], chunks: Sequence[tuple[int, int, str]]
) -> ExportFile:
    meta = {
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "docCount": stats.doc_count,
        "logN": stats.log_n,
        "fieldOrder": list(FIELD_ORDER),
        "fields": {
            name: {
                "analyzer": kind,
                "scorable": bool(_SCHEMA[name].scorable),
                "length": stats.lengths.get(name, 0),
            }
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
        # A paper's page, relative to this file, once "{slug}" is replaced.
        "paperPage": posixpath.relpath(urls.paper("{slug}"), DATA_DIR) + "/",
        "chunks": [[terms[start], name] for start, _end, name in chunks],
    }
    payload = _json(meta)
    digest = hashlib.sha256(payload).hexdigest()[:HASH_CHARS]
    return ExportFile(f"{DATA_DIR}meta.{digest}.json", payload)


def _known_hashes(index_dir: Path, papers: Mapping[str, Paper]) -> dict[str, str]:
    known = read_known(index_dir)
    if known is not None and known.keys() == papers.keys():
        return known
    return {slug: content_hash(p) for slug, p in papers.items()}


def _load_state(path: Path) -> ExportState | None:
    try:
        found = cachefile.load(path)
        state = ExportState(*found)  # type: ignore[misc]
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 -- an unreadable state means a full export
        logger.info("Writing the search export afresh: cannot read %s", path)
        return None
    return state if state.version == _STATE_VERSION and _well_formed(state) else None


def _well_formed(state: ExportState) -> bool:
    # A state of the right version is the export's own; these checks catch one cut short
    # or mangled without looking at every item.
    return (
        isinstance(state.key, str)
        and isinstance(state.meta_path, str)
        and all(isinstance(v, list) for v in (state.order, state.terms, state.costs, state.marks, state.chunks))
        and isinstance(state.hashes, dict)
        and len(state.terms) == len(state.costs) == len(state.marks)
    )


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
