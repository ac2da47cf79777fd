"""The site's static JSON API: one file per paper, and sharded lookup tables.

``api/papers/<slug>.json`` holds a paper's record as the site shows it (with its topics),
less its abstract, which the paper's page holds (``page``): at 100,000 papers a second
copy of every abstract would cost ~150 MB of the 1 GB a GitHub Pages site may have.
``api/lookup/<kind>/<shard>.json`` maps lookup keys to slugs, for three kinds of key:
``arxiv`` (version-less id), ``doi`` (lower case) and ``title`` (``title_key``).  A client
computes the shard from the key (``urls.lookup_shard``) and fetches that one file, so a
lookup costs one small request however large the shelf grows.  ``api/index.json`` says
all this to a client that finds the site cold.

The browser extension computes the same keys in ``extension/lookup-keys.js``; a browser
test holds the two implementations to the same answers.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from .. import urls
from ..model import Paper
from . import parallel
from .keys import code_digest, input_key
from .model import SiteModel
from .output import OutputWriter

API_VERSION = 2  # 2: a paper record no longer repeats the abstract
LOOKUP_PREFIX = "api/lookup/"  # every file of urls.api_lookup
_WORD = re.compile(r"[a-z0-9]+")


def title_key(title: str) -> str:
    """A title as a static lookup key: accents and marks dropped, lower case, ASCII words.

    Coarser than ``text.normalise_title`` on purpose: it has to be computed the same way
    in JavaScript, and ``[a-z0-9]`` after NFKD is what both languages agree on exactly.
    """
    decomposed = unicodedata.normalize("NFKD", title)
    stripped = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return " ".join(_WORD.findall(stripped.lower()))


def lookup_keys(paper: Paper) -> Iterator[tuple[str, str]]:
    """The ``(kind, key)`` pairs under which ``paper`` can be looked up."""
    if paper.arxiv_id:
        yield "arxiv", paper.arxiv_id
    if paper.doi:
        yield "doi", paper.doi.lower()
    if key := title_key(paper.title):
        yield "title", key


def paper_record(paper: Paper, model: SiteModel, siteurl: str) -> dict[str, Any]:
    """What ``api/papers/<slug>.json`` says about a paper."""
    page = urls.paper(paper.slug)
    return {
        "api": API_VERSION,
        "slug": paper.slug,
        "page": page,
        "page_url": f"{siteurl}/{page}" if siteurl else "",
        "title": paper.title,
        "date": paper.date.isoformat(),
        "published": paper.published.isoformat() if paper.published else None,
        "authors": list(paper.authors),
        "collections": list(paper.collections),
        "topics": [{"slug": t.slug, "name": t.name} for t in model.topics_of(paper.slug)],
        "arxiv_id": paper.arxiv_id or None,
        "doi": paper.doi or None,
        "url": paper.url or None,
        "venue": paper.venue or None,
        "upvotes": paper.upvotes,
        "code": list(paper.code),
        "links": list(paper.links),
    }


def lookup_shards(papers: tuple[Paper, ...]) -> dict[str, dict[str, list[str]]]:
    """Every shard file of the lookup tables: relative path -> {key: [slugs]}."""
    shards: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for paper in papers:
        for kind, key in lookup_keys(paper):
            shards[urls.api_lookup(kind, key)].setdefault(key, []).append(paper.slug)
    return {path: {key: sorted(slugs) for key, slugs in sorted(table.items())} for path, table in shards.items()}


def index_record(model: SiteModel) -> dict[str, Any]:
    return {
        "api": API_VERSION,
        "papers": len(model.papers),
        "paper": "api/papers/{slug}.json",
        "lookup": "api/lookup/{kind}/{shard}.json",
        "lookup_kinds": list(urls.LOOKUP_KINDS),
        "shard": "the first two hex digits of the SHA-256 of the key (UTF-8)",
        "keys": {
            "arxiv": "the arXiv id without its version, such as 2210.05714",
            "doi": "the DOI in lower case, such as 10.1145/3292500.3330701",
            "title": "NFKD, marks removed, lower case, the runs of [a-z0-9] joined by one space",
        },
    }


def write_api(model: SiteModel, siteurl: str, out: OutputWriter, jobs: int = 1) -> None:
    """Write the static API through ``out``, making only the files whose input changed.

    A paper's file is keyed by its record's digest and its topics; the lookup tables,
    which change together, by the digests of the whole shelf.  Many files to make (a cold
    build) are made in ``jobs`` processes.
    """
    salt = input_key(code_digest(), API_VERSION, siteurl)
    out.write(urls.API_INDEX, _json(index_record(model)))
    relpaths: list[str] = []
    todo: list[parallel.Job] = []
    for paper in model.papers:
        path = urls.api_paper(paper.slug)
        topics = [(t.slug, t.name) for t in model.topics_of(paper.slug)]
        key = input_key(salt, model.digest(paper), topics)
        if not out.keep(path, key):
            relpaths.append(path)
            todo.append((out.target(path, key), functools.partial(_record_json, paper, model, siteurl)))
    for path, changed in zip(relpaths, parallel.make_files(todo, jobs), strict=True):
        out.record(path, changed)
    shelf_key = input_key(salt, "lookup", tuple(model.digest(p) for p in model.papers))
    if not out.keep_all(shelf_key, LOOKUP_PREFIX):
        for path, table in sorted(lookup_shards(model.papers).items()):
            out.write(path, _json(table), shelf_key)


def _record_json(paper: Paper, model: SiteModel, siteurl: str) -> bytes:
    return _json(paper_record(paper, model, siteurl))


def _json(value: object) -> bytes:
    # Stable bytes for equal input, so an unchanged paper's file is left alone on rebuild.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
