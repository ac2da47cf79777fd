"""Which feeds the site has, and which papers each one carries."""

from __future__ import annotations

from dataclasses import dataclass

from .. import urls
from ..model import Paper
from ..settings import SiteConfig
from ..site.model import Listing, SiteModel


@dataclass(frozen=True, slots=True)
class FeedListing:
    """One feed, in every format: a name such as ``topics/diffusion`` and its latest papers."""

    name: str  # see urls.feed_name; also the embed widget's data-feed value
    title: str
    description: str
    page: str  # the site-relative URL of the listing's page
    papers: tuple[Paper, ...]  # the latest ``feed_max_items``, newest first
    label: str = ""  # the collection's or topic's own name, empty for the whole shelf


def feed_listings(model: SiteModel, config: SiteConfig) -> list[FeedListing]:
    """The whole shelf, then each collection, then each topic (whatever ``model.topics`` holds).

    The model's listings are already newest first, so each feed is a slice: the cost
    depends on ``feed_max_items`` and the number of listings, not on the shelf's size.
    """
    limit = config.options.feed_max_items
    feeds = [
        FeedListing(
            name=urls.ALL_FEED,
            title=config.sitename,
            description=config.options.description,
            page=urls.INDEX,
            papers=model.papers[:limit],
        )
    ]
    feeds += [_listing_feed(c, config, limit) for c in model.collections]
    feeds += [_listing_feed(t, config, limit) for t in model.topics]
    return feeds


def _listing_feed(listing: Listing, config: SiteConfig, limit: int) -> FeedListing:
    if listing.kind == "collection":
        page = urls.collection(listing.slug)
        description = f"The latest papers in the collection {listing.name} on {config.sitename}."
    else:
        page = urls.topic(listing.slug)
        description = f"The latest papers on {config.sitename} about {listing.name}."
        if listing.query:
            description = description[:-1] + f" (papers matching {listing.query})."
    return FeedListing(
        name=urls.feed_name(listing.kind, listing.slug),
        title=f"{config.sitename}: {listing.name}",
        description=description,
        page=page,
        papers=listing.papers[:limit],
        label=listing.name,
    )
