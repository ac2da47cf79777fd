"""The shelf as the backend sees it: one long-lived ``store.Shelf`` shared by request threads.

Writes take a thread lock (the ``Shelf`` object is not thread-safe) and the store's file
lock (``papershelf ingest`` in another terminal may be writing too), re-read only what
changed on disk, and write atomically.  Reads take the thread lock only: files are
replaced by rename, so a read never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..identity import arxiv_id_from_url
from ..model import Paper
from ..store import AddResult, Shelf
from ..text import normalise_title


@dataclass(frozen=True, slots=True)
class Query:
    """What a lookup asks for; any of the keys may be empty."""

    arxiv_id: str = ""
    doi: str = ""
    url: str = ""
    title: str = ""


class LiveShelf:
    def __init__(self, papers: Path) -> None:
        self._shelf = Shelf(papers)
        self._lock = threading.Lock()
        with self._lock, self._shelf.locked():
            pass  # loads the shelf once, under the file lock

    @property
    def folder(self) -> Path:
        return self._shelf.folder

    def add(self, paper: Paper) -> AddResult:
        with self._lock, self._shelf.locked() as shelf:
            return shelf.add(paper)

    def lookup(self, query: Query) -> tuple[Paper, str] | None:
        """The paper ``query`` names and which key matched it, or None."""
        arxiv_id = query.arxiv_id or arxiv_id_from_url(query.url)
        doi = query.doi.lower() or _doi_from_url(query.url)
        with self._lock:
            self._shelf.refresh()
            probe = Paper(title=query.title, abstract="", date=_EPOCH, arxiv_id=arxiv_id)
            if arxiv_id and (found := self._shelf.find(probe.replace(title=""))):
                return found, "arxiv"
            if doi and (found := next((p for p in self._shelf if p.doi.lower() == doi), None)):
                return found, "doi"
            key = _url_key(query.url)
            if key and (found := next((p for p in self._shelf if p.url and _url_key(p.url) == key), None)):
                return found, "url"
            if normalise_title(query.title) and (found := self._shelf.find(probe)):
                return found, "title"
        return None

    def collections(self) -> list[tuple[str, int]]:
        with self._lock:
            self._shelf.refresh()
            counts = Counter(c for paper in self._shelf for c in paper.collections)
        return sorted(counts.items())

    def __len__(self) -> int:
        with self._lock:
            return len(self._shelf)


_EPOCH = dt.date(1970, 1, 1)  # a probe record needs some date; lookups ignore it


def _doi_from_url(url: str) -> str:
    lowered = url.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/"):
        if lowered.startswith(prefix):
            return lowered.removeprefix(prefix)
    return ""


def _url_key(url: str) -> str:
    """A URL as an identity: no scheme, no www., no fragment, no trailing slash, host lower-cased."""
    url = url.strip().split("#", 1)[0]
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return ""
    host, slash, path = rest.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + slash + path).rstrip("/")
