"""Atom 1.0 and RSS 2.0 with feedgen.

Three things feedgen does not do as a static site needs, and how they are handled:

- it stamps every feed and entry with the time of the build, so ``updated`` and
  ``lastBuildDate`` are set here from the papers (rebuilding changes no byte);
- feedgen 1.0 writes only the ``href`` of an entry's links (python-feedgen issue #135);
- its summary, content and RSS description setters overwrite one another.

So a small feedgen extension writes an entry's related links, summary, content and RSS
description itself, with lxml like the rest of the feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from .. import urls
from .items import FeedItem, FeedSite
from .listings import FeedListing

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
GENERATOR = "Papershelf"
# An empty feed (a topic nothing matches yet) still needs an ``updated``; this one never
# changes, so the feed's bytes do not either.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class _PaperExtension(BaseEntryExtension):
    """The parts of an entry written here rather than by feedgen (see the module's docstring)."""

    def __init__(self) -> None:
        self.summary = ""  # plain text
        self.content_html = ""
        self.links: tuple[tuple[str, str], ...] = ()  # (title, url)
        self.authors: tuple[str, ...] = ()

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        # feedgen builds Atom elements without a namespace and declares it on the root.
        etree.SubElement(entry, "summary", type="text").text = self.summary
        etree.SubElement(entry, "content", type="html").text = self.content_html
        for title, url in self.links:
            etree.SubElement(entry, "link", rel="related", href=url, title=title)
        return entry

    def extend_rss(self, item: etree._Element) -> etree._Element:
        # Readers show an RSS description as HTML: it gets the escaped HTML, never raw text.
        etree.SubElement(item, "description").text = self.content_html
        for name in self.authors:
            etree.SubElement(item, f"{{{DC_NS}}}creator").text = name
        for title, url in self.links:
            etree.SubElement(item, f"{{{ATOM_NS}}}link", rel="related", href=url, title=title)
        return item


class _FeedNamespaces(BaseExtension):
    """Declares the Dublin Core prefix once on the RSS root instead of on every element."""

    def extend_ns(self) -> dict[str, str]:
        return {"dc": DC_NS}


def feed_entry(item: FeedItem) -> FeedEntry:
    """The feedgen entry of ``item``; one entry object serves every feed the paper is in."""
    entry = FeedEntry()
    entry.register_extension("papershelf", _PaperExtension, atom=True, rss=True)
    extension = entry.papershelf
    extension.summary = item.abstract
    extension.content_html = item.content_html
    extension.links = tuple((link.rel_title, link.url) for link in item.links)
    extension.authors = item.authors
    entry.id(item.id)
    entry.guid(item.id, permalink=False)
    entry.title(item.title)
    entry.link(href=item.url, rel="alternate")
    entry.published(item.joined)
    entry.updated(item.joined)
    entry.author([{"name": name} for name in item.authors])
    entry.category([{"term": c.term, "label": c.label, "scheme": c.scheme} for c in item.categories])
    return entry


def _generator(listing: FeedListing, items: Sequence[FeedItem], site: FeedSite, fmt: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.register_extension("papershelf", _FeedNamespaces, _PaperExtension, atom=False, rss=True)
    self_url = site.absolute(urls.feed(listing.name, fmt))
    # The feed's id is its own address: a feed that moves is a new subscription anyway,
    # while entry ids stay put (see items.entry_id).
    feed.id(self_url)
    feed.title(listing.title)
    feed.subtitle(listing.description)
    feed.description(listing.description)
    feed.author({"name": site.name})
    # RSS has room for one channel link and feedgen takes the last one given: the page.
    feed.link(href=self_url, rel="self", type=urls.FEED_TYPES[fmt])
    feed.link(href=site.absolute(listing.page), rel="alternate")
    feed.generator(GENERATOR)
    newest = items[0].joined if items else EPOCH
    feed.updated(newest)
    feed.lastBuildDate(newest)
    return feed


def atom_feed(listing: FeedListing, items: Sequence[FeedItem], entries: Sequence[FeedEntry], site: FeedSite) -> bytes:
    feed = _generator(listing, items, site, "atom")
    for entry in entries:
        feed.add_entry(entry, order="append")
    return feed.atom_str(pretty=True)


def rss_feed(listing: FeedListing, items: Sequence[FeedItem], entries: Sequence[FeedEntry], site: FeedSite) -> bytes:
    feed = _generator(listing, items, site, "rss")
    for entry in entries:
        feed.add_entry(entry, order="append")
    return feed.rss_str(pretty=True)
