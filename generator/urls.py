"""The site's URL scheme, in one place.

Every function returns a path relative to the site root, with no leading slash, ending
in "/" for pages (served from ``<path>index.html``).  Templates join them to ``SITEURL``,
which is a relative prefix ("../..") for local builds and an absolute URL when publishing.
"""

from __future__ import annotations

import datetime as dt
import posixpath

INDEX = ""
ARCHIVES = "archives/"
COLLECTIONS = "collections/"
TOPICS = "topics/"
SEARCH = "search/"
NOT_FOUND = "404.html"


def paper(slug: str) -> str:
    return f"papers/{slug}/"


def day(date: dt.date, page: int = 1) -> str:
    return f"days/{date.isoformat()}/" + (f"{page}/" if page > 1 else "")


def collection(slug: str, page: int | None = None) -> str:
    return f"collections/{slug}/" + (f"page/{page}/" if page else "")


def topic(slug: str, page: int | None = None) -> str:
    return f"topics/{slug}/" + (f"page/{page}/" if page else "")


def file_for(url: str) -> str:
    """The output file that serves ``url``."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def root_from(url: str) -> str:
    """The relative path from the page at ``url`` back to the site root ("." at the root)."""
    depth = file_for(url).count("/")
    return posixpath.join(*([".."] * depth)) if depth else "."
