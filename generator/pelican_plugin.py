"""Papershelf as a Pelican plugin: ``PLUGINS = ["generator.pelican_plugin"]``.

The receivers only wire things up; the work happens in plain functions (``site.*``)
that can be called and tested without Pelican.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import time
from pathlib import Path
from typing import Any, NamedTuple

from jinja2 import Environment, FileSystemBytecodeCache
from pelican import signals
from pelican.generators import Generator

from . import urls
from .bulk import collector_paused
from .errors import BuildError
from .feeds.embed import SCRIPT_SOURCE, embed_pages
from .feeds.items import feed_site
from .feeds.listings import feed_listings
from .feeds.write import write_feeds
from .forked import start_forked
from .model import Paper
from .progress import Progress
from .search.index import IndexUpdate
from .settings import SiteConfig, site_config
from .site import pagestage, stamp
from .site.api import PAPER_RECORDS, write_api
from .site.buildrecord import made_under
from .site.keys import code_digest, input_key
from .site.loader import PaperCache, Shelf, read_shelf
from .site.model import SiteModel, build_model
from .site.output import OutputWriter
from .site.pagestage import page_days, paper_days
from .site.paperparts import write_sitemap_with_papers
from .site.render import render_salt, theme_filters, theme_globals, write_pages
from .site.sitemap import file_urls, manifest_pages, robots_txt

logger = logging.getLogger(__name__)

# Where the validated settings travel: Pelican hands the same settings dict to every
# generator, so validating once at start-up and passing the result along is enough.
CONFIG_KEY = "PAPERSHELF_SITE_CONFIG"
MODEL_KEY = "papershelf"
SHELF_KEY = "papershelf_shelf"  # the papers as read (site.loader.Shelf), until the model is made of them
STAMPS_KEY = "PAPERSHELF_PAPER_STAMPS"
CACHE_KEY = "PAPERSHELF_PAPER_CACHE"  # the paper cache, as far as it was read while stamping
# What the search index update wrote (search.index.IndexUpdate), or the child process
# making it (``search.generator.index_update`` waits for it).
INDEX_UPDATE_KEY = "papershelf_index_update"
# {site-relative URL: day its content last changed} of Pelican's own pages: the sitemap
# gives those days as lastmod (the page stage's days come from the model).
PAGE_DATES_KEY = "papershelf_page_dates"
# Writers running in child processes beside the build's own, by what they write
# ({"pages": Forked, "search": Forked}): the sitemap, which lists their pages, waits for
# them (for the page stage, whose pages it knows from the model, only at the end).
BESIDE_KEY = "papershelf_beside"
SITEMAP_MANIFEST = "output-sitemap.marshal"
SITEMAP_RECORD = "sitemap-papers.marshal"  # what the paper pages' parts were made from (site.paperparts)
# Caches of earlier versions, replaced by others (the paper cache by its shards, related
# papers' pickle by their store, the search content hashes by the paper cache's rows, the
# search export's pickled state by a marshalled one):
# removed so the cache folder does not keep both.
OBSOLETE_CACHES = ("papers.marshal", "search-related.pickle", "search-hashes.marshal", "search-export.pickle")


def register() -> None:
    signals.initialized.connect(validate_settings)
    signals.generator_init.connect(add_theme_globals)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(record_clean_build)


class _WarningCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def validate_settings(pelican: object, **_kwargs: object) -> None:
    settings = pelican.settings  # type: ignore[attr-defined]
    settings[CONFIG_KEY] = site_config(settings)
    # A build that warned is never taken as clean: the next one must warn again.
    counter = _WarningCount()
    logging.getLogger().addHandler(counter)
    pelican._papershelf_warnings = counter  # type: ignore[attr-defined]


def add_theme_globals(generator: Generator, **_kwargs: object) -> None:
    config: SiteConfig = generator.settings[CONFIG_KEY]
    generator.env.globals.update(theme_globals(config, Path(generator.theme) / "static"))
    generator.env.filters.update(theme_filters())
    # Jinja compiles every template it loads from its source, in each process that renders
    # (the page stage's, the search export's, the build's own): on a rebuild that renders a
    # dozen pages, compiling cost more than rendering.  The compiled code is kept in the
    # cache, under a checksum of each template's source.
    with contextlib.suppress(OSError):
        folder = config.cache_path / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        generator.env.bytecode_cache = FileSystemBytecodeCache(str(folder))


def get_generators(pelican: object, **_kwargs: object) -> list[type[Generator]]:
    # Imported here: the search generators read this module's keys.
    from .search.generator import IndexGenerator, SearchGenerator

    settings = pelican.settings  # type: ignore[attr-defined]
    config: SiteConfig = settings[CONFIG_KEY]
    started = time.monotonic()
    stamping = functools.partial(_stamp_inputs, settings, config)
    cache = PaperCache(config.cache_path / "papers")
    if config.jobs > 1:
        # Stamping is a stat per file, and the paper cache is read whenever anything
        # changed: at 100,000 papers each takes over a second, so they run side by side,
        # the stamps in a child, the cache here (shard by shard, until the stamps are in).
        child = start_forked(stamping, "stamping the inputs")
        with collector_paused():
            while not child.done() and cache.read_next():
                pass
        stamped = child.result()
    else:
        stamped = stamping()
    if stamped.unchanged:
        # Nothing to make: no generator of Papershelf's runs, so the context has no model.
        logger.info("Nothing changed since the last build (checked in %.2f s)", time.monotonic() - started)
        return []
    stamp.forget(config.cache_path)
    for name in OBSOLETE_CACHES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(config.cache_path / name)
    pelican._papershelf_inputs = stamped.inputs  # type: ignore[attr-defined]
    settings[STAMPS_KEY] = stamped.papers
    settings[CACHE_KEY] = cache
    # Pelican runs every generator's generate_context, then every generate_output, in
    # this order.  The search index is updated from the shelf as read, before the model
    # is made of it; search then adds topics to the model, before any file is written.
    # The pages are the first writer (with the related papers they show), as they may
    # be written beside the others; the sitemap lists the pages the others wrote, so it
    # comes last.
    return [
        ShelfGenerator,
        IndexGenerator,
        ModelGenerator,
        PagesGenerator,
        SearchGenerator,
        ApiGenerator,
        FeedsGenerator,
        SitemapGenerator,
    ]


class _Stamped(NamedTuple):
    inputs: str  # stamp.input_stamp
    unchanged: bool  # the last clean build had these inputs and left the output as it is
    papers: stamp.PaperColumns | None  # the paper files' stamps, when they are needed


def _stamp_inputs(settings: dict[str, Any], config: SiteConfig) -> _Stamped:
    # The shelf generator reads the paper files by the stamps taken here (when the papers
    # folder is inside the content folder, as the stamp covers only that).
    found = stamp.stamps_with_papers([config.content_path, Path(settings["THEME"])], config.papers_path)
    inputs = stamp.input_stamp(settings, found)
    if stamp.unchanged(config.cache_path, inputs, config.output_path):
        return _Stamped(inputs, True, None)
    return _Stamped(inputs, False, found.papers)


def record_clean_build(pelican: object, **_kwargs: object) -> None:
    """After a build that made the site and logged no warning, note what it was made from."""
    counter: _WarningCount | None = getattr(pelican, "_papershelf_warnings", None)
    inputs: str | None = getattr(pelican, "_papershelf_inputs", None)
    if counter is not None:
        logging.getLogger().removeHandler(counter)
    if inputs is not None and counter is not None and counter.count == 0:
        config: SiteConfig = pelican.settings[CONFIG_KEY]  # type: ignore[attr-defined]
        stamp.record(config.cache_path, inputs, config.output_path)


class ShelfGenerator(Generator):
    """Reads the shelf: every paper, from its file or the paper cache."""

    def generate_context(self) -> None:
        config: SiteConfig = self.settings[CONFIG_KEY]
        started = time.monotonic()
        progress = Progress("papers read", total=None)
        columns: stamp.PaperColumns | None = self.settings.get(STAMPS_KEY)
        stamps = columns.stamps() if columns is not None else None
        with collector_paused():
            shelf = read_shelf(
                config.papers_path, config.cache_path / "papers", progress, stamps, self.settings.pop(CACHE_KEY, None)
            )
            progress.done()
        self.context[SHELF_KEY] = shelf
        for error in shelf.errors:
            logger.warning("Skipped a paper file: %s", error)
        logger.info(
            "Read %d papers in %.2f s (%d files parsed, the rest from the cache)",
            len(shelf.papers),
            time.monotonic() - started,
            shelf.read,
        )


class ModelGenerator(Generator):
    """Makes the site model of the shelf, which every writer writes its files from.

    After the search index is updated from the shelf, so that on a rebuild the browser's
    index is written in a child process while the model is made (``IndexGenerator``).
    """

    def generate_context(self) -> None:
        shelf: Shelf = self.context.pop(SHELF_KEY)
        with collector_paused():
            self.context[MODEL_KEY] = build_model(shelf.papers, shelf.digests)


class PagesGenerator(Generator):
    """Writes every paper, day, listing and index page of the site model (``ModelGenerator``),
    with the related papers each paper page shows (found first, from the search index).

    On a rebuild (the last build's record of its pages is there) with more than one core,
    the page stage runs in a child process beside the JSON API, the search export, the
    feeds and the sitemap, which write other files from the same model; the build waits
    for it at the end.  A cold build renders its pages on every core instead, here.
    """

    def generate_output(self, _writer: object) -> None:
        # Imported here: the search generator reads this module's keys.
        from .search.generator import index_update, small_update

        config: SiteConfig = self.settings[CONFIG_KEY]
        salt = render_salt(self.env, config)
        model: SiteModel = self.context[MODEL_KEY]
        update = index_update(self.context)
        # A rebuild (the last build's record of its pages is there, made under this salt).
        beside = config.jobs > 1 and made_under(config.cache_path / pagestage.STATE, salt)
        if beside and small_update(update, len(model.papers)):
            stage = functools.partial(_page_stage, model, update, self.env, config, salt)
        else:
            # Related papers computed afresh hold every paper's word counts at once: here,
            # before any other writer starts, not beside them.
            stage = functools.partial(_page_stage, _with_related(config, model, update), None, self.env, config, salt)
        if beside:
            self.context.setdefault(BESIDE_KEY, {})["pages"] = start_forked(stage, "writing the pages")
        else:
            stage()


def _page_stage(model: SiteModel, since: IndexUpdate | None, env: Environment, config: SiteConfig, salt: str) -> int:
    """The pages (``pagestage``), with their related papers brought in step with the index
    update ``since`` first, unless the model has them already (``since`` is None)."""
    if since is not None:
        model = _with_related(config, model, since)
    return pagestage.write_site_pages(model, env, config, salt)


def _with_related(config: SiteConfig, model: SiteModel, since: IndexUpdate) -> SiteModel:
    from .search.generator import related_papers

    related = related_papers(config, model.papers, since)
    with collector_paused():
        return model.with_related(related)


class ApiGenerator(Generator):
    """Writes the static JSON API (``site.api``) from the site model (``ModelGenerator``).

    It reads the model at output time, after every generator's ``generate_context``, so
    the topics that search adds to the model are in each paper's record.
    """

    def generate_output(self, _writer: object) -> None:
        config: SiteConfig = self.settings[CONFIG_KEY]
        out = OutputWriter(
            config.output_path, manifest=config.cache_path / "output-api.marshal", families=(PAPER_RECORDS,)
        )
        started = time.monotonic()
        write_api(self.context[MODEL_KEY], config.siteurl, out, config.jobs, config.cache_path / "api-state.marshal")
        removed = out.finish()
        logger.info(
            "Wrote the JSON API in %.2f s (%d changed, %d unchanged, %d kept by input key, %d stale removed)",
            time.monotonic() - started,
            out.written,
            out.unchanged,
            out.kept,
            removed,
        )


class FeedsGenerator(Generator):
    """Writes the Atom, RSS and JSON feeds of every listing, their OPML index and the embeds.

    It reads the site model in ``generate_output``, after every generator's
    ``generate_context`` ran, so the topics that search adds to the model have feeds too.
    """

    def generate_output(self, _writer: object) -> None:
        config: SiteConfig = self.settings[CONFIG_KEY]
        model = self.context[MODEL_KEY]
        started = time.monotonic()
        out = OutputWriter(config.output_path, manifest=config.cache_path / "output-feeds.marshal")
        listings = feed_listings(model, config)
        script = Path(self.theme).joinpath(*SCRIPT_SOURCE)
        if not script.is_file():
            raise BuildError(f"the theme has no embed widget at {script}; copy it from Papershelf's theme")
        widget = script.read_bytes()
        site = feed_site(config)
        # Each listing's feeds and embed page are keyed by what they carry (its papers'
        # digests and their topics), so a new paper makes only its listings' files; the
        # OPML and the embed index page by the listings' names and titles.  Both under a
        # salt of the templates, the settings, the feed settings and the widget.
        salt = input_key(render_salt(self.env, config), repr(site), widget)
        keys = {
            f.name: input_key(
                salt, f.name, f.title, f.description, f.page, f.label, [_feed_entry(model, p) for p in f.papers]
            )
            for f in listings
        }
        keys[urls.OPML] = keys[urls.EMBED] = input_key(
            salt, [(f.name, f.title, f.description, f.page, f.label) for f in listings]
        )
        files = write_feeds(listings, model, site, out, keys)
        pages = write_pages(embed_pages(listings, config, keys), self.env, config, out)
        out.write(urls.EMBED_SCRIPT, widget, keys[urls.OPML])
        removed = out.finish()
        logger.info(
            "Made %d feed files of %d listings and %d embed pages in %.2f s (%d changed, %d kept, %d stale removed)",
            files,
            len(listings),
            pages,
            time.monotonic() - started,
            out.written,
            out.kept,
            removed,
        )


def _feed_entry(model: SiteModel, paper: Paper) -> tuple[str, list[tuple[str, str]]]:
    """What a feed shows of a paper: its record and its topics."""
    return model.digest(paper), [(t.slug, t.name) for t in model.topics_of(paper.slug)]


class SitemapGenerator(Generator):
    """Writes sitemap.xml and robots.txt listing every HTML page in the output folder.

    Sitemaps need absolute URLs, so a local build (no SITEURL) writes neither, and removes
    those an earlier published build left behind.
    """

    def generate_context(self) -> None:
        dates: dict[str, dt.date] = self.context.setdefault(PAGE_DATES_KEY, {})
        # Pelican's own pages (About): their Date or Modified, when they have one.
        for page in self.context.get("pages", []):
            when = page.metadata.get("modified") or page.metadata.get("date")
            if when is not None:
                dates[page.url] = when.date()

    def generate_output(self, _writer: object) -> None:
        config: SiteConfig = self.settings[CONFIG_KEY]
        beside = self.context.pop(BESIDE_KEY, {})
        # The page stage's pages are known from the model: it may go on writing them while
        # the sitemap is made.  Every other writer's manifest is complete once it is done.
        pages_stage = beside.pop("pages", None)
        for child in beside.values():
            child.result()
        out = OutputWriter(config.output_path, manifest=config.cache_path / SITEMAP_MANIFEST)
        if config.siteurl:
            started = time.monotonic()
            model: SiteModel = self.context[MODEL_KEY]
            with collector_paused():
                # The paper pages apart from the others: on a large shelf their parts of
                # the sitemap are brought up to date from a record (``site.paperparts``).
                days = page_days(model, config, papers=False)
                others = sorted(
                    p
                    for p in config.cache_path.glob("output-*.marshal")
                    if p.name not in {SITEMAP_MANIFEST, pagestage.MANIFEST}
                )
                # Pelican's own pages, with their days (``generate_context``).
                files = manifest_pages(others) | {page.save_as for page in self.context.get("pages", [])}
                dates = {**days, **self.context[PAGE_DATES_KEY]}
                made, listed = write_sitemap_with_papers(
                    days.keys() | file_urls(files),
                    dates,
                    paper_days(model),
                    config.siteurl,
                    out,
                    input_key(code_digest(), config.siteurl),
                    config.cache_path / SITEMAP_RECORD,
                )
            out.write(urls.ROBOTS, robots_txt(config.siteurl))
            logger.info(
                "Listed %d pages in %s in %.2f s (%d files made)",
                listed,
                urls.SITEMAP,
                time.monotonic() - started,
                made,
            )
        if pages_stage is not None:
            pages_stage.result()
        out.finish()
