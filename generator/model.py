"""The paper record: one plain, immutable value passed through the whole pipeline.

Sources produce ``Paper`` values with an empty ``slug``; the store gives each one its
slug when it is first written, and the build reads them back from ``content/papers``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper on the shelf, or on its way there.

    ``date`` is the day the paper joined the shelf (what listings and feeds order by);
    ``published`` is the publication date when a source knows it.  Tuples are kept
    sorted where order carries no meaning, so that equal papers compare equal.
    """

    title: str
    abstract: str
    date: dt.date
    slug: str = ""
    collections: tuple[str, ...] = ()
    arxiv_id: str = ""
    doi: str = ""
    url: str = ""
    authors: tuple[str, ...] = ()
    published: dt.date | None = None
    venue: str = ""
    upvotes: int | None = None
    code: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    # Metadata keys a person added by hand to a paper file; kept so that a rewrite
    # never drops them.
    extra: tuple[tuple[str, str], ...] = field(default=())

    def replace(self, **changes: object) -> Paper:
        return dataclasses.replace(self, **changes)

    @property
    def year(self) -> int:
        return (self.published or self.date).year

    @property
    def arxiv_abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else ""

    @property
    def arxiv_pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}" if self.arxiv_id else ""


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input record that could not become a paper, and why."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A paper read from an input, with where it was found (for error messages)."""

    paper: Paper
    source: str
    line: int
