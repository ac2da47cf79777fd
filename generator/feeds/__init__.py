"""Feeds for every listing of the shelf, and the widget that embeds them in other sites.

The pipeline, top to bottom:

- ``listings``: which feeds the site has (the whole shelf, each collection, each topic)
  and the latest papers of each — a slice of the site model, nothing sorted again;
- ``items``: each paper that appears in any feed, turned once into a ``FeedItem`` with
  absolute URLs, a permanent id and its content;
- ``syndication`` (Atom and RSS, with feedgen), ``jsonfeed`` (JSON Feed 1.1) and
  ``opml`` serialise them; ``embed`` lists the pages of the widget;
- ``write`` puts it all on disk through an ``OutputWriter``.
"""
