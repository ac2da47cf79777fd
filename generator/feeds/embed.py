"""The pages of the embed widget: an iframe page per feed, and the page that documents both.

The script itself (``theme/static/js/embed.js``) is published at ``/embed.js``; it reads
a listing's JSON Feed, so it shows exactly what the feeds say.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .. import urls
from ..settings import SiteConfig
from ..site.pages import PageSpec
from .items import LOCAL_SITEURL
from .listings import FeedListing

SCRIPT_SOURCE = ("static", "js", "embed.js")  # under the theme folder
DEFAULT_LIMIT = 5  # papers the widget shows when data-limit is not given


def embed_pages(listings: Sequence[FeedListing], config: SiteConfig) -> Iterator[PageSpec]:
    for listing in listings:
        yield PageSpec(urls.embed_frame(listing.name), "embed_frame", {"feed": listing, "papers": listing.papers})
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
    )
