"""A paper as a feed item: permanent id, absolute links, dates and content, made once per build.

The same item appears in the shelf's feed and in the feeds of its collections and
topics; ``FeedItems`` makes each one once, whatever the number of feeds it is in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.html
from lxml.html import builder as E

from .. import urls
from ..errors import ConfigError
from ..model import Paper
from ..settings import SiteConfig
from ..site.model import Listing
from ..site.views import paragraphs
from ..text import truncate

# Where feeds of a local build (no SITEURL) point: the address `make serve` previews the
# site at.  Feed readers need absolute URLs, and a local build has no real address.
LOCAL_SITEURL = "http://127.0.0.1:8642"  # the default port of papershelf serve

# The naming authority of entry ids (tag: URIs, RFC 4151).  Ids are made from the paper
# alone, never from SITEURL, so that moving the site or renaming it does not turn every
# paper into a new entry in every reader.  Changing this string would do exactly that.
ID_AUTHORITY = "papershelf"


def entry_id(paper: Paper) -> str:
    """The paper's permanent entry id: ``tag:papershelf,<day it joined>:papers/<slug>``.

    The slug never changes once written, and the day it joined tells apart a later paper
    that reuses the slug of one that left the shelf.
    """
    return f"tag:{ID_AUTHORITY},{paper.date.isoformat()}:papers/{paper.slug}"


@dataclass(frozen=True, slots=True)
class Link:
    rel_title: str  # what the link is: "Code", "arXiv", "DOI"
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class Category:
    term: str  # the slug
    label: str  # the name people read
    scheme: str  # the absolute URL of the collections or topics index


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: str
    title: str
    path: str  # the paper's page, relative to the site root
    url: str  # the same, absolute
    joined: dt.datetime  # midnight of the day it joined, in the site's time zone
    abstract: str
    summary: str  # the abstract cut short, for timelines
    content_html: str  # the abstract as paragraphs, then its links
    authors: tuple[str, ...]
    links: tuple[Link, ...]
    external_url: str  # the paper elsewhere (its source or arXiv), or ""
    categories: tuple[Category, ...]


@dataclass(frozen=True, slots=True)
class FeedSite:
    """What every feed says about the site itself."""

    name: str
    base: str  # absolute, without a trailing slash
    timezone: dt.tzinfo
    summary_chars: int

    def absolute(self, path: str) -> str:
        return f"{self.base}/{path}"


def feed_site(config: SiteConfig) -> FeedSite:
    """The site as feeds see it: SITEURL when set, else the local preview address."""
    try:
        timezone = ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"TIMEZONE {config.timezone!r} is not a known time zone, such as UTC") from exc
    return FeedSite(
        name=config.sitename,
        base=config.siteurl or LOCAL_SITEURL,
        timezone=timezone,
        summary_chars=config.options.summary_chars,
    )


def joined_at(date: dt.date, timezone: dt.tzinfo) -> dt.datetime:
    """The moment a paper joined: the start of its day, so rebuilding never moves it."""
    return dt.datetime.combine(date, dt.time(0), tzinfo=timezone)


class FeedItems:
    """Makes each paper's ``FeedItem`` on first request and hands out the same one after."""

    def __init__(self, site: FeedSite, topics_of: Callable[[str], Sequence[Listing]]) -> None:
        self.site = site
        self._topics_of = topics_of
        self._items: dict[str, FeedItem] = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, paper: Paper) -> FeedItem:
        item = self._items.get(paper.slug)
        if item is None:
            item = self._items[paper.slug] = feed_item(paper, self._topics_of(paper.slug), self.site)
        return item


def feed_item(paper: Paper, topics: Sequence[Listing], site: FeedSite) -> FeedItem:
    path = urls.paper(paper.slug)
    links = paper_links(paper)
    categories = [Category(name, name, site.absolute(urls.COLLECTIONS)) for name in paper.collections] + [
        Category(topic.slug, topic.name, site.absolute(urls.TOPICS)) for topic in topics
    ]
    return FeedItem(
        id=entry_id(paper),
        title=paper.title,
        path=path,
        url=site.absolute(path),
        joined=joined_at(paper.date, site.timezone),
        abstract=paper.abstract,
        summary=truncate(paper.abstract, site.summary_chars),
        content_html=content_html(paper.abstract, links),
        authors=paper.authors,
        links=links,
        external_url=paper.url or paper.arxiv_abs_url,
        categories=tuple(categories),
    )


def paper_links(paper: Paper) -> tuple[Link, ...]:
    links = [Link("Code", url, url) for url in paper.code]
    if paper.arxiv_id:
        links.append(Link("arXiv", f"arXiv:{paper.arxiv_id}", paper.arxiv_abs_url))
    if paper.doi:
        links.append(Link("DOI", paper.doi, f"https://doi.org/{paper.doi}"))
    return tuple(links)


def content_html(abstract: str, links: Sequence[Link]) -> str:
    """The abstract's paragraphs (URLs in it made links), then a list of the paper's links.

    Built as an lxml tree and serialised, so the text of a title or an abstract can never
    become markup.
    """
    blocks = [E.P(*(E.A(s.text, href=s.href) if s.href else s.text for s in p)) for p in paragraphs(abstract)]
    if links:
        blocks.append(E.UL(*(E.LI(f"{link.rel_title}: ", E.A(link.text, href=link.url)) for link in links)))
    return "".join(lxml.html.tostring(block, encoding="unicode") for block in blocks)
