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
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import urls
from ..mappings import changed_keys
from ..model import Paper
from . import parallel
from .buildrecord import Record, read_record, write_record
from .keys import code_digest, input_key
from .model import SiteModel
from .output import OutputWriter

API_VERSION = 2  # 2: a paper record no longer repeats the abstract
_STATE_VERSION = 4  # 4: written whole or as changes (buildrecord); 3: lookup shards, not keys
_WORD = re.compile(r"[a-z0-9]+")
# The papers' records, api/papers/<slug>.json: recorded by slug (``OutputWriter.families``).
PAPER_RECORDS = (urls.API_PAPERS, ".json")
ShardKeys = tuple[tuple[str, str], ...]  # (shard file, key) of each key a paper is looked up by


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
    return _tables({p.slug: shard_keys(p) for p in papers})


def shard_keys(paper: Paper) -> ShardKeys:
    """``(shard file, key)`` of each key ``paper`` can be looked up by."""
    return tuple((urls.api_lookup(kind, key), key) for kind, key in lookup_keys(paper))


def _tables(keys: Mapping[str, ShardKeys], wanted: set[str] | None = None) -> dict[str, dict[str, list[str]]]:
    """The tables of the shards in ``wanted`` (every shard when None) from each slug's ``shard_keys``."""
    tables: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for slug, pairs in keys.items():
        for shard, key in pairs:
            if wanted is None or shard in wanted:
                tables[shard].setdefault(key, []).append(slug)
    return {shard: {key: sorted(slugs) for key, slugs in sorted(table.items())} for shard, table in tables.items()}


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


@dataclass(frozen=True)
class ApiState:
    """What the API's files were last made from, kept as the model holds it so that a
    rebuild compares whole mappings (set operations) instead of looping over the papers."""

    digests: Mapping[str, str] = field(default_factory=dict)  # slug -> record digest
    topics: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # slug -> (name, papers)
    # slug -> the lookup shards its keys are in.  Not the keys themselves: at 100,000
    # papers they made the record three times larger and slower to load and write; a
    # shard's keys are in the shard's file, which a rebuild patches.
    shards: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The record this state was read from, so that the next is written as changes to it.
    record: Record | None = field(default=None, compare=False, repr=False)


def write_api(model: SiteModel, siteurl: str, out: OutputWriter, jobs: int = 1, state_file: Path | None = None) -> None:
    """Write the static API through ``out``, making only the files whose input changed.

    A paper's file is keyed by its record's digest and its topics; a lookup shard by its
    table.  ``state_file`` remembers what each paper's files were made from (its digest,
    topics and lookup shards), so that a rebuild computes keys only for papers that
    changed and rewrites only the shards their keys fall in.  Many files to make (a cold
    build) are made in ``jobs`` processes.
    """
    salt = input_key(code_digest(), API_VERSION, siteurl)
    last = _read_state(state_file, salt)
    out.write(urls.API_INDEX, _json(index_record(model)))
    digests = model.digests
    topics = {t.slug: (t.name, model.topic_members[t.slug]) for t in model.topics}
    edited = changed_keys(digests, last.digests)
    removed = last.digests.keys() - digests.keys()
    retopiced: set[str] = set()
    for topic in topics.keys() | last.topics.keys():
        name, slugs = topics.get(topic, ("", ()))
        before, slugs_before = last.topics.get(topic, ("", ()))
        retopiced |= set(slugs).symmetric_difference(slugs_before) if name == before else {*slugs, *slugs_before}
    unchanged = digests.keys() - edited - retopiced
    folder, suffix = PAPER_RECORDS
    check = model.in_order((digests.keys() - unchanged) | out.carry_each(folder, unchanged, suffix))
    relpaths: list[str] = []
    todo: list[parallel.Job] = []
    for paper in check:
        path = urls.api_paper(paper.slug)
        key = input_key(salt, model.digest(paper), tuple((t.slug, t.name) for t in model.topics_of(paper.slug)))
        if not out.keep(path, key):
            relpaths.append(path)
            todo.append((out.target(path, key), functools.partial(_record_json, paper, model, siteurl)))
    for path, changed in zip(relpaths, parallel.make_files(todo, jobs), strict=True):
        out.record(path, changed)
    shards = _write_lookup(model, last, edited, removed, salt, out)
    state = ApiState(digests, topics, shards)
    if state_file is not None and state != last:
        _write_state(state_file, salt, state, last, edited | removed)


def _write_lookup(
    model: SiteModel, last: ApiState, edited: set[str], removed: set[str], salt: str, out: OutputWriter
) -> dict[str, tuple[str, ...]]:
    """Write the lookup shards whose tables changed, keep the rest; return each paper's shards.

    With the last build's record, only the edited papers' keys are computed, and each
    shard they leave or join is patched from its file, which must be what the last build
    wrote there (its input key says so).  Without a record, or for a shard whose file
    cannot be patched, every paper's keys are computed.
    """
    if not last.digests:
        every = _every_paper_keys(model)
        _write_tables(_tables(every), salt, out)
        return {slug: _shards_of(pairs) for slug, pairs in every.items()}
    shards = dict(last.shards)
    before = set().union(*shards.values())
    touched: set[str] = set()
    for slug in removed | edited:
        touched.update(shards.pop(slug, ()))
    joining: dict[str, list[tuple[str, str]]] = defaultdict(list)  # shard -> [(key, slug)]
    for slug in edited:
        pairs = shard_keys(model.by_slug[slug])
        shards[slug] = _shards_of(pairs)
        for shard, key in pairs:
            joining[shard].append((key, slug))
    touched |= joining.keys()
    tables: dict[str, dict[str, list[str]]] = {}
    missing = {shard for shard in set().union(*shards.values()) - touched if not out.carry(shard)}
    gone = removed | edited  # taken out of every table they may be in, then put back where they are now
    for shard in touched:
        table = _previous_table(shard, salt, out) if shard in before else {}
        if table is None:
            missing.add(shard)
            continue
        table = {key: [slug for slug in slugs if slug not in gone] for key, slugs in table.items()}
        for key, slug in joining.get(shard, ()):
            table.setdefault(key, []).append(slug)
        tables[shard] = table
    if missing:
        tables.update(_tables(_every_paper_keys(model), missing))
    _write_tables(tables, salt, out)
    return shards


def _every_paper_keys(model: SiteModel) -> dict[str, ShardKeys]:
    """Every paper's ``shard_keys``: what a table made from nothing needs."""
    return {slug: shard_keys(model.by_slug[slug]) for slug in model.digests}


def _write_tables(tables: Mapping[str, Mapping[str, list[str]]], salt: str, out: OutputWriter) -> None:
    """Write each shard's table (keys and slugs sorted), less the keys no paper has any more."""
    for shard, found in sorted(tables.items()):
        table = {key: sorted(slugs) for key, slugs in sorted(found.items()) if slugs}
        if table:
            out.write(shard, _json(table), input_key(salt, "lookup", shard, table))


def _previous_table(shard: str, salt: str, out: OutputWriter) -> dict[str, list[str]] | None:
    """The table the last build wrote to ``shard``, read back; None if the file is not that."""
    data = out.previous_bytes(shard)
    try:
        table = json.loads(data) if data is not None else None
    except ValueError:
        return None
    if not isinstance(table, dict) or input_key(salt, "lookup", shard, table) != out.previous_key(shard):
        return None
    return table


def _read_state(path: Path | None, salt: str) -> ApiState:
    found = read_record(path, _STATE_VERSION, salt, 3) if path is not None else None
    return ApiState(*found.mappings, record=found) if found else ApiState()


def _write_state(path: Path, salt: str, state: ApiState, last: ApiState, papers: set[str]) -> None:
    """Record ``state``: as its changes from ``last`` (as read), which are in the entries of
    ``papers`` (edited, added or removed) and in the topics."""
    mappings = (state.digests, state.topics, state.shards)
    write_record(path, _STATE_VERSION, salt, mappings, since=last.record, touched=(papers, None, papers))


def _shards_of(pairs: ShardKeys) -> tuple[str, ...]:
    # Interned: one string object per shard, which marshal writes once and refers to after
    # (the record's shards, read back, share their strings in the same way).
    return tuple(sys.intern(shard) for shard, _key in pairs)


def _record_json(paper: Paper, model: SiteModel, siteurl: str) -> bytes:
    return _json(paper_record(paper, model, siteurl))


def _json(value: object) -> bytes:
    # Stable bytes for equal input, so an unchanged paper's file is left alone on rebuild.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
