"""The sitemap of a large shelf, with the parts of its paper pages made again only where papers changed.

On a large shelf the paper pages are nearly all of the sitemap, spread over a power of
two of parts by a hash of each page's URL (``sitemap.sitemap_parts``).  Listing every
paper's page, sorting 100,000 URLs, bucketing and keying them took most of a second of
each rebuild.  Instead a record in the cache keeps each paper's day (and each part's
newest day, for the sitemap index): a rebuild compares the shelf's papers with it and
makes only the parts that a new, changed or removed paper falls in; the others are
carried over.  The files are those ``sitemap.write_sitemap`` makes of the same pages,
byte for byte: without a record every part is made, the same way.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zlib
from collections.abc import Mapping, Set
from operator import add, eq, floordiv, itemgetter, mod, mul
from pathlib import Path

from .. import urls
from ..mappings import changed_keys
from . import sitemap
from .buildrecord import forget_record, read_record, write_record
from .keys import input_key
from .output import OutputWriter
from .sitemap import Entry

_VERSION = 1
_SECTION = urls.PAPERS  # the paper pages' folder, and so their section of the sitemap
_LOC = itemgetter(0)
# A paper's place in the record: its page's day (ordinal) times this, plus its part's number.
_SPREAD = 1 << 20


def write_sitemap_with_papers(
    pages: Set[str],
    dates: Mapping[str, dt.date | None],
    papers: Mapping[str, dt.date],
    siteurl: str,
    out: OutputWriter,
    salt: str,
    record: Path,
) -> tuple[int, int]:
    """``sitemap.write_sitemap`` of the site-relative URLs ``pages`` (``dates``: the day each
    last changed) and of the page of each of ``papers`` (slug -> that day); (files made,
    pages listed).  ``record`` (in the cache) keeps what the paper pages' parts were made from."""
    half = max(1, sitemap.MAX_URLS // 2)
    inside = f"{_SECTION}/"
    if (
        len(papers) > half
        and len(pages) + len(papers) > sitemap.MAX_URLS
        and not any(p.startswith(inside) for p in pages)
    ):
        items = sitemap.url_entries(pages, siteurl, dates)
        made = _paper_parts(papers, siteurl, out, salt, record)
        if made is not None:
            return _write_others(items, made, siteurl, out, salt), len(items) + len(papers)
    # A small shelf (one part for its paper pages, or one sitemap), or a part past the
    # limit (cut in URL order): every page listed together.
    forget_record(record)
    paper_pages = urls.papers(papers)
    every = sitemap.url_entries(
        pages | set(paper_pages), siteurl, {**dict(zip(paper_pages, papers.values(), strict=True)), **dates}
    )
    return sitemap.write_sitemap(every, siteurl, out, salt), len(every)


def _write_others(
    items: list[Entry], papers: tuple[int, list[tuple[str, dt.date]]], siteurl: str, out: OutputWriter, salt: str
) -> int:
    """Write the parts of ``items`` (every page but the papers') and the sitemap index of
    them and of the paper pages' parts (``papers``: files made, [(part, newest day)])."""
    made, paper_parts = papers
    parts = sitemap.sitemap_parts(items, siteurl)
    for name, chunk in parts.items():
        key = sitemap.part_key(salt, name, chunk)
        if not out.keep(name, key):
            out.write(name, sitemap.urlset(chunk), key)
            made += 1
    # The index lists parts by their section, as sitemap_parts orders them; the paper
    # pages' parts in their order, where their section falls.
    prefix = len(siteurl) + 1
    index = [
        (sitemap.section_of(chunk[0].loc[prefix:]), entry)
        for chunk, entry in zip(parts.values(), sitemap.part_entries(parts, siteurl), strict=True)
    ]
    index += [(_SECTION, Entry(sitemap.absolute(siteurl, name), day)) for name, day in paper_parts]
    index.sort(key=_LOC)  # stable: each section's parts stay in their order
    out.write(urls.SITEMAP, sitemap.sitemap_index([entry for _section, entry in index]))
    return made + 1


def _paper_parts(
    papers: Mapping[str, dt.date], siteurl: str, out: OutputWriter, salt: str, record: Path
) -> tuple[int, list[tuple[str, dt.date]]] | None:
    """Write the paper pages' parts that changed since the record; (files made, [(part,
    newest day)] of each part).  None, with nothing written, when a part would pass the limit."""
    count = sitemap.bucket_count(len(papers), max(1, sitemap.MAX_URLS // 2))
    names = [f"sitemap-{sitemap.part_name(_SECTION)}.{number}.xml" for number in range(1, count + 1)]
    now = dict(zip(papers, map(dt.date.toordinal, papers.values()), strict=True))
    key = input_key(salt, "paper parts", siteurl, count)
    last = read_record(record, _VERSION, key, 2)
    if last is None:
        # Every page's part, from a hash of its URL.
        slugs = list(now)
        # sitemap.bucket_of of every page, mapped in C.
        buckets = map(mod, map(zlib.crc32, map(str.encode, _locations(siteurl, slugs))), itertools.repeat(count))
        placed = dict(zip(slugs, map(add, map(mul, now.values(), itertools.repeat(_SPREAD)), buckets), strict=True))
        newest: dict[str, int] = {}
        affected = set(range(count))
        touched: set[str] = set(placed)
    else:
        # The record places each paper (its day and its part, in one number); only papers
        # new, changed or gone since then are placed again.
        before, newest = last.mappings
        days = dict(zip(before, map(floordiv, before.values(), itertools.repeat(_SPREAD)), strict=True))
        touched = changed_keys(now, days) | (days.keys() - now.keys())
        placed = dict(before)
        affected = set()
        for slug in touched:
            if slug in now:
                bucket = sitemap.bucket_of(_location(siteurl, slug), count)
                placed[slug] = now[slug] * _SPREAD + bucket
                affected.add(bucket)
            else:
                affected.add(placed.pop(slug) % _SPREAD)
    chunks: dict[int, list[Entry]] = {}
    for number, name in enumerate(names):
        # A part carried over is the one the last build made, if its file is still there.
        if number not in affected and name in newest and out.previous_key(name) and out.present(name):
            continue
        spread = map(mod, placed.values(), itertools.repeat(_SPREAD))
        members = list(itertools.compress(placed, map(eq, spread, itertools.repeat(number))))
        if len(members) > sitemap.MAX_URLS:
            return None
        pairs = sorted(zip(_locations(siteurl, members), map(papers.__getitem__, members), strict=True), key=_LOC)
        chunks[number] = list(map(tuple.__new__, itertools.repeat(Entry), pairs))
    remade = {names[number] for number in chunks}
    for name in names:
        if name not in remade and name in newest:
            out.carry(name)
    # A build that stops half-way leaves the record of the build before; the parts it
    # wrote are made again by the next, as their writer's manifest no longer vouches for
    # them (``OutputWriter.last``).
    newest_days = {name: day for name, day in newest.items() if name in names and name not in remade}
    made = 0
    for number, chunk in chunks.items():
        name = names[number]
        if not chunk:
            continue
        part = sitemap.part_key(salt, name, chunk)
        if not out.keep(name, part):
            out.write(name, sitemap.urlset(chunk), part)
            made += 1
        newest_days[name] = max(entry.lastmod for entry in chunk).toordinal()
    write_record(record, _VERSION, key, (placed, newest_days), since=last, touched=(touched, set(newest) | remade))
    return made, [(name, dt.date.fromordinal(newest_days[name])) for name in names if name in newest_days]


def _location(siteurl: str, slug: str) -> str:
    return sitemap.absolute(siteurl, urls.paper(slug))


def _locations(siteurl: str, slugs: list[str]) -> list[str]:
    """``_location`` of each of ``slugs``, by string operations on all of them at once."""
    paths = urls.papers(slugs)
    found = sitemap.absolute_urls(siteurl, paths)
    return found if found is not None else [sitemap.absolute(siteurl, path) for path in paths]
