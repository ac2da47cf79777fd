"""The site as data: which papers each page lists, computed once per build from the shelf.

Nothing here renders or writes; every page of the site is a view of a ``SiteModel``.
Search adds topics to it (``with_topics``) before pages are written, and the page stage
its related papers (``with_related``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from ..model import Paper

_DATE, _SLUG = attrgetter("date"), attrgetter("slug")


@dataclass(frozen=True, slots=True)
class Day:
    date: dt.date
    papers: tuple[Paper, ...]


@dataclass(frozen=True, slots=True)
class Listing:
    """A named list of papers with its own pages and feeds: a collection or a topic."""

    kind: str  # "collection" or "topic"
    slug: str
    name: str
    papers: tuple[Paper, ...]  # newest first
    query: str = ""  # the saved search, for topics


@dataclass(frozen=True, slots=True)
class SiteModel:
    papers: tuple[Paper, ...]  # newest first
    days: tuple[Day, ...]  # newest first
    collections: tuple[Listing, ...]  # by name
    topics: tuple[Listing, ...] = ()  # in the order of TOPICS
    related: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # slug -> related slugs
    by_slug: Mapping[str, Paper] = field(default_factory=dict)
    digests: Mapping[str, str] = field(default_factory=dict)  # slug -> paper_digest
    # topic slug -> its papers' slugs, newest first: what the writers that record topics
    # compare, made once before they run (in child processes, reading each paper again
    # costs a copy of the memory it sits in).
    topic_members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # topic slug -> its papers' slugs as a set.  A paper's topics are looked up in these
    # when asked for (a few pages and records per rebuild) rather than tabled for every
    # paper in advance.
    _topic_sets: Mapping[str, frozenset[str]] = field(default_factory=dict)
    _position: Mapping[str, int] = field(default_factory=dict)  # slug -> index in papers

    def in_order(self, slugs: Iterable[str]) -> tuple[Paper, ...]:
        """The papers of ``slugs`` that are on the shelf, newest first (as ``papers``)."""
        position = self._position
        return tuple(self.papers[n] for n in sorted(position[s] for s in slugs if s in position))

    def topics_of(self, slug: str) -> tuple[Listing, ...]:
        sets = self._topic_sets
        return tuple(t for t in self.topics if slug in sets[t.slug])

    def related_to(self, slug: str) -> list[Paper]:
        return [self.by_slug[s] for s in self.related.get(slug, ()) if s in self.by_slug]

    def digest(self, paper: Paper) -> str:
        return self.digests.get(paper.slug) or paper_digest(paper)

    def collection(self, slug: str) -> Listing | None:
        return next((c for c in self.collections if c.slug == slug), None)

    def with_topics(self, topics: Sequence[Listing]) -> SiteModel:
        """This model with the topics that search evaluated."""
        members = {t.slug: tuple(map(_SLUG, t.papers)) for t in topics}
        return dataclasses.replace(
            self,
            topics=tuple(topics),
            topic_members=members,
            _topic_sets={slug: frozenset(slugs) for slug, slugs in members.items()},
        )

    def with_related(self, related: Mapping[str, tuple[str, ...]]) -> SiteModel:
        """This model with each paper's related papers (slug -> slugs), for its page."""
        return dataclasses.replace(self, related=dict(related))


def paper_digest(paper: Paper) -> str:
    """A short digest of everything in a paper's record: equal records, equal digests.

    ``repr`` of the frozen dataclass is deterministic (strings, tuples, dates, numbers),
    and covers every field, including ones added later.
    """
    return hashlib.blake2b(repr(paper).encode("utf-8"), digest_size=16).hexdigest()


def newest_first(papers: Iterable[Paper]) -> list[Paper]:
    """Newest day first; within a day by title, so pages do not reshuffle between builds."""
    return sorted(papers, key=_newest_first)


def _newest_first(paper: Paper) -> tuple[int, str, str]:
    return -paper.date.toordinal(), paper.title.casefold(), paper.slug


def build_model(papers: Iterable[Paper], digests: Mapping[str, str] | None = None) -> SiteModel:
    """The site model of ``papers``; ``digests`` (slug -> ``paper_digest``) saves computing them."""
    ordered = tuple(newest_first(papers))
    slugs = list(map(_SLUG, ordered))
    by_slug = dict(zip(slugs, ordered, strict=True))
    known = digests or {}
    by_collection: dict[str, list[Paper]] = defaultdict(list)
    for paper in ordered:
        for name in paper.collections:
            by_collection[name].append(paper)
    return SiteModel(
        papers=ordered,
        # Newest first, so each day's papers are next to each other.
        days=tuple(Day(date, tuple(group)) for date, group in itertools.groupby(ordered, _DATE)),
        collections=tuple(
            Listing("collection", name, name, tuple(by_collection[name])) for name in sorted(by_collection)
        ),
        by_slug=by_slug,
        _position=dict(zip(slugs, range(len(slugs)), strict=True)),
        digests=(
            dict(known)
            if known.keys() == by_slug.keys()
            else {slug: known.get(slug) or paper_digest(p) for slug, p in by_slug.items()}
        ),
    )


def stable_pages(papers: Sequence[Paper], size: int) -> list[tuple[int, Sequence[Paper]]]:
    """Split a newest-first list into pages numbered from the *oldest* end.

    Page 1 holds the oldest ``size`` papers, and a new paper only ever changes the last
    page, so links to older pages stay right and their files stay byte-identical.
    Each page's papers are returned newest first.
    """
    oldest_first = list(reversed(papers))
    count = (len(oldest_first) + size - 1) // size
    return [(n, oldest_first[(n - 1) * size : n * size][::-1]) for n in range(1, count + 1)]
