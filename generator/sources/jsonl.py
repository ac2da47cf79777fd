"""JSON Lines: one paper per line, as exported by reference managers and scripts.

Each line is an object with ``title`` and ``abstract`` and any of ``arxiv_id``,
``authors``, ``url``, ``published``, ``collections``, ``doi``, ``venue``, ``code``,
``links``, ``upvotes`` and ``date`` (the day it joins the shelf).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from ..model import Rejection, SourceRecord
from ..records import RecordError, make_paper
from .decoding import lines_of
from .result import SourceResult

KNOWN_FIELDS = frozenset(
    {
        "title",
        "abstract",
        "arxiv_id",
        "authors",
        "url",
        "published",
        "collections",
        "doi",
        "venue",
        "code",
        "links",
        "upvotes",
        "date",
    }
)


def parse_jsonl(
    data: bytes,
    source: str,
    *,
    today: dt.date,
    date: dt.date | None = None,
    collections: Iterable[str] = (),
) -> SourceResult:
    """Read JSON Lines.  ``date`` overrides each record's own ``date``; else papers join ``today``."""
    collections = tuple(collections)
    records: list[SourceRecord] = []
    rejections: list[Rejection] = []
    warnings: list[Rejection] = []
    for line in lines_of(data):
        text = line.text.strip()
        if not text:
            continue
        if line.error:
            rejections.append(Rejection(source, line.number, line.error))
            continue
        try:
            fields = json.loads(text)
        except json.JSONDecodeError as exc:
            rejections.append(Rejection(source, line.number, f"not valid JSON: {exc.msg} (column {exc.colno})"))
            continue
        except RecursionError:
            rejections.append(Rejection(source, line.number, "not valid JSON: nested too deeply"))
            continue
        if not isinstance(fields, dict):
            rejections.append(Rejection(source, line.number, f"expected a JSON object, got {type(fields).__name__}"))
            continue
        unknown = sorted(set(fields) - KNOWN_FIELDS)
        if date is not None:
            fields = {**fields, "date": date.isoformat()}
        try:
            paper = make_paper(
                {k: v for k, v in fields.items() if k in KNOWN_FIELDS},
                joined=today,
                collections=collections,
                source=f"json lines {source}",
            )
        except RecordError as exc:
            rejections.append(Rejection(source, line.number, str(exc)))
            continue
        if unknown:
            shown = ", ".join(repr(k[:30]) for k in unknown[:5])
            warnings.append(Rejection(source, line.number, f"ignored unknown field(s) {shown}"))
        records.append(SourceRecord(paper, source, line.number))
    return SourceResult(records, rejections, warnings)
