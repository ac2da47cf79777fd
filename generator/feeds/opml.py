"""``feeds/index.opml``: every listing's feed, to import into a reader at once (OPML 2.0)."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from .. import urls
from .items import FeedSite
from .listings import FeedListing


def opml(listings: Sequence[FeedListing], site: FeedSite) -> bytes:
    """One outline per listing, pointing at its Atom feed, grouped as the site groups them.

    Each listing appears once, not once per format: importing the file must not
    subscribe a reader to the same papers three times.
    """
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{site.name}: every feed"
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    groups = {"collections": "Collections", "topics": "Topics"}
    folders: dict[str, etree._Element] = {}
    for listing in listings:
        parent = body
        group = listing.name.split("/", 1)[0]
        if group in groups:
            parent = folders.get(group)
            if parent is None:
                parent = folders[group] = etree.SubElement(body, "outline", text=groups[group])
        etree.SubElement(
            parent,
            "outline",
            type="rss",
            text=listing.title,
            title=listing.title,
            description=listing.description,
            xmlUrl=site.absolute(urls.feed(listing.name, "atom")),
            htmlUrl=site.absolute(listing.page),
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
