"""Listing dumps: the text a person gets by selecting all on a paper-listing page and copying.

What such a dump looks like (every variant is in ``content/dumps/``)::

    new                                       <- page furniture before the first paper
    Get trending papers in your email inbox!
    Subscribe
    byAK and the research community
    Mar 13                                    <- optional day line, may recur
    <title>
    <abstract>                                <- blank lines in between, or none
    <title>
    ...

Some browsers glue the first title to the "Subscribe" button: ``SubscribeImproved Visual…``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from ..model import Rejection, SourceRecord
from ..records import RecordError, make_paper
from .decoding import Line, lines_of
from .result import SourceResult

# Page furniture seen before the first paper, compared case-insensitively.
_FURNITURE = frozenset(
    {
        "new",
        "subscribe",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
        "byak and the research community",
        "daily papers",
        "trending papers",
    }
)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}
_DAY_LINE = re.compile(
    r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? (\d{1,2})(?:,? (\d{4}))?$",
    re.IGNORECASE,
)
_GLUED = re.compile(r"^Subscribe(?=[A-Z0-9])")
# A title is a short line that does not end like a sentence; an abstract is prose.
TITLE_MAX_CHARS = 400


def parse_listing_dump(
    data: bytes,
    source: str,
    *,
    today: dt.date,
    date: dt.date | None = None,
    collections: Iterable[str] = (),
) -> SourceResult:
    """Read a listing dump.  ``date`` overrides the day lines; without either, papers join ``today``."""
    collections = tuple(collections)
    records: list[SourceRecord] = []
    rejections: list[Rejection] = []
    day = date or today
    pending: Line | None = None  # a title waiting for its abstract
    in_header = True

    def reject(line: Line, reason: str) -> None:
        rejections.append(Rejection(source, line.number, reason))

    for line in lines_of(data):
        text = line.text.strip()
        if not text:
            continue
        if line.error:
            if pending is not None:
                reject(pending, f"record dropped: its abstract on line {line.number} is {line.error}")
                pending = None
            else:
                reject(line, line.error)
            continue
        if match := _DAY_LINE.match(text):
            parsed = _day_from(match, today, line)
            if isinstance(parsed, Rejection):
                rejections.append(Rejection(source, line.number, parsed.reason))
            elif date is None:
                day = parsed
            if pending is not None:
                reject(pending, "title without an abstract")
                pending = None
            in_header = False
            continue
        if in_header:
            if text.casefold() in _FURNITURE:
                continue
            text = _GLUED.sub("", text)
            in_header = False
        if pending is None:
            if not _looks_like_title(text):
                reject(line, "abstract without a title (a paragraph where a title was expected)")
                continue
            pending = Line(line.number, text)
            continue
        if _looks_like_title(text) and not _looks_like_abstract(text):
            reject(pending, "title without an abstract")
            pending = Line(line.number, text)
            continue
        try:
            paper = make_paper(
                {"title": pending.text, "abstract": text},
                joined=day,
                collections=collections,
                source=f"listing dump {source}",
            )
        except RecordError as exc:
            reject(pending, str(exc))
        else:
            records.append(SourceRecord(paper, source, pending.number))
        pending = None
    if pending is not None:
        reject(pending, "title without an abstract (the file ends after it)")
    return SourceResult(records, rejections)


def _looks_like_title(text: str) -> bool:
    return len(text) <= TITLE_MAX_CHARS


def _looks_like_abstract(text: str) -> bool:
    # Two sentences, or one long one ending in a full stop: titles are neither.
    sentences = len(re.findall(r"[.!?](?:\s|$)", text))
    return sentences >= 2 or (len(text) > 150 and text.endswith("."))


def _day_from(match: re.Match[str], today: dt.date, line: Line) -> dt.date | Rejection:
    """The day a "Mar 13" line names: the latest such day not after ``today``."""
    month = _MONTHS[match.group(1)[:3].lower()]
    day = int(match.group(2))
    years = [int(match.group(3))] if match.group(3) else range(today.year, today.year - 8, -1)
    for year in years:
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if match.group(3) or candidate <= today:
            return candidate
    return Rejection("", line.number, f"{match.group(0)!r} is not a day of the year")
