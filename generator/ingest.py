"""``papershelf ingest``: input files → records → the shelf, with a summary of what happened."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .model import Rejection
from .sources import read_input
from .store import Shelf


@dataclass(slots=True)
class IngestSummary:
    counts: Counter[str] = field(default_factory=Counter)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    new_slugs: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        c = self.counts
        out = [f"{c['new']} new, {c['merged']} merged, {c['unchanged']} unchanged, {len(self.rejections)} rejected"]
        out += [f"rejected {r}" for r in self.rejections]
        out += [f"warning {w}" for w in self.warnings]
        return out


def ingest(
    paths: Iterable[Path],
    papers_dir: Path,
    *,
    today: dt.date,
    date: dt.date | None = None,
    collections: Iterable[str] = (),
    progress: Callable[[str], None] = lambda _message: None,
) -> IngestSummary:
    """Read every input and merge its papers into the shelf in ``papers_dir``.

    Files are read one at a time and each paper is written as soon as it is merged, so
    a crash loses at most the paper being written, and that one atomically.
    """
    summary = IngestSummary()
    collections = tuple(collections)
    with Shelf.open(papers_dir) as shelf:
        for path in paths:
            result = read_input(path, today=today, date=date, collections=collections)
            summary.rejections += result.rejections
            summary.warnings += result.warnings
            for record in result.records:
                added = shelf.add(record.paper)
                summary.counts[added.status] += 1
                if added.status == "new":
                    summary.new_slugs.append(added.paper.slug)
            progress(f"{path.name}: {len(result.records)} papers read, {len(result.rejections)} rejected")
    return summary
