"""Which pages the site has, and what each one shows: pure functions of the site model.

Each function yields ``PageSpec`` values; ``render.write_pages`` turns them into files.
A page of the many kinds (paper, day, collection and topic pages) also carries its *input
key*: a digest of exactly what the page shows (a paper page: its record's digest, its
collections, topics and the titles of its related papers; a listing page: its papers'
digests and where it sits among its siblings).  A page whose key did not change since the
last build is neither rendered nor compared; so its context is made lazily.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from .. import urls
from ..model import Paper
from ..settings import SiteConfig
from .keys import input_key
from .model import Listing, SiteModel, stable_pages
from .views import bibtex, citation_meta, paragraphs


@dataclass(frozen=True, slots=True)
class PageSpec:
    url: str  # site-relative, see generator.urls
    template: str
    # The template's variables, or a function that makes them (only called when the page
    # has to be rendered).
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]] = field(default_factory=dict)
    # The day the page's content last changed, from the papers it shows (the sitemap's
    # lastmod); never the build's time, so that rebuilding changes nothing.
    updated: dt.date | None = None
    # A digest of what the page shows ("" for pages that are always rendered), or a
    # function that computes it (only called when the page is written or checked).
    key: str | Callable[[], str] = ""

    def input_key(self) -> str:
        return self.key() if callable(self.key) else self.key

    def variables(self) -> Mapping[str, Any]:
        return self.context() if callable(self.context) else self.context


def front_page(model: SiteModel, config: SiteConfig) -> PageSpec:
    latest = model.papers[: config.options.front_page_papers]
    groups = [
        {"day": day, "papers": list(papers), "total": len(next(d for d in model.days if d.date == day).papers)}
        for day, papers in itertools.groupby(latest, key=lambda p: p.date)
    ]
    older = model.days[len(groups)] if len(model.days) > len(groups) else None
    return PageSpec(
        urls.INDEX, "index", {"groups": groups, "older_day": older, "nav": "latest"}, updated=newest(model.papers)
    )


def day_pages(model: SiteModel, config: SiteConfig) -> Iterator[PageSpec]:
    size = config.options.day_page_size
    for i, day in enumerate(model.days):
        newer = model.days[i - 1] if i > 0 else None
        older = model.days[i + 1] if i + 1 < len(model.days) else None
        chunks = [day.papers[n : n + size] for n in range(0, len(day.papers), size)] or [()]
        for number, papers in enumerate(chunks, start=1):
            yield PageSpec(
                urls.day(day.date, number),
                "day",
                {
                    "day": day,
                    "papers": list(papers),
                    "page": number,
                    "pages": len(chunks),
                    "newer_day": newer,
                    "older_day": older,
                    "nav": "archives",
                },
                updated=day.date,
                key=functools.partial(
                    _listing_key,
                    model,
                    papers,
                    day.date,
                    number,
                    len(chunks),
                    len(day.papers),
                    newer.date if newer else None,
                    older.date if older else None,
                ),
            )


def paper_pages(model: SiteModel, config: SiteConfig, skip: Collection[str] = frozenset()) -> Iterator[PageSpec]:
    """The page of every paper but those in ``skip`` (pages carried over from the last build)."""
    by_slug, related, digests = model.by_slug, model.related, model.digests

    def key(slug: str) -> str:
        # Collections are named in the record itself; of a related paper the page shows
        # its title only.
        return input_key(
            digests[slug],
            [(t.slug, t.name) for t in model.topics_of(slug)],
            [(other, by_slug[other].title) for other in related.get(slug, ()) if other in by_slug],
        )

    for paper in model.papers:
        slug = paper.slug
        if slug in skip:
            continue
        url = urls.paper(slug)
        yield PageSpec(
            url,
            "paper",
            _paper_context(model, config, paper, url),
            updated=paper_page_day(paper),
            key=functools.partial(key, slug),
        )


# The day a paper's page last changed, as the sitemap gives it: the day the paper joined
# the shelf.  An attribute getter rather than a function, as the sitemap asks it of every
# paper on every build.
paper_page_day: Callable[[Paper], dt.date] = attrgetter("date")


def _paper_context(model: SiteModel, config: SiteConfig, paper: Paper, url: str) -> Callable[[], dict[str, Any]]:
    def make() -> dict[str, Any]:
        topics = model.topics_of(paper.slug)
        related = model.related_to(paper.slug)
        absolute = f"{config.siteurl}/{url}" if config.siteurl else ""
        return {
            "paper": paper,
            "paragraphs": paragraphs(paper.abstract),
            "collections": [model.collection(c) for c in paper.collections],
            "topics": topics,
            "related": related,
            "bibtex": bibtex(paper, absolute),
            "citation_meta": citation_meta(paper),
            "nav": "",
        }

    return make


def listing_pages(listing: Listing, config: SiteConfig, model: SiteModel) -> Iterator[PageSpec]:
    """A collection's or topic's landing page (newest papers), and a collection's stable numbered pages.

    A topic is a saved search: its landing page shows the newest of its papers and sends
    the reader to the search page for all of them, ranked.  Numbered pages would list
    every match of every topic once more (about 340 bytes per paper of the shelf).
    """
    size = config.options.listing_page_size
    page_url = urls.collection if listing.kind == "collection" else urls.topic
    paged = listing.kind == "collection" and len(listing.papers) > size
    numbered = stable_pages(listing.papers, size) if paged else []
    last = len(numbered)
    common = {"listing": listing, "nav": f"{listing.kind}s", "last_page": last}
    about = (listing.kind, listing.slug, listing.name, listing.query, last)
    landing = listing.papers[:size]
    older = page_url(listing.slug, last - 1) if last > 1 else None
    yield PageSpec(
        page_url(listing.slug),
        "listing",
        {**common, "papers": list(landing), "page": None, "older_url": older, "newer_url": None},
        updated=newest(listing.papers),
        # Only the landing page shows how many papers the listing has.
        key=functools.partial(_listing_key, model, landing, *about, None, len(listing.papers), older),
    )
    for number, papers in numbered:
        older = page_url(listing.slug, number - 1) if number > 1 else None
        newer = page_url(listing.slug, number + 1) if number < last else page_url(listing.slug)
        yield PageSpec(
            page_url(listing.slug, number),
            "listing",
            {**common, "papers": list(papers), "page": number, "older_url": older, "newer_url": newer},
            updated=newest(papers),
            key=functools.partial(_listing_key, model, papers, *about, number, older, newer),
        )


def index_pages(model: SiteModel, config: SiteConfig) -> Iterator[PageSpec]:
    latest = newest(model.papers)
    yield PageSpec(
        urls.COLLECTIONS, "collections", {"listings": model.collections, "nav": "collections"}, updated=latest
    )
    if config.topics:
        yield PageSpec(urls.TOPICS, "topics", {"listings": model.topics, "nav": "topics"}, updated=latest)
    months: dict[str, list] = {}
    for day in model.days:
        months.setdefault(day.date.strftime("%B %Y"), []).append(day)
    yield PageSpec(urls.ARCHIVES, "archives", {"months": months, "nav": "archives"}, updated=latest)
    yield PageSpec(urls.NOT_FOUND, "404", {"nav": ""})


def _listing_key(model: SiteModel, papers: Sequence[Paper], *where: object) -> str:
    """A listing page's key: where it sits among its siblings (``where``) and what it shows.

    Computed only when asked (``PageSpec.input_key``), so that listing the site's pages
    (the sitemap does) costs no digest of what each one shows."""
    return input_key(*where, shown(model, papers))


def shown(model: SiteModel, papers: Sequence[Paper]) -> str:
    """The records a listing page shows, for its key: their digests, run together (the
    digests are all of one length; a list of them cost more to key than the rest of the
    page's key, for thousands of listing pages on every build)."""
    digests = model.digests
    return "".join([digests[p.slug] for p in papers])


def newest(papers: Sequence[Paper]) -> dt.date | None:
    """The day the newest of ``papers`` (newest first, as every list of the model) joined the shelf.

    The first paper's: taking the ``max`` of every listing's days cost a third of a
    second on each rebuild of a 100,000-paper shelf."""
    return papers[0].date if papers else None


def all_pages(model: SiteModel, config: SiteConfig, skip: Collection[str] = frozenset()) -> Iterator[PageSpec]:
    """Every page of the site, less the pages of the papers in ``skip`` (carried over)."""
    yield from shelf_pages(model, config)
    yield from paper_pages(model, config, skip)


def shelf_pages(model: SiteModel, config: SiteConfig) -> Iterator[PageSpec]:
    """Every page of the site but the papers' own: the front page, the indexes, the days,
    the collections and the topics."""
    yield front_page(model, config)
    yield from index_pages(model, config)
    yield from day_pages(model, config)
    for listing in (*model.collections, *model.topics):
        yield from listing_pages(listing, config, model)
