"""Which paper pages cannot have changed since the last build, found without computing their keys.

A paper page shows its record, its topics and its related papers (their titles).  Its
input key (``pages.paper_pages``) is a digest of all of that, and computing it means
looking up five related papers' titles for each of 100,000 papers: about a second,
spent on every rebuild, mostly waiting on memory.  Instead, each build records what
every paper page shows by reference: the digest of each paper's record, each paper's
related papers (slugs) and each topic's papers (slugs).  A page whose paper, related
papers, topics and related papers' records are all unchanged since the last build shows
the same thing, so it is carried over by the key the last build gave it
(``OutputWriter.carry_each``).

The record is kept as the model holds it, so that comparing it with the last build's is
a few set operations on whole mappings rather than a loop over 100,000 papers.  It is
written after the pages (and their manifest), under the salt of the templates and
settings: a build that stopped half-way leaves the record of the build before, against
which the pages it did not finish still count as changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..mappings import changed_keys
from .buildrecord import Record, read_record, write_record
from .model import SiteModel

_VERSION = 3  # 3: written whole or as changes (buildrecord); 2: mappings of the model


@dataclass(frozen=True)
class PageState:
    """What each paper page showed, by reference."""

    digests: Mapping[str, str] = field(default_factory=dict)  # slug -> record digest
    related: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # slug -> related slugs
    topics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # topic slug -> paper slugs
    # The record this state was read from, so that the next is written as changes to it.
    record: Record | None = field(default=None, compare=False, repr=False)

    def __bool__(self) -> bool:
        return bool(self.digests)


@dataclass(frozen=True)
class PageChanges:
    """The papers whose entries differ between two states."""

    edited: set[str]  # record digest changed, or the paper joined or left the shelf
    relisted: set[str]  # related papers changed, or the paper joined or left the shelf


def page_state(model: SiteModel) -> PageState:
    """This build's record."""
    return PageState(model.digests, model.related, {t.slug: model.topic_members[t.slug] for t in model.topics})


def page_changes(state: PageState, last: PageState) -> PageChanges:
    """What differs between this build's ``state`` and the ``last`` one recorded."""
    # Whole mappings compared in C: 100,000 entries without a Python loop.
    edited = changed_keys(state.digests, last.digests) | (last.digests.keys() - state.digests.keys())
    relisted = changed_keys(state.related, last.related) | (last.related.keys() - state.related.keys())
    return PageChanges(edited, relisted)


def unchanged_papers(state: PageState, last: PageState, changes: PageChanges | None = None) -> set[str]:
    """The papers whose pages show what they showed when ``last`` was recorded.

    ``state`` is this build's ``page_state(model)``; ``changes`` its ``page_changes``, if
    they were found already.
    """
    if not last:
        return set()
    related = state.related
    found = changes or page_changes(state, last)
    edited = found.edited
    changed = edited | found.relisted
    for topic in state.topics.keys() | last.topics.keys():
        changed |= set(state.topics.get(topic, ())).symmetric_difference(last.topics.get(topic, ()))
    if retold := edited & last.digests.keys():
        # A page shows its related papers' titles: any change to their records counts.  (A
        # paper new to the shelf was on no page yet: the pages that list it now have new
        # related lists, found above, so adding papers costs no pass over every page.)
        changed |= {slug for slug, shown in related.items() if not retold.isdisjoint(shown)}
    return state.digests.keys() - changed


def read_page_state(path: Path, salt: str) -> PageState:
    """The last build's record, if it was made under the same ``salt``."""
    found = read_record(path, _VERSION, salt, 3)
    return PageState(*found.mappings, record=found) if found else PageState()


def write_page_state(
    path: Path, salt: str, state: PageState, last: PageState | None = None, changes: PageChanges | None = None
) -> None:
    """Record ``state``; as its changes from ``last`` (as read), when ``changes`` says what they are."""
    mappings = (state.digests, state.related, state.topics)
    if last is None or last.record is None or changes is None:
        write_record(path, _VERSION, salt, mappings)
        return
    touched = (changes.edited, changes.relisted, None)
    write_record(path, _VERSION, salt, mappings, since=last.record, touched=touched)
