"""The site's URL scheme, in one place.

Every function returns a path relative to the site root, with no leading slash, ending
in "/" for pages (served from ``<path>index.html``).  Templates join them to ``SITEURL``,
which is a relative prefix ("../..") for local builds and an absolute URL when publishing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from collections.abc import Iterable
from urllib.parse import urlsplit

INDEX = ""
ARCHIVES = "archives/"
COLLECTIONS = "collections/"
TOPICS = "topics/"
SEARCH = "search/"
NOT_FOUND = "404.html"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"

# Feeds: every listing has one feed name and a file per format under feeds/.
ALL_FEED = "all"
FEED_FORMATS = ("atom", "rss", "json")
FEED_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}
_FEED_SUFFIXES = {"atom": ".atom.xml", "rss": ".rss.xml", "json": ".json"}
OPML = "feeds/index.opml"
EMBED = "embed/"  # the page that documents the widget
EMBED_SCRIPT = "embed.js"


PAPERS = "papers"  # the folder of the paper pages, one folder per paper


def paper(slug: str) -> str:
    return f"{PAPERS}/{slug}/"


def papers(slugs: Iterable[str]) -> list[str]:
    """``paper(slug)`` of each of ``slugs``, made by string operations on all of them at
    once (for 100,000 papers, a call per slug cost a tenth of a second)."""
    slugs = list(slugs)
    joined = "\n".join(slugs)
    if not slugs or joined.count("\n") != len(slugs) - 1:
        return list(map(paper, slugs))
    return f"{PAPERS}/{joined}/".replace("\n", f"/\n{PAPERS}/").split("\n")


def day(date: dt.date, page: int = 1) -> str:
    return f"days/{date.isoformat()}/" + (f"{page}/" if page > 1 else "")


def collection(slug: str, page: int | None = None) -> str:
    return f"collections/{slug}/" + (f"page/{page}/" if page else "")


def topic(slug: str, page: int | None = None) -> str:
    return f"topics/{slug}/" + (f"page/{page}/" if page else "")


def feed_name(kind: str, slug: str) -> str:
    """The feed name of a collection or topic: ``collections/<slug>`` or ``topics/<slug>``.

    This is also what the embed widget's ``data-feed`` attribute takes.
    """
    if kind not in ("collection", "topic"):
        raise ValueError(f"no feeds for listings of kind {kind!r}")
    return f"{kind}s/{slug}"


def feed(name: str, fmt: str) -> str:
    """The file of feed ``name`` (``all``, ``collections/<slug>``, ``topics/<slug>``) in format ``fmt``."""
    return f"feeds/{name}{_FEED_SUFFIXES[fmt]}"


def embed_frame(name: str) -> str:
    """The page to put in an ``<iframe>`` that shows the latest papers of feed ``name``."""
    return f"embed/{name}.html"


# The static JSON API.  A lookup table is split into shards by the first two hex digits of
# the SHA-256 of its key, so a client (the extension, another site) fetches one small file
# whatever the size of the shelf: 256 shards keep each under ~20 KB up to ~50,000 papers.
API_INDEX = "api/index.json"
LOOKUP_KINDS = ("arxiv", "doi", "title")


API_PAPERS = "api/papers"  # the folder of the papers' records


def api_paper(slug: str) -> str:
    return f"{API_PAPERS}/{slug}.json"


def lookup_shard(key: str) -> str:
    """The shard a lookup key lives in: the first two hex digits of sha256(key as UTF-8)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:2]


def api_lookup(kind: str, key: str) -> str:
    """The shard file that maps ``key`` (an arXiv id, a DOI or a title key) to slugs."""
    if kind not in LOOKUP_KINDS:
        raise ValueError(f"unknown lookup kind {kind!r}")
    return f"api/lookup/{kind}/{lookup_shard(key)}.json"


def file_for(url: str) -> str:
    """The output file that serves ``url``."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def url_for(file: str) -> str:
    """The URL that ``file`` (relative to the output folder) is served at: the inverse of ``file_for``."""
    if file == "index.html" or file.endswith("/index.html"):
        return file[: -len("index.html")]
    return file


def root_from(url: str) -> str:
    """The relative path from the page at ``url`` back to the site root ("." at the root)."""
    depth = file_for(url).count("/")
    return posixpath.join(*([".."] * depth)) if depth else "."


def root_path(siteurl: str) -> str:
    """The path part of an absolute ``siteurl``, without a trailing slash: "/shelf", or ""
    for a site at the root of its host.

    Links within a published site start from it: shorter than ``siteurl`` on every link
    of every page, and right on any page of the site, the 404 page at any depth included.
    """
    return urlsplit(siteurl).path.rstrip("/")
