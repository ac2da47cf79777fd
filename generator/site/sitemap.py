"""``sitemap.xml`` and ``robots.txt``: every HTML page of the built site, with absolute URLs.

The pages of the page stage, and the day each one's content last changed, come from
the site model (``pagestage.page_days``), so that the sitemap is made while those pages
are still being written; every other writer's pages come from its manifest (each
``OutputWriter`` keeps one), so that a new kind of page is listed without any change
here, and the output folder is never walked (at 100,000 papers walking it took over a
second).  The ``lastmod`` of a page comes from the data it shows (``PageSpec.updated``,
or a Pelican page's date), never from the clock, so a rebuild of an unchanged shelf
writes byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import re
import zlib
from collections.abc import Iterable, Mapping
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from lxml import etree

from .. import urls
from ..atomic import TEMP_PREFIX
from .output import Manifest, OutputWriter, read_manifest_parts

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
_PLAIN_URL = re.compile(r"[A-Za-z0-9/_.~-]*")
_PLAIN_URLS = re.compile(r"[A-Za-z0-9/_.~\n-]*")  # _PLAIN_URL, one per line
MAX_URLS = 50_000  # per sitemap file, the protocol's limit; more go into a sitemap index
THEME_FOLDER = "theme"  # Pelican's THEME_STATIC_DIR: assets, never pages
_LOC, _LASTMOD = itemgetter(0), itemgetter(1)


class Entry(NamedTuple):
    # A tuple, not a dataclass: a sitemap of 100,000 pages makes as many, on every
    # build that adds a paper.
    loc: str  # absolute URL
    lastmod: dt.date | None = None


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
        made = read_manifest_parts(manifest)
        # A family of files other than pages (the API's records) is passed over whole.
        html = Manifest(made.files, {family: n for family, n in made.named.items() if family[1].endswith(".html")})
        found.update(
            relpath
            for relpath, _key in html.relpaths()
            if relpath.endswith(".html") and relpath != urls.NOT_FOUND and not relpath.startswith(THEME_FOLDER + "/")
        )
    return found


def entries(files: Iterable[str], siteurl: str, dates: Mapping[str, dt.date | None]) -> list[Entry]:
    """Sitemap entries for the output ``files``, in URL order (``dates`` by URL)."""
    return url_entries(file_urls(files), siteurl, dates)


def file_urls(files: Iterable[str]) -> list[str]:
    """``urls.url_for`` of each of ``files``."""
    files = list(files)
    # At 100,000 pages, mapping each file to its URL by a Python call cost a fifth of a
    # second; in the usual case (no line break in a file name) string operations on all
    # of them at once do the same.
    joined = "\n".join(files)
    if joined.count("\n") == len(files) - 1:
        return _urls_of_lines(joined).split("\n") if files else []
    return list(map(urls.url_for, files))


def url_entries(pages: Iterable[str], siteurl: str, dates: Mapping[str, dt.date | None]) -> list[Entry]:
    """Sitemap entries for the site-relative URLs ``pages``, in URL order."""
    pages = list(pages)
    locs = absolute_urls(siteurl, pages)
    if locs is not None:
        # The entries by tuple.__new__ from C rather than the NamedTuple's own __new__,
        # which is Python code.
        found = list(map(tuple.__new__, itertools.repeat(Entry), zip(locs, map(dates.get, pages), strict=True)))
    else:
        found = [Entry(absolute(siteurl, url), dates.get(url)) for url in pages]
    found.sort(key=itemgetter(0))
    return found


def absolute_urls(siteurl: str, pages: list[str]) -> list[str] | None:
    """``absolute`` of each of ``pages``, made by string operations on all of them at once;
    None unless that is the usual case (no line break in a URL, none that needs quoting)."""
    joined = "\n".join(pages)
    if joined.count("\n") != len(pages) - 1 or not _PLAIN_URLS.fullmatch(joined):
        return None
    return f"{siteurl}/{joined}".replace("\n", f"\n{siteurl}/").split("\n") if pages else []


def _urls_of_lines(joined: str) -> str:
    """``urls.url_for`` of each line of ``joined``: "index.html" taken off where it is a
    whole line or follows a "/" (str.replace, five times faster than a regex here)."""
    lines = f"\n{joined}\n".replace("/index.html\n", "/\n").replace("\nindex.html\n", "\n\n")
    return lines[1:-1]


def absolute(siteurl: str, url: str) -> str:
    # Almost every URL of the site needs no quoting; quote() costs more than the rest of
    # listing 100,000 pages.
    return f"{siteurl}/{url}" if _PLAIN_URL.fullmatch(url) else f"{siteurl}/{quote(url, safe='/')}"


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
    pointing to the parts of ``sitemap_parts``."""
    if len(items) <= MAX_URLS:
        return {urls.SITEMAP: urlset(items)}
    parts = sitemap_parts(items, siteurl)
    files = {name: urlset(chunk) for name, chunk in parts.items()}
    files[urls.SITEMAP] = sitemap_index(part_entries(parts, siteurl))
    return files


def write_sitemap(items: list[Entry], siteurl: str, out: OutputWriter, salt: str) -> int:
    """Write the sitemap files of ``items``, making only the parts whose pages changed;
    return how many files were made.

    A part is keyed by ``salt`` and its entries; ``sitemap.xml`` itself is made every
    time (and written only when its bytes changed).
    """
    if len(items) <= MAX_URLS:
        out.write(urls.SITEMAP, urlset(items))
        return 1
    parts = sitemap_parts(items, siteurl)
    made = 0
    for name, chunk in parts.items():
        key = part_key(salt, name, chunk)
        if not out.keep(name, key):
            out.write(name, urlset(chunk), key)
            made += 1
    out.write(urls.SITEMAP, sitemap_index(part_entries(parts, siteurl)))
    return made + 1


def part_key(salt: str, name: str, chunk: list[Entry]) -> str:
    """A part's input key: its name, its pages' URLs one per line, then their days one per
    line (joined in C: formatting a line per page cost a tenth of a second a build)."""
    digest = hashlib.blake2b(f"{salt}\n{name}\n".encode(), digest_size=16)
    digest.update("\n".join(map(_LOC, chunk)).encode("utf-8"))
    digest.update(b"\n\n")
    digest.update("\n".join(map(str, map(_LASTMOD, chunk))).encode("ascii"))
    return digest.hexdigest()


def sitemap_parts(items: list[Entry], siteurl: str) -> dict[str, list[Entry]]:
    """The pages split into sitemap files of at most ``MAX_URLS``, in a way that keeps most
    of them unchanged when pages are added.

    Pages go by section (``papers``, ``days``, …, and the top-level pages); a section of
    more than half ``MAX_URLS`` pages is spread over a power of two of buckets by a hash
    of each URL, so a new paper's page changes the one part it lands in, not every part
    after it as cutting a sorted list would.
    """
    prefix = len(siteurl) + 1
    sections: dict[str, list[Entry]] = {}
    for item in items:
        # section_of, inline: a call per page cost a fifth of the loop.
        head, slash, _rest = item.loc[prefix:].partition("/")
        sections.setdefault(head if slash else "pages", []).append(item)
    parts: dict[str, list[Entry]] = {}
    half = max(1, MAX_URLS // 2)
    for section, members in sorted(sections.items()):
        name = part_name(section)
        if len(members) <= half:
            parts[f"sitemap-{name}.xml"] = members
            continue
        count = bucket_count(len(members), half)
        buckets: list[list[Entry]] = [[] for _ in range(count)]
        for item in members:
            # bucket_of, inline, as section_of above.
            buckets[zlib.crc32(item.loc.encode("utf-8")) % count].append(item)
        for number, bucket in enumerate(buckets, start=1):
            # A hash is not a promise: a bucket past the limit is cut in order.
            for piece, start in enumerate(range(0, len(bucket), MAX_URLS)):
                suffix = f".{piece + 1}" if len(bucket) > MAX_URLS else ""
                parts[f"sitemap-{name}.{number}{suffix}.xml"] = bucket[start : start + MAX_URLS]
    return parts


def part_entries(parts: Mapping[str, list[Entry]], siteurl: str) -> list[Entry]:
    """The sitemap index's entries: each part, with the newest lastmod of its pages."""
    return [
        Entry(absolute(siteurl, name), max(filter(None, map(_LASTMOD, chunk)), default=None))
        for name, chunk in parts.items()
    ]


def bucket_count(pages: int, half: int) -> int:
    """How many parts a section of more than ``half`` pages is spread over: a power of two, so
    that the parts change only when the section doubles."""
    return 1 << (-(-pages // half) - 1).bit_length()


def bucket_of(loc: str, count: int) -> int:
    """Which of ``count`` buckets of its section the page at the absolute URL ``loc`` goes in."""
    return zlib.crc32(loc.encode("utf-8")) % count


def section_of(path: str) -> str:
    """The section of the sitemap a page's URL (less the site's) is in: its first folder, or
    "pages" for a page at the top."""
    head, slash, _rest = path.partition("/")
    return head if slash else "pages"


def part_name(section: str) -> str:
    # Sections are the site's own folder names; anything else is made safe for a file name.
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in section) or "pages"


def robots_txt(siteurl: str) -> str:
    # Crawlers read robots.txt only at a host's root: under a project site's sub-path it
    # is advisory, and the sitemap can be submitted to search engines by its URL instead.
    return f"User-agent: *\nDisallow:\n\nSitemap: {absolute(siteurl, urls.SITEMAP)}\n"


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
