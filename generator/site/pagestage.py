"""The page stage of a build: every page of the site model, written or carried over.

Paper pages whose inputs did not change since the last build are carried over without
computing their keys (``pagestate``); every other page is rendered only when its input
key changed (``render``).  Which pages there are, and the day each one's content last
changed, follows from the model alone (``page_days``): the sitemap lists them from
there while the stage may still be writing them, in a child process beside the build's
other writers.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from jinja2 import Environment

from .. import urls
from ..progress import Progress
from ..settings import SiteConfig
from .model import SiteModel
from .output import OutputWriter
from .pages import all_pages, paper_page_day, shelf_pages
from .pagestate import page_changes, page_state, read_page_state, unchanged_papers, write_page_state
from .render import write_pages

logger = logging.getLogger(__name__)
MANIFEST = "output-pages.marshal"
STATE = "pages-state.marshal"
# The paper pages, papers/<slug>/index.html: recorded by slug (``OutputWriter.families``).
PAPER_PAGES = (urls.PAPERS, "/" + urls.file_for(""))


def write_site_pages(model: SiteModel, env: Environment, config: SiteConfig, salt: str) -> int:
    """Write the site's pages (``page_days`` lists them); return how many there are.

    The record of the pages of the last build (``site.pagestate``), if it was made
    under the same ``salt``, says which paper pages' inputs did not change since then:
    those are carried over without computing their keys.  It is read here, so that a
    stage running in a child process reads it there.
    """
    out = OutputWriter(config.output_path, manifest=config.cache_path / MANIFEST, families=(PAPER_PAGES,))
    progress = Progress("pages rendered", total=None)
    started = time.monotonic()
    last = read_page_state(config.cache_path / STATE, salt)
    state = page_state(model)
    changes = page_changes(state, last) if last else None
    unchanged = unchanged_papers(state, last, changes)
    folder, suffix = PAPER_PAGES
    carried = unchanged - out.carry_each(folder, unchanged, suffix)
    pages = len(carried) + write_pages(all_pages(model, config, carried), env, config, out, progress)
    removed = out.finish()
    if state != last:
        write_page_state(config.cache_path / STATE, salt, state, last, changes)
    progress.done()
    logger.info(
        "Wrote %d pages in %.2f s (%d rewritten, %d rendered unchanged, %d kept by input key, %d stale removed)",
        pages,
        time.monotonic() - started,
        out.written,
        out.unchanged,
        out.kept,
        removed,
    )
    return pages


def page_days(model: SiteModel, config: SiteConfig, *, papers: bool = True) -> dict[str, dt.date | None]:
    """Every page ``write_site_pages`` writes, by URL (less the 404 page), with the day its
    content last changed: the sitemap's pages and their lastmod.  Without ``papers``, every
    page but the papers' own (``paper_days`` has theirs).

    Known from the model without writing a page, so that the sitemap is made while the
    pages are being written (in a child process, on a rebuild) rather than after them.
    """
    days: dict[str, dt.date | None] = {}
    if papers:
        days.update(zip(urls.papers(model.by_slug), paper_days(model).values(), strict=True))
    days.update((spec.url, spec.updated) for spec in shelf_pages(model, config))
    days.pop(urls.NOT_FOUND, None)
    return days


def paper_days(model: SiteModel) -> dict[str, dt.date]:
    """Each paper's slug, with the day its page last changed (``urls.paper`` gives the page)."""
    return dict(zip(model.by_slug, map(paper_page_day, model.by_slug.values()), strict=True))
