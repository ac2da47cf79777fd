"""Opening the Whoosh index of record, with its files read as they are needed.

Whoosh maps each segment file into memory and then copies every part a reader opens
(the terms table above all) into a buffer of its own: at 100,000 papers that cost about
0.3 s and as many megabytes as the table holds for each reader, and a build opens
several (the update, topics, related papers, the export's statistics).  Read through
the file instead, a reader opens in milliseconds, and reading postings costs the same
(measured on the 100,000-paper index: the postings of "model", 96,721 papers, 0.1 s
either way).
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index
from whoosh.filedb.filestore import FileStorage


def open_whoosh(index_dir: Path) -> index.Index:
    """The index in ``index_dir`` (Whoosh's errors if there is none or it cannot be read)."""
    return FileStorage(str(index_dir), supports_mmap=False).open_index()
