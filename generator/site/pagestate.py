"""Which paper pages cannot have changed since the last build, found without computing their keys.

A paper page shows its record, its topics and its related papers (their titles).  Its
input key (``pages.paper_pages``) is a digest of all of that, and computing it means
looking up five related papers' titles for each of 100,000 papers: about a second,
spent on every rebuild, mostly waiting on memory.  Instead, each build records, per
paper, the digest of its record and a *fingerprint* of which topics and related papers
it shows (their slugs only, cheap to hash).  A page whose paper, fingerprint and
related papers' records are all unchanged since the last build shows the same thing,
so it is carried over by the key the last build gave it (``OutputWriter.carry``).

The record is written after the pages (and their manifest), under the salt of the
templates and settings: a build that stopped half-way leaves the record of the build
before, against which the pages it did not finish still count as changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from collections.abc import Mapping
from pathlib import Path

from ..atomic import write_atomic
from .model import SiteModel

_VERSION = 1

PageState = dict[str, tuple[bytes, str]]  # slug -> (fingerprint, record digest)


def page_state(model: SiteModel) -> PageState:
    """This build's record: each paper's fingerprint and digest."""
    related, digests = model.related, model.digests
    topics: dict[str, str] = {}
    for topic in model.topics:
        for paper in topic.papers:
            topics[paper.slug] = topics.get(paper.slug, "") + topic.slug + "\x1f"
    blake2b = hashlib.blake2b
    state: PageState = {}
    for slug, digest in digests.items():
        shown = topics.get(slug, "") + "\x1e" + "\x1f".join(related.get(slug, ()))
        state[slug] = (blake2b(shown.encode("utf-8"), digest_size=12).digest(), digest)
    return state


def unchanged_papers(model: SiteModel, state: PageState, last: Mapping[str, tuple[bytes, str]]) -> set[str]:
    """The papers whose pages show what they showed when ``last`` was recorded.

    ``state`` is this build's ``page_state(model)``.
    """
    if not last:
        return set()
    same = {slug for slug, entry in state.items() if last.get(slug) == entry}
    changed = {slug for slug, (_fp, digest) in state.items() if last.get(slug, (b"", ""))[1] != digest}
    changed |= last.keys() - state.keys()
    if not changed:
        return same
    # A page shows its related papers' titles: any change to their records counts.
    related = model.related
    return {slug for slug in same if changed.isdisjoint(related.get(slug, ()))}


def read_page_state(path: Path, salt: str) -> dict[str, tuple[bytes, str]]:
    """The last build's record, if it was made under the same ``salt``."""
    try:
        version, recorded, state = marshal.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 -- no record, or an unreadable one: every page is keyed
        return {}
    return state if version == _VERSION and recorded == salt and isinstance(state, dict) else {}


def write_page_state(path: Path, salt: str, state: PageState) -> None:
    with contextlib.suppress(OSError):
        write_atomic(path, marshal.dumps((_VERSION, salt, state)), durable=False)
