"""The pages of the embed widget: an iframe page per feed, and the page that documents both.

The script itself (``theme/static/js/embed.js``) is published at ``/embed.js``; it reads
a listing's JSON Feed, so it shows exactly what the feeds say.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from .. import urls
from ..settings import SiteConfig
from ..site.pages import PageSpec
from .items import LOCAL_SITEURL
from .listings import FeedListing

SCRIPT_SOURCE = ("static", "js", "embed.js")  # under the theme folder
DEFAULT_LIMIT = 5  # papers the widget shows when data-limit is not given


def embed_pages(
    listings: Sequence[FeedListing], config: SiteConfig, keys: Mapping[str, str] | None = None
) -> Iterator[PageSpec]:
    """The iframe page of each listing (keyed as its feeds, by ``keys[listing.name]``) and
    the page that documents the widget (keyed by ``keys[urls.EMBED]``)."""
    keys = keys or {}
    for listing in listings:
        yield PageSpec(
            urls.embed_frame(listing.name),
            "embed_frame",
            {"feed": listing, "papers": listing.papers},
            key=keys.get(listing.name, ""),
        )
    yield PageSpec(
        urls.EMBED,
        "embed",
        {
            "feeds": listings,
            # The snippets are pasted into other sites, so they carry an absolute address.
            "site_base": config.siteurl or LOCAL_SITEURL,
            "default_limit": DEFAULT_LIMIT,
            "nav": "",
        },
        key=keys.get(urls.EMBED, ""),
    )
