"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .. import urls
from .items import FeedItem, FeedSite
from .listings import FeedListing

VERSION = "https://jsonfeed.org/version/1.1"


def json_feed(listing: FeedListing, items: Sequence[FeedItem], site: FeedSite) -> bytes:
    """The feed as UTF-8 JSON.  Keys keep this order (``version`` first, as the spec asks).

    Not indented: indenting makes ``json`` fall back from its C encoder to Python's, which
    was half of all feed time in bench/feeds.py.
    """
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": listing.title,
        "home_page_url": site.absolute(listing.page),
        "feed_url": site.absolute(urls.feed(listing.name, "json")),
        "description": listing.description,
        "authors": [{"name": site.name}],
        "items": [json_item(item) for item in items],
    }
    return (json.dumps(feed, ensure_ascii=False) + "\n").encode("utf-8")


def json_item(item: FeedItem) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "content_html": item.content_html,
        "summary": item.summary,
        "date_published": item.joined.isoformat(),
        "date_modified": item.joined.isoformat(),
    }
    if item.external_url:
        entry["external_url"] = item.external_url
    if item.authors:
        entry["authors"] = [{"name": name} for name in item.authors]
    if item.categories:
        entry["tags"] = [c.label for c in item.categories]
    # The page's path from the site root: the embed widget resolves it against the
    # address it was loaded from, so its links are right on any mirror or preview port.
    entry["_papershelf"] = {
        "path": item.path,
        "links": [{"title": link.rel_title, "url": link.url} for link in item.links],
    }
    return entry
