"""Writing every feed and the OPML index through an ``OutputWriter``."""

from __future__ import annotations

from collections.abc import Sequence

from feedgen.entry import FeedEntry

from .. import urls
from ..site.model import SiteModel
from ..site.output import OutputWriter
from .items import FeedItems, FeedSite
from .jsonfeed import json_feed
from .listings import FeedListing
from .opml import opml
from .syndication import atom_feed, feed_entry, rss_feed


def write_feeds(listings: Sequence[FeedListing], model: SiteModel, site: FeedSite, out: OutputWriter) -> int:
    """Write the Atom, RSS and JSON feed of each listing, then the OPML; return the files written."""
    items = FeedItems(site, model.topics_of)
    entries: dict[str, FeedEntry] = {}
    count = 0
    for listing in listings:
        feed_items = [items.get(paper) for paper in listing.papers]
        feed_entries = []
        for item in feed_items:
            entry = entries.get(item.id)
            if entry is None:
                entry = entries[item.id] = feed_entry(item)
            feed_entries.append(entry)
        out.write(urls.feed(listing.name, "atom"), atom_feed(listing, feed_items, feed_entries, site))
        out.write(urls.feed(listing.name, "rss"), rss_feed(listing, feed_items, feed_entries, site))
        out.write(urls.feed(listing.name, "json"), json_feed(listing, feed_items, site))
        count += 3
    out.write(urls.OPML, opml(listings, site))
    return count + 1
