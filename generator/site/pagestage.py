"""The page stage of a build: every page of the site model, written or carried over.

Paper pages whose inputs did not change since the last build are carried over without
computing their keys (``pagestate``); every other page is rendered only when its input
key changed (``render``).  The stage returns the day each page it rendered last changed,
which the sitemap gives as ``lastmod``: it may run in a child process beside the build's
other writers, so it hands them back rather than adding them to a shared dict.
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
from .pages import all_pages
from .pagestate import page_state, read_page_state, unchanged_papers, write_page_state
from .render import write_pages
from .sitemap import remember_dates

logger = logging.getLogger(__name__)
MANIFEST = "output-pages.marshal"
STATE = "pages-state.marshal"


def write_site_pages(model: SiteModel, env: Environment, config: SiteConfig, salt: str) -> dict[str, dt.date]:
    """Write the site's pages; return the day the content of each page it rendered last
    changed (for the sitemap, which reads a carried paper page's day from the model).

    The record of the pages of the last build (``site.pagestate``), if it was made
    under the same ``salt``, says which paper pages' inputs did not change since then:
    those are carried over without computing their keys.  It is read here, so that a
    stage running in a child process reads it there.
    """
    out = OutputWriter(config.output_path, manifest=config.cache_path / MANIFEST)
    progress = Progress("pages rendered", total=None)
    dates: dict[str, dt.date] = {}
    started = time.monotonic()
    last = read_page_state(config.cache_path / STATE, salt)
    state = page_state(model)
    unchanged = unchanged_papers(state, last)
    # A carried page's day is its paper's, which the sitemap reads from the model.
    carried = unchanged - out.carry_each(urls.PAPERS, unchanged, "/" + urls.file_for(""))
    specs = remember_dates(all_pages(model, config, carried), dates)
    pages = len(carried) + write_pages(specs, env, config, out, progress)
    removed = out.finish()
    if state != last:
        write_page_state(config.cache_path / STATE, salt, state)
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
    return dates
