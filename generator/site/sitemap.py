"""``sitemap.xml`` and ``robots.txt``: every HTML page of the built site, with absolute URLs.

The list of pages comes from the manifests every ``OutputWriter`` of the build keeps (and
Pelican's own pages), after every other product has written its pages, so a new kind of
page is listed without any change here, and the output folder is never walked (at
100,000 papers walking it took over a second).  The ``lastmod`` of a page comes from the data it shows
(``PageSpec.updated``, or a Pelican page's date), never from the clock, so a rebuild of an
unchanged shelf writes byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from .. import urls
from ..atomic import TEMP_PREFIX
from .output import read_manifest
from .pages import PageSpec

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # per sitemap file, the protocol's limit; more go into a sitemap index
THEME_FOLDER = "theme"  # Pelican's THEME_STATIC_DIR: assets, never pages


@dataclass(frozen=True, slots=True)
class Entry:
    loc: str  # absolute URL
    lastmod: dt.date | None = None


def remember_dates(specs: Iterable[PageSpec], dates: dict[str, dt.date]) -> Iterator[PageSpec]:
    """Pass ``specs`` through unchanged, noting each page's ``updated`` day in ``dates``."""
    for spec in specs:
        if spec.updated is not None:
            dates[spec.url] = spec.updated
        yield spec


def page_files(output: Path) -> list[str]:
    """Every HTML page under ``output`` (relative "/"-separated paths, sorted), less the 404 page."""
    found = []
    for root, dirs, names in os.walk(output):
        relroot = Path(root).relative_to(output).as_posix()
        if relroot == ".":
            dirs[:] = [d for d in dirs if d != THEME_FOLDER]
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.endswith(".html") and not name.startswith((".", TEMP_PREFIX)):
                found.append(name if relroot == "." else f"{relroot}/{name}")
    return sorted(f for f in found if f != urls.NOT_FOUND)


def manifest_pages(manifests: Iterable[Path]) -> set[str]:
    """The HTML pages, less the 404 page and theme assets, that writers' ``manifests`` list."""
    found: set[str] = set()
    for manifest in manifests:
        found.update(
            relpath
            for relpath in read_manifest(manifest)
            if relpath.endswith(".html") and relpath != urls.NOT_FOUND and not relpath.startswith(THEME_FOLDER + "/")
        )
    return found


def entries(files: Iterable[str], siteurl: str, dates: Mapping[str, dt.date]) -> list[Entry]:
    """Sitemap entries for the output ``files``, in URL order."""
    found = []
    for file in files:
        url = urls.url_for(file)
        found.append(Entry(absolute(siteurl, url), dates.get(url)))
    return sorted(found, key=lambda e: e.loc)


def absolute(siteurl: str, url: str) -> str:
    return f"{siteurl}/{quote(url, safe='/')}"


def urlset(items: Iterable[Entry]) -> bytes:
    root = etree.Element(f"{{{NAMESPACE}}}urlset", nsmap={None: NAMESPACE})
    for item in items:
        url = etree.SubElement(root, f"{{{NAMESPACE}}}url")
        etree.SubElement(url, f"{{{NAMESPACE}}}loc").text = item.loc
        if item.lastmod is not None:
            etree.SubElement(url, f"{{{NAMESPACE}}}lastmod").text = item.lastmod.isoformat()
    return _serialise(root)


def sitemap_index(items: Iterable[Entry]) -> bytes:
    root = etree.Element(f"{{{NAMESPACE}}}sitemapindex", nsmap={None: NAMESPACE})
    for item in items:
        sitemap = etree.SubElement(root, f"{{{NAMESPACE}}}sitemap")
        etree.SubElement(sitemap, f"{{{NAMESPACE}}}loc").text = item.loc
        if item.lastmod is not None:
            etree.SubElement(sitemap, f"{{{NAMESPACE}}}lastmod").text = item.lastmod.isoformat()
    return _serialise(root)


def sitemap_files(items: list[Entry], siteurl: str) -> dict[str, bytes]:
    """``{file: bytes}``: one ``sitemap.xml``, or with more than ``MAX_URLS`` pages an index
    pointing to ``sitemap-1.xml``, ``sitemap-2.xml``, …"""
    if len(items) <= MAX_URLS:
        return {urls.SITEMAP: urlset(items)}
    files: dict[str, bytes] = {}
    parts = []
    for number, start in enumerate(range(0, len(items), MAX_URLS), start=1):
        chunk = items[start : start + MAX_URLS]
        name = f"sitemap-{number}.xml"
        files[name] = urlset(chunk)
        parts.append(Entry(absolute(siteurl, name), max((e.lastmod for e in chunk if e.lastmod), default=None)))
    files[urls.SITEMAP] = sitemap_index(parts)
    return files


def robots_txt(siteurl: str) -> str:
    # Crawlers read robots.txt only at a host's root: under a project site's sub-path it
    # is advisory, and the sitemap can be submitted to search engines by its URL instead.
    return f"User-agent: *\nDisallow:\n\nSitemap: {absolute(siteurl, urls.SITEMAP)}\n"


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
