"""Topics: saved queries (``TOPICS`` in pelicanconf.py), answered from the index each build.

A topic lists every paper its query matches, whatever their score; evaluating a
boolean query over the index takes milliseconds, so topics are simply re-run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import ConfigError
from ..settings import Topic
from .query import BadQuery, open_index, parse
from .ranking import paper_searcher
from .schema import TOPIC_FIELD, make_parser, make_schema


def check_topics(topics: Sequence[Topic]) -> None:
    """Refuse a topic query that cannot run, naming the topic (before anything is built)."""
    parser = make_parser(make_schema())
    for topic in topics:
        try:
            q = parse(topic.query, parser)
        except BadQuery as exc:
            raise ConfigError(f"TOPICS: {topic.name!r}: {exc}") from None
        if any(name == TOPIC_FIELD for name, _ in q.iter_all_terms()):
            raise ConfigError(f"TOPICS: {topic.name!r}: a topic's query cannot use topic: (topics do not nest)")


def topic_members(index_dir: Path, topics: Sequence[Topic]) -> Mapping[str, frozenset[str]]:
    """Topic slug -> the slugs of every paper its query matches."""
    ix = open_index(index_dir)
    parser = make_parser(ix.schema)
    members: dict[str, frozenset[str]] = {}
    with paper_searcher(index_dir, ix) as searcher:
        reader = searcher.reader()
        slugs = reader.column_reader("slug") if reader.doc_count() else None
        for topic in topics:
            q = parse(topic.query, parser)
            # "is not None": a column reader of a many-segment index is falsy.
            found = searcher.docs_for_query(q) if slugs is not None else ()
            members[topic.slug] = frozenset(slugs[n] for n in found)
    return members
