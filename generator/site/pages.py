"""Which pages the site has, and what each one shows: pure functions of the site model.

Each function yields ``PageSpec`` values; ``render.write_pages`` turns them into files.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import urls
from ..model import Paper
from ..settings import SiteConfig
from .model import Listing, SiteModel, stable_pages
from .views import bibtex, citation_meta, paragraphs


@dataclass(frozen=True, slots=True)
class PageSpec:
    url: str  # site-relative, see generator.urls
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # The day the page's content last changed, from the papers it shows (the sitemap's
    # lastmod); never the build's time, so that rebuilding changes nothing.
    updated: dt.date | None = None


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
            )


def paper_pages(model: SiteModel, config: SiteConfig) -> Iterator[PageSpec]:
    for paper in model.papers:
        url = urls.paper(paper.slug)
        absolute = f"{config.siteurl}/{url}" if config.siteurl else ""
        yield PageSpec(
            url,
            "paper",
            {
                "paper": paper,
                "paragraphs": paragraphs(paper.abstract),
                "collections": [model.collection(c) for c in paper.collections],
                "topics": model.topics_of(paper.slug),
                "related": model.related_to(paper.slug),
                "bibtex": bibtex(paper, absolute),
                "citation_meta": citation_meta(paper, absolute),
                "nav": "",
            },
            updated=paper.date,
        )


def listing_pages(listing: Listing, config: SiteConfig) -> Iterator[PageSpec]:
    """A collection's or topic's landing page (newest papers) and its stable numbered pages."""
    size = config.options.listing_page_size
    page_url = urls.collection if listing.kind == "collection" else urls.topic
    numbered = stable_pages(listing.papers, size) if len(listing.papers) > size else []
    last = len(numbered)
    common = {"listing": listing, "nav": f"{listing.kind}s", "last_page": last}
    yield PageSpec(
        page_url(listing.slug),
        "listing",
        {
            **common,
            "papers": list(listing.papers[:size]),
            "page": None,
            "older_url": page_url(listing.slug, last - 1) if last > 1 else None,
            "newer_url": None,
        },
        updated=newest(listing.papers),
    )
    for number, papers in numbered:
        yield PageSpec(
            page_url(listing.slug, number),
            "listing",
            {
                **common,
                "papers": list(papers),
                "page": number,
                "older_url": page_url(listing.slug, number - 1) if number > 1 else None,
                "newer_url": page_url(listing.slug, number + 1) if number < last else page_url(listing.slug),
            },
            updated=newest(papers),
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


def newest(papers: Sequence[Paper]) -> dt.date | None:
    """The day the newest of ``papers`` joined the shelf."""
    return max((p.date for p in papers), default=None)


def all_pages(model: SiteModel, config: SiteConfig) -> Iterator[PageSpec]:
    yield front_page(model, config)
    yield from index_pages(model, config)
    yield from day_pages(model, config)
    for listing in (*model.collections, *model.topics):
        yield from listing_pages(listing, config)
    yield from paper_pages(model, config)
