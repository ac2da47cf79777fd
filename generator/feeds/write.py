"""Writing every feed and the OPML index through an ``OutputWriter``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from feedgen.entry import FeedEntry

from .. import urls
from ..site.model import SiteModel
from ..site.output import OutputWriter
from .items import FeedItems, FeedSite
from .jsonfeed import json_feed
from .listings import FeedListing
from .opml import opml
from .syndication import atom_feed, feed_entry, rss_feed


def write_feeds(
    listings: Sequence[FeedListing],
    model: SiteModel,
    site: FeedSite,
    out: OutputWriter,
    keys: Mapping[str, str] | None = None,
) -> int:
    """Write the Atom, RSS and JSON feed of each listing, then the OPML; return the files made.

    With ``keys`` (listing name -> what its feeds are made from, and ``urls.OPML`` -> what
    the OPML is made from), a listing whose feeds the last build made from the same key
    is kept as it is: adding a paper makes the feeds of the listings it is in, not all.
    """
    keys = keys or {}
    items = FeedItems(site, model.topics_of)
    entries: dict[str, FeedEntry] = {}
    count = 0
    for listing in listings:
        key = keys.get(listing.name, "")
        files = [urls.feed(listing.name, kind) for kind in ("atom", "rss", "json")]
        if key and all(out.previous_key(f) == key and out.present(f) for f in files):
            for file in files:
                out.carry(file)
            continue
        feed_items = [items.get(paper) for paper in listing.papers]
        feed_entries = []
        for item in feed_items:
            entry = entries.get(item.id)
            if entry is None:
                entry = entries[item.id] = feed_entry(item)
            feed_entries.append(entry)
        atom, rss, json = files
        out.write(atom, atom_feed(listing, feed_items, feed_entries, site), key)
        out.write(rss, rss_feed(listing, feed_items, feed_entries, site), key)
        out.write(json, json_feed(listing, feed_items, site), key)
        count += 3
    key = keys.get(urls.OPML, "")
    if not out.keep(urls.OPML, key):
        out.write(urls.OPML, opml(listings, site), key)
        count += 1
    return count
