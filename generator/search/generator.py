"""Search as a Pelican product: the index, topics and related papers, the static shards, the search page.

``IndexGenerator`` brings the Whoosh index up to date from the shelf as read; on a
rebuild it does so in a child process, beside the making of the site model, and the
child goes on to write the browser's index and the search page (the sitemap waits for
it).
``SearchGenerator`` puts topics into the model before any page is written, so topic,
paper and index pages show them, and writes the browser's index when no child process
is.  Related papers, shown on paper pages alone, are found by the page stage
(``related_papers``), beside the other writers.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any

from jinja2 import Environment
from pelican.generators import Generator

from .. import urls
from ..bulk import collector_paused
from ..forked import Forked, report, start_forked
from ..model import Paper
from ..pelican_plugin import BESIDE_KEY, CONFIG_KEY, INDEX_UPDATE_KEY, MODEL_KEY, SHELF_KEY
from ..progress import Progress
from ..settings import SiteConfig
from ..site.loader import Shelf
from ..site.model import Listing, SiteModel
from ..site.output import OutputWriter
from ..site.pages import PageSpec
from ..site.render import write_pages
from .export import DOCS, export_index, record_export
from .index import IndexUpdate, update_index
from .related import COLD_SHARE, update_related
from .schema import SCHEMA_VERSION
from .state import read_state
from .topics import check_topics, update_topics

logger = logging.getLogger(__name__)
EXPORT_KEY = "papershelf_search_export"  # the browser's index, when it is written in place
_SLUG = attrgetter("slug")


def index_dir(config: SiteConfig) -> Path:
    """Where the index of record lives: the build's cache folder."""
    return config.cache_path / "search"


class IndexGenerator(Generator):
    """Brings the Whoosh index in step with the shelf as read.

    The browser's index is made from the Whoosh index alone (no topic lists, no related
    papers).  On a rebuild that changed a few papers (as far as the shelf tells: few paper
    files read), one child process updates the index, reports the update (``index_update``
    waits for it, for the topics) and writes the browser's index, beside the making of
    the model, topics, related papers and the other writers.  After a rebuilt index, or a
    change to much of the shelf, the browser's index is written in place
    (``SearchGenerator.generate_output``), after the pages, so that the memory-hungry
    steps of such a build (related papers computed afresh, the page renderers) do not
    overlap it.
    """

    def generate_context(self) -> None:
        config: SiteConfig = self.settings[CONFIG_KEY]
        shelf: Shelf = self.context[SHELF_KEY]
        check_topics(config.topics)
        by_slug = dict(zip(map(_SLUG, shelf.papers), shelf.papers, strict=True))
        export = functools.partial(write_search_files, config, by_slug, self.env, shelf.hashes)
        if config.jobs > 1 and _few_read(config, shelf):
            step = functools.partial(_index_then_export, config, shelf, export)
            child = start_forked(step, "updating the search index")
            self.context[INDEX_UPDATE_KEY] = child
            self.context.setdefault(BESIDE_KEY, {})["search"] = child
            self.context[EXPORT_KEY] = export  # unless the child writes it (``index_update``)
            return
        update = _update_index(config, shelf)
        self.context[INDEX_UPDATE_KEY] = update
        if config.jobs > 1 and small_update(update, len(shelf.papers)):
            beside = self.context.setdefault(BESIDE_KEY, {})
            beside["search"] = start_forked(export, "writing the browser's search index")
        else:
            self.context[EXPORT_KEY] = export


def index_update(context: dict[str, Any]) -> IndexUpdate:
    """This build's search index update, once it is made (in a child process, on a rebuild)."""
    update = context[INDEX_UPDATE_KEY]
    if isinstance(update, Forked):
        update = context[INDEX_UPDATE_KEY] = update.early()
        if small_update(update, len(context[MODEL_KEY].papers)):
            del context[EXPORT_KEY]  # the child writes it
    return update


def _few_read(config: SiteConfig, shelf: Shelf) -> bool:
    """Whether the index is there, of this schema, and few enough paper files were read
    (new or changed since the paper cache had them) that its update is likely small."""
    return read_state(index_dir(config)).get("schema") == SCHEMA_VERSION and shelf.read <= COLD_SHARE * len(
        shelf.papers
    )


def _update_index(config: SiteConfig, shelf: Shelf) -> IndexUpdate:
    progress = Progress("search index", total=len(shelf.papers))
    # The paper cache keeps each paper's content hash.
    update = update_index(index_dir(config), shelf.papers, config.topics, progress.update, shelf.hashes)
    progress.done()
    logger.info("%s", update.summary())
    return update


def _index_then_export(config: SiteConfig, shelf: Shelf, export: Callable[[], None]) -> None:
    """In a child process: update the index, report the update, and write the browser's
    index too, unless the update turned out large (the build's process then does)."""
    update = _update_index(config, shelf)
    report(update)
    if small_update(update, len(shelf.papers)):
        export()


class SearchGenerator(Generator):
    """Puts topics into the site model; writes the browser's index, unless a child process is."""

    def generate_context(self) -> None:
        config: SiteConfig = self.settings[CONFIG_KEY]
        model: SiteModel = self.context[MODEL_KEY]
        update = index_update(self.context)
        started = time.monotonic()
        found = update_topics(
            index_dir(config), config.cache_path / "search-topics.marshal", config.topics, update, model.by_slug
        )
        topics = [
            Listing("topic", t.slug, t.name, model.in_order(found.members[t.slug]), t.query) for t in config.topics
        ]
        logger.info(
            "Evaluated %d topics in %.2f s (%d over the whole index)",
            len(topics),
            time.monotonic() - started,
            found.evaluated,
        )
        # Related papers are shown on paper pages alone: the page stage finds them
        # (``related_papers``), in its child process on a rebuild, from the index update on.
        with collector_paused():
            self.context[MODEL_KEY] = model.with_topics(topics)

    def generate_output(self, _writer: object) -> None:
        # Written beside the other writers, it is the sitemap's to wait for.
        export = self.context.pop(EXPORT_KEY, None)
        if export is not None:
            export()


def small_update(update: IndexUpdate, papers: int) -> bool:
    """Whether ``update`` changed few enough of ``papers`` papers that related papers are
    brought up to date rather than computed afresh (which holds every paper's word counts
    at once), so that the steps after it may run beside each other."""
    return not update.rebuilt and len(update.touched) <= COLD_SHARE * papers


def related_papers(config: SiteConfig, papers: Sequence[Paper], since: IndexUpdate) -> Mapping[str, tuple[str, ...]]:
    """Each paper's related papers (slug -> slugs), brought in step with the index update ``since``."""
    progress = Progress("related papers", total=None)
    related = update_related(
        index_dir(config),
        config.cache_path / "search-related.sqlite",
        papers,
        config.options.related_papers,
        progress.update,
        since=since,
    )
    progress.done()
    logger.info(
        "Related papers in %.2f s (%d signatures computed, %d lists recomputed)",
        related.seconds,
        related.computed,
        related.relisted,
    )
    return related.related


def write_search_files(
    config: SiteConfig, papers: Mapping[str, Paper], env: Environment, hashes: Mapping[str, str] | None = None
) -> None:
    """Write the browser's index of ``papers`` (by slug, with their content ``hashes``) and
    the search page that reads it."""
    out = OutputWriter(config.output_path, manifest=config.cache_path / "output-search.marshal", families=(DOCS,))
    started = time.monotonic()
    meta_path = _write_shards(config, papers, out, hashes)
    write_pages([PageSpec(urls.SEARCH, "search", {"meta_url": meta_path, "nav": "search"})], env, config, out)
    removed = out.finish()
    logger.info(
        "Wrote the browser's search index in %.2f s (%d files changed, %d unchanged, %d stale removed)",
        time.monotonic() - started,
        out.written,
        out.unchanged,
        removed,
    )


def _write_shards(
    config: SiteConfig, papers: Mapping[str, Paper], out: OutputWriter, hashes: Mapping[str, str] | None
) -> str:
    """Write the shards: only files whose bytes changed; the others are kept as they are."""
    topics = {t.slug: t.query for t in config.topics}
    state_file = config.cache_path / "search-export.marshal"
    export = export_index(
        index_dir(config), papers, topics, state_file=state_file, output=config.output_path, hashes=hashes
    )
    for path in export.kept:
        out.claim(path)
    folder, suffix = DOCS
    out.claim_each(folder, map(str, range(export.kept_docs)), suffix)
    for file in export.files:  # the meta file last: it names the others
        out.write(file.path, file.data)
    record_export(state_file, export)
    logger.info(
        "Search export %s: %d files to write, %d kept",
        "updated" if export.updated else "written afresh",
        len(export.files),
        len(export.kept) + export.kept_docs,
    )
    return export.meta_path
