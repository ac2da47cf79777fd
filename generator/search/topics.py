"""Topics: saved queries (``TOPICS`` in pelicanconf.py), the papers each one matches.

A topic lists every paper its query matches, whatever its score.  Whether a paper
matches is a property of that paper alone (terms, phrases, prefixes and ranges are all
tested against its own fields), so after an index update only the papers it wrote or
deleted can join or leave a topic.  ``update_topics`` therefore keeps the members of the
last build (``topics.marshal`` in the cache, tied to the index state it was made from)
and tests just the written papers, in a small index in memory: at 100,000 papers that
is milliseconds where evaluating every query over the whole index took several seconds.
Anything else — no cache, a cache of another index state, a changed query, a rebuilt
index, a large update — evaluates the queries over the whole index, as a cold build does.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh.filedb.filestore import RamStorage

from .. import cachefile
from ..atomic import write_atomic
from ..errors import ConfigError
from ..model import Paper
from ..settings import Topic
from .index import IndexUpdate, content_hash, document
from .query import BadQuery, open_index, parse
from .ranking import paper_searcher
from .schema import TOPIC_FIELD, make_parser, make_schema

logger = logging.getLogger(__name__)

_CACHE_VERSION = 1
# Past this many papers written, one pass over the whole index is cheaper than a small
# index of them.
INCREMENTAL_LIMIT = 2000

Members = Mapping[str, frozenset[str]]  # topic slug -> slugs of the papers it matches


@dataclass(frozen=True, slots=True)
class TopicUpdate:
    members: Members
    evaluated: int  # topics evaluated over the whole index (the rest were updated)


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


def topic_members(index_dir: Path, topics: Sequence[Topic]) -> Members:
    """Topic slug -> the slugs of every paper its query matches, from the whole index."""
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


def update_topics(
    index_dir: Path,
    cache_file: Path,
    topics: Sequence[Topic],
    update: IndexUpdate,
    papers: Mapping[str, Paper],
) -> TopicUpdate:
    """The members of every topic after ``update`` of the index, from the last build's where it can.

    ``papers`` maps slugs to the shelf's papers (those ``update`` wrote are looked up in it).
    """
    previous = _load(cache_file, update)
    written = [papers[slug] for slug in sorted(update.touched) if slug in papers]
    members: dict[str, frozenset[str]] = {}
    stale = [t for t in topics if t.slug not in previous or previous[t.slug][0] != t.query]
    if len(written) > INCREMENTAL_LIMIT:
        stale = list(topics)
    if stale:
        members.update(topic_members(index_dir, stale))
    kept = [t for t in topics if t.slug not in members]
    if kept:
        matched = _matching(written, kept)
        for topic in kept:
            members[topic.slug] = (previous[topic.slug][1] - update.touched) | matched[topic.slug]
    if stale or written or update.touched or update.after != update.before or len(previous) != len(topics):
        _save(cache_file, update.after, {t.slug: (t.query, members[t.slug]) for t in topics})
    return TopicUpdate({t.slug: members[t.slug] for t in topics}, evaluated=len(stale))


def _matching(papers: Sequence[Paper], topics: Sequence[Topic]) -> dict[str, frozenset[str]]:
    """Topic slug -> which of ``papers`` its query matches, from an index of those papers alone."""
    if not papers:
        return {t.slug: frozenset() for t in topics}
    ix = RamStorage().create_index(make_schema())
    writer = ix.writer()
    for paper in papers:
        writer.add_document(**document(paper, content_hash(paper)))
    writer.commit()
    parser = make_parser(ix.schema)
    with ix.searcher() as searcher:
        slugs = searcher.reader().column_reader("slug")
        return {t.slug: frozenset(slugs[n] for n in searcher.docs_for_query(parse(t.query, parser))) for t in topics}


def _load(path: Path, update: IndexUpdate) -> dict[str, tuple[str, frozenset[str]]]:
    """The last build's members, if they were made from the index as it was before ``update``."""
    if update.rebuilt or not update.before:
        return {}
    try:
        version, state, data = cachefile.load(path)
    except FileNotFoundError:
        return {}
    except Exception:  # noqa: BLE001 -- an unreadable cache only costs an evaluation
        logger.info("Evaluating every topic: cannot read %s", path)
        return {}
    if version != _CACHE_VERSION or state != update.before or not isinstance(data, dict):
        return {}
    return {slug: (query, frozenset(found)) for slug, (query, found) in data.items()}


def _save(path: Path, state: bytes, data: Mapping[str, tuple[str, frozenset[str]]]) -> None:
    payload = {slug: (query, sorted(found)) for slug, (query, found) in data.items()}
    with contextlib.suppress(OSError):
        write_atomic(path, marshal.dumps((_CACHE_VERSION, state, payload)), durable=False)
