"""The shelf on disk: ``content/papers/<slug>.md``, one file per paper.

The store finds the paper a record belongs to, merges, picks a slug for new papers, and
writes each file atomically.  One process at a time writes: ``Shelf.open`` holds an
exclusive lock on ``content/.papershelf.lock`` (ingest, the backend and a person's second
terminal all go through it), and re-reads files that changed since it last looked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .atomic import remove_stale_temps, write_atomic
from .errors import PaperFileError
from .identity import identity_keys, is_valid_slug, unique_slug
from .merge import merge
from .model import Paper
from .paperfile import format_paper, is_paper_file, parse_paper
from .text import normalise_title

LOCK_NAME = ".papershelf.lock"
Status = Literal["new", "merged", "unchanged"]


@dataclass(frozen=True, slots=True)
class AddResult:
    status: Status
    paper: Paper
    path: Path


class Shelf:
    """The papers in one folder, indexed by arXiv id and by normalised title."""

    def __init__(self, folder: Path, *, durable: bool = True) -> None:
        self.folder = folder
        self.durable = durable
        self.errors: list[PaperFileError] = []
        self._papers: dict[str, Paper] = {}
        self._stamps: dict[str, tuple[int, int]] = {}
        self._taken: set[str] = set()  # slugs in use, including files that failed to parse
        self._by_arxiv: dict[str, str] = {}
        self._by_title: dict[str, set[str]] = {}

    @classmethod
    @contextlib.contextmanager
    def open(cls, folder: Path, *, durable: bool = True) -> Iterator[Shelf]:
        """Lock the shelf in ``folder`` for writing and load it."""
        folder.mkdir(parents=True, exist_ok=True)
        with lock(folder.parent / LOCK_NAME):
            shelf = cls(folder, durable=durable)
            remove_stale_temps(folder)
            shelf.refresh()
            yield shelf

    @contextlib.contextmanager
    def locked(self) -> Iterator[Shelf]:
        """Hold the shelf's lock for the block, with this shelf brought up to date first.

        For a long-lived shelf (the backend keeps one across requests): ``open`` re-reads
        every file, this only the files that changed since the last look.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        with lock(self.folder.parent / LOCK_NAME):
            self.refresh()
            yield self

    def __len__(self) -> int:
        return len(self._papers)

    def __iter__(self) -> Iterator[Paper]:
        return iter(self._papers.values())

    def get(self, slug: str) -> Paper | None:
        return self._papers.get(slug)

    def refresh(self) -> None:
        """Bring the index up to date with the files on disk (cheap when nothing changed)."""
        seen: dict[str, tuple[int, int]] = {}
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.folder):
                name = entry.name
                if not is_paper_file(name) or not entry.is_file():
                    continue
                stat = entry.stat()
                seen[name[:-3]] = (stat.st_mtime_ns, stat.st_size)
        for slug in set(self._stamps) - set(seen):
            self._forget(slug)
        self.errors = [e for e in self.errors if Path(e.path).stem in seen]
        for slug, stamp in seen.items():
            if self._stamps.get(slug) == stamp:
                continue
            self._forget(slug)
            self._stamps[slug] = stamp
            self._taken.add(slug)
            path = self.folder / f"{slug}.md"
            try:
                paper = parse_paper(path.read_text(encoding="utf-8"), str(path))
            except UnicodeDecodeError as exc:
                self.errors.append(PaperFileError(str(path), f"not UTF-8 ({exc.reason})"))
                continue
            except PaperFileError as exc:
                self.errors.append(exc)
                continue
            if paper.slug != slug:
                self.errors.append(PaperFileError(str(path), f"'Slug: {paper.slug}' does not match the file name"))
                continue
            self._remember(paper)

    def find(self, record: Paper) -> Paper | None:
        """The stored paper ``record`` is a copy of, if any."""
        if record.arxiv_id and (slug := self._by_arxiv.get(record.arxiv_id)):
            return self._papers[slug]
        for slug in sorted(self._by_title.get(normalise_title(record.title), ())):
            stored = self._papers[slug]
            if not (stored.arxiv_id and record.arxiv_id):
                return stored
        return None

    def add(self, record: Paper) -> AddResult:
        """Merge ``record`` into the shelf and write its file if anything changed."""
        stored = self.find(record)
        if stored is None:
            paper = record.replace(slug=unique_slug(record.title, self._taken))
            status: Status = "new"
        else:
            paper = merge(stored, record.replace(slug=stored.slug))
            status = "unchanged" if paper == stored else "merged"
        path = self.folder / f"{paper.slug}.md"
        if status != "unchanged":
            self._write(paper, path)
        return AddResult(status, paper, path)

    def _write(self, paper: Paper, path: Path) -> None:
        assert is_valid_slug(paper.slug), paper.slug
        write_atomic(path, format_paper(paper).encode("utf-8"), durable=self.durable)
        stat = path.stat()
        self._forget(paper.slug)
        self._stamps[paper.slug] = (stat.st_mtime_ns, stat.st_size)
        self._taken.add(paper.slug)
        self._remember(paper)

    def _remember(self, paper: Paper) -> None:
        self._papers[paper.slug] = paper
        for key in identity_keys(paper):
            kind, _, value = key.partition(":")
            if kind == "arxiv":
                self._by_arxiv.setdefault(value, paper.slug)
            else:
                self._by_title.setdefault(value, set()).add(paper.slug)

    def _forget(self, slug: str) -> None:
        self._stamps.pop(slug, None)
        self._taken.discard(slug)
        paper = self._papers.pop(slug, None)
        if paper is None:
            return
        for key in identity_keys(paper):
            kind, _, value = key.partition(":")
            if kind == "arxiv":
                if self._by_arxiv.get(value) == slug:
                    del self._by_arxiv[value]
            else:
                self._by_title.get(value, set()).discard(slug)


@contextlib.contextmanager
def lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if missing) for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
