"""The binary chunk format of the browser's index, and where the lexicon is cut into chunks.

A chunk holds a run of consecutive terms (in JavaScript's string order).  Two files per
chunk, all integers unsigned LEB128 varints:

``t/<name>.bin`` (postings)::

    nterms, then per term: len(utf-8), utf-8, nentries, then per entry (one per field):
      field (index into the meta file's ``fieldOrder``), df, log(df + 1) as a float64 LE,
      last document number, then three blocks, each as nbytes + bytes:
      document numbers (deltas), weights, field lengths (empty unless the field is scorable)

``p/<name>.bin`` (positions, fetched only for phrases)::

    nterms, then per term: len(utf-8), utf-8, nentries, then per entry:
      field, nbytes, then per posting: npositions, positions (deltas)

Each block is a plain run of varints with its length in front, so the browser reads a
chunk's directory without decoding postings, and the build adds a paper at the end of
a posting list by appending bytes (the entry keeps its last document number for the
next delta) instead of decoding and re-encoding the list.

Where chunks end is decided term by term from the term and its neighbour only (see
``cuts``), so adding papers moves few cuts and the other chunks keep their bytes.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

# A term whose postings take more than this gets a chunk of its own: a query for a rare
# word should not fetch a common one's postings.
BIG_TERM_BYTES = 12_000
# A run of small terms is cut once it would pass this size.
MAX_CHUNK_BYTES = 24_000
# About this many chunks at most whatever the vocabulary (the table is in the meta file).
TABLE_TARGET = 512


def varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def varints(values: Iterable[int]) -> bytes:
    out = bytearray()
    for value in values:
        while value >= 0x80:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out)


def read_varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def read_sized(data: memoryview, pos: int) -> tuple[memoryview, int]:
    """A length-prefixed run of ``data`` at ``pos`` (a view, not a copy) and the position after it."""
    size, start = read_varint(data, pos)
    return data[start : start + size], start + size


@dataclass(slots=True)
class Entry:
    """One term's postings in one field, as encoded bytes that grow at the end.

    ``append`` only queues a posting; ``flush`` encodes what is queued, all at once
    (far cheaper than a few bytes at a time), and everything that reads the bytes
    flushes first.
    """

    df: int = 0
    last: int = 0
    ids: bytearray = field(default_factory=bytearray)
    weights: bytearray = field(default_factory=bytearray)
    lengths: bytearray = field(default_factory=bytearray)
    positions: bytearray | None = None  # None: the field keeps no positions
    queued: list[tuple[int, int, int | None, Sequence[int] | None]] = field(default_factory=list)
    flushed_last: int = 0  # the last document number already in ``ids``

    def append(self, docnum: int, weight: int, length: int | None, positions: Sequence[int] | None) -> None:
        if self.df and docnum <= self.last:
            raise ValueError(f"postings must be appended in document order ({docnum} after {self.last})")
        self.queued.append((docnum, weight, length, positions))
        self.df += 1
        self.last = docnum

    def flush(self) -> Entry:
        if not self.queued:
            return self
        ids, weights, lengths, positions = [], [], [], []
        previous = self.flushed_last
        with_positions = False
        for docnum, weight, length, poslist in self.queued:
            ids.append(docnum - previous)
            previous = docnum
            weights.append(weight)
            if length is not None:
                lengths.append(length)
            if poslist is not None:
                with_positions = True
                positions.append(len(poslist))
                before = 0
                for p in poslist:
                    positions.append(p - before)
                    before = p
        self.ids += varints(ids)
        self.weights += varints(weights)
        self.lengths += varints(lengths)
        if with_positions:
            if self.positions is None:
                self.positions = bytearray()
            self.positions += varints(positions)
        self.queued.clear()
        self.flushed_last = previous
        return self

    def postings_bytes(self, field_no: int) -> bytes:
        self.flush()
        return b"".join(
            (
                varint(field_no),
                varint(self.df),
                struct.pack("<d", math.log(self.df + 1)),
                varint(self.last),
                varint(len(self.ids)),
                self.ids,
                varint(len(self.weights)),
                self.weights,
                varint(len(self.lengths)),
                self.lengths,
            )
        )


Term = dict[int, Entry]  # field number -> entry


def term_cost(entries: Term) -> int:
    """The bytes a term takes in its postings chunk (what decides where chunks end)."""
    return sum(len(e.ids) + len(e.weights) + len(e.lengths) + 16 for e in (x.flush() for x in entries.values()))


def encode_chunk(terms: Sequence[tuple[str, Term]]) -> tuple[bytes, bytes]:
    """The postings file and the positions file of a chunk holding ``terms`` in order."""
    t_parts = [varint(len(terms))]
    p_parts = [varint(len(terms))]
    for text, entries in terms:
        name = text.encode("utf-8")
        head = varint(len(name)) + name
        fields = sorted(entries)
        t_parts += [head, varint(len(fields))]
        t_parts += [entries[f].postings_bytes(f) for f in fields]
        with_positions = [f for f in fields if entries[f].positions is not None]
        p_parts += [head, varint(len(with_positions))]
        for f in with_positions:
            block = entries[f].positions or b""
            p_parts += [varint(f), varint(len(block)), bytes(block)]
    return b"".join(t_parts), b"".join(p_parts)


def decode_chunk(t_data: bytes, p_data: bytes) -> dict[str, Term]:
    """A chunk's terms and entries, read back from its two files (blocks stay encoded)."""
    terms: dict[str, Term] = {}
    view = memoryview(t_data)
    count, pos = read_varint(view, 0)
    for _ in range(count):
        text, pos = read_sized(view, pos)
        nentries, pos = read_varint(view, pos)
        entries: Term = {}
        for _ in range(nentries):
            field_no, pos = read_varint(view, pos)
            df, pos = read_varint(view, pos)
            pos += 8  # log(df + 1), recomputed on writing
            last, pos = read_varint(view, pos)
            blocks = []
            for _ in range(3):
                block, pos = read_sized(view, pos)
                blocks.append(bytearray(block))
            entries[field_no] = Entry(df, last, blocks[0], blocks[1], blocks[2], flushed_last=last)
        terms[bytes(text).decode("utf-8")] = entries
    view = memoryview(p_data)
    count, pos = read_varint(view, 0)
    for _ in range(count):
        text, pos = read_sized(view, pos)
        term = terms[bytes(text).decode("utf-8")]
        nentries, pos = read_varint(view, pos)
        for _ in range(nentries):
            field_no, pos = read_varint(view, pos)
            block, pos = read_sized(view, pos)
            term[field_no].positions = bytearray(block)
    return terms


def spacing(vocabulary: int) -> int:
    """One term in ``spacing`` starts a chunk by its hash: a power of two that grows with
    the vocabulary (so a chunk holds more rare terms on a big shelf), changing only when
    the vocabulary doubles."""
    return 1 << max(3, int(math.log2(max(vocabulary, 1) / TABLE_TARGET)))


def mark(term: str) -> int:
    """A term's hash, of which ``cuts`` uses the low bits (kept with the terms, computed once)."""
    return zlib.crc32(term.encode("utf-8"))


def cuts(marks: Sequence[int], costs: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(start, end) index ranges of the chunks of the sorted terms with these ``marks``
    (``mark(term)``) and ``costs``.

    A chunk starts at a term whose hash is a multiple of ``spacing`` (content-defined,
    so it does not move when other terms grow), at or after a big term (which then
    stands alone), or where the run since the last start would pass ``MAX_CHUNK_BYTES``.
    The last rule's effect stops at the next hash start, so a change moves few cuts.
    """
    every = spacing(len(marks))
    start = 0
    size = 0
    for i, (hashed, cost) in enumerate(zip(marks, costs, strict=True)):
        if i and (
            hashed % every == 0
            or cost > BIG_TERM_BYTES
            or costs[i - 1] > BIG_TERM_BYTES
            or size + cost > MAX_CHUNK_BYTES
        ):
            yield start, i
            start, size = i, 0
        size += cost
    if marks:
        yield start, len(marks)
