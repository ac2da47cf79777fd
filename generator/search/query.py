"""Parsing a query the way every front end does, and answering it from the Whoosh index.

A query that cannot be answered raises ``BadQuery`` with a message meant for the person
who typed it.  ``search.js`` applies the same checks in the same order, so the browser
and the command line refuse the same queries with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import highlight, index, query
from whoosh.qparser import QueryParser
from whoosh.searching import Results, Searcher

from ..errors import PapershelfError
from .ranking import CanonicalTopCollector, paper_searcher
from .schema import QUERY_FIELDS, TOPIC_FIELD, make_parser
from .state import read_topics
from .storage import open_whoosh

MAX_QUERY_CHARS = 500
MAX_LIMIT = 100


class BadQuery(PapershelfError):
    """A query that cannot be run; the message says why, for the person who typed it."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of highlighted text: ``matched`` pieces are the query's words."""

    text: str
    matched: bool = False


@dataclass(frozen=True, slots=True)
class SearchHit:
    slug: str
    title: str
    joined: str
    score: float
    title_segments: tuple[Segment, ...]
    snippets: tuple[tuple[Segment, ...], ...]  # best passages of the abstract

    def plain_snippet(self, marker: str = "*") -> str:
        """The snippets as one line, matched words between ``marker``s (for terminals)."""
        return " … ".join("".join(_marked(s, marker) for s in snippet).strip() for snippet in self.snippets)


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    total: int  # how many papers match, of which ``hits`` are the best
    hits: tuple[SearchHit, ...] = field(default=())


def check_text(text: str) -> str:
    """The query with surrounding space removed, or ``BadQuery`` before parsing it."""
    text = text.strip()
    if not text:
        raise BadQuery("Type some words to search for.")
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(f"The query is too long ({len(text):,} characters); keep it under {MAX_QUERY_CHARS}.")
    if text.count('"') % 2:
        raise BadQuery('A quotation mark is not closed: phrases go between two " marks.')
    return text


def parse(text: str, parser: QueryParser, topics: Mapping[str, str] | None = None) -> query.Query:
    """Parse ``text`` with the shelf's query language; ``BadQuery`` if it cannot be run.

    ``topics`` maps topic slugs to their saved queries: ``topic:slug`` in ``text`` stands
    for the topic's query (topic queries themselves cannot name topics).
    """
    q = parser.parse(check_text(text))
    if topics is not None:
        q = _expand_topics(q, parser, topics).normalize()
    unknown = sorted({name for name in _fieldnames(q) if name not in QUERY_FIELDS})
    if unknown:
        names = ", ".join(f"{n}:" for n in unknown)
        raise BadQuery(f"Unknown field {names} — fields are {', '.join(f + ':' for f in QUERY_FIELDS)}")
    if any(isinstance(sub, (query.Wildcard, query.Every)) for sub in _leaves(q)):
        raise BadQuery("Wildcards: only a * at the end of a word is supported, as in transform*.")
    if q is query.NullQuery:
        raise BadQuery("Nothing to search for: the query has only common words (such as “the” or “of”).")
    return q


def _expand_topics(q: query.Query, parser: QueryParser, topics: Mapping[str, str]) -> query.Query:
    if q.is_leaf():
        if getattr(q, "fieldname", None) != TOPIC_FIELD:
            return q
        if not isinstance(q, query.Term):
            raise BadQuery("topic: takes the name of one topic, as in topic:robotics.")
        name = str(q.text).lower()
        if name not in topics:
            known = ", ".join(sorted(topics)) or "none on this shelf"
            raise BadQuery(f"Unknown topic '{q.text}' — topics are: {known}.")
        sub = parser.parse(topics[name])
        return sub.with_boost(sub.boost * q.boost) if q.boost != 1.0 else sub
    return q.apply(lambda child: _expand_topics(child, parser, topics))


def open_index(index_dir: Path) -> index.Index:
    if not index.exists_in(str(index_dir)):
        raise PapershelfError(f"no search index in {index_dir}; build the site first (papershelf build)")
    return open_whoosh(index_dir)


def search(index_dir: Path, text: str, limit: int = 10) -> SearchResults:
    """Answer ``text`` from the index in ``index_dir`` (``config.cache_path / "search"``).

    Returns the best ``limit`` papers (at most 100), best first, each with its slug,
    title, BM25F score and highlighted passages as ``Segment`` values (never HTML, so
    each caller escapes them its own way).  Raises ``BadQuery`` for a query that cannot
    be run, with a message to show as it is.  The order is the browser's order: the
    same query on the same shelf gives the same papers in the same order everywhere.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    ix = open_index(index_dir)
    q = parse(text, make_parser(ix.schema), read_topics(index_dir))
    with paper_searcher(index_dir, ix) as searcher:
        results = top(searcher, q, limit)
        passages = highlight.Highlighter(
            fragmenter=highlight.ContextFragmenter(maxchars=160, surround=60), formatter=SegmentFormatter()
        )
        whole = highlight.Highlighter(fragmenter=highlight.WholeFragmenter(), formatter=SegmentFormatter())
        hits = tuple(
            SearchHit(
                slug=hit["slug"],
                title=hit["title"],
                joined=hit.get("joined", ""),
                score=hit.score,
                title_segments=next(iter(whole.highlight_hit(hit, "title", top=1)), (Segment(hit["title"]),)),
                snippets=tuple(passages.highlight_hit(hit, "abstract", top=2)),
            )
            for hit in results
        )
        return SearchResults(text, len(results), hits)


def ranked_slugs(index_dir: Path, text: str, limit: int = 10) -> list[str]:
    """Only the order of the best ``limit`` papers: what the parity test compares."""
    ix = open_index(index_dir)
    q = parse(text, make_parser(ix.schema), read_topics(index_dir))
    with paper_searcher(index_dir, ix) as searcher:
        return [hit["slug"] for hit in top(searcher, q, limit)]


def top(searcher: Searcher, q: query.Query, limit: int) -> Results:
    """The best ``limit`` matches, best first (by score, then in the canonical order of
    papers: day joined, then slug), as the browser ranks them.

    ``searcher`` should come from ``ranking.paper_searcher`` (live statistics).
    Whoosh's collector normally "replaces" its matchers as it goes (``replace=10``) to
    skip work; on this index that optimisation drops papers which belong in the top
    results (a limited search disagrees with an unlimited one), so it is turned off.
    Block-quality skipping, which is exact, stays on.
    """
    collector = CanonicalTopCollector(limit=limit, replace=0)
    searcher.search_with_collector(q, collector)
    return collector.results()


class SegmentFormatter(highlight.Formatter):
    """Whoosh's highlighter output as ``Segment`` tuples instead of marked-up strings."""

    def format_fragment(self, fragment: highlight.Fragment, replace: bool = False) -> tuple[Segment, ...]:
        out: list[Segment] = []
        index_ = fragment.startchar
        text = fragment.text
        for token in sorted(fragment.matches, key=lambda t: (t.startchar, -(t.endchar - t.startchar))):
            if token.startchar is None or token.startchar < index_:
                continue
            if token.startchar > index_:
                out.append(Segment(text[index_ : token.startchar]))
            out.append(Segment(text[token.startchar : token.endchar], True))
            index_ = token.endchar
        out.append(Segment(text[index_ : fragment.endchar]))
        return tuple(out)

    def format(self, fragments: Iterable[highlight.Fragment], replace: bool = False) -> list[tuple[Segment, ...]]:  # type: ignore[override]
        return [tuple(s for s in self.format_fragment(f) if s.text) for f in fragments]


def _leaves(q: query.Query) -> Iterable[query.Query]:
    if q.is_leaf():
        yield q
    else:
        for child in q.children():
            yield from _leaves(child)


def _fieldnames(q: query.Query) -> Iterable[str]:
    for leaf in _leaves(q):
        name = getattr(leaf, "fieldname", None)
        if name:
            yield name


def _marked(segment: Segment, marker: str) -> str:
    text = re.sub(r"\s+", " ", segment.text)
    return f"{marker}{text}{marker}" if segment.matched else text
