"""Rendering page specs with the theme's Jinja2 templates and writing them out.

A page with an input key is rendered only when its key, salted with everything else that
shapes every page (the templates, the site's settings, Papershelf's own code), differs
from the last build's.  When many pages have to be rendered (a cold build), they are
shared among forked worker processes, one per core: rendering is pure Python, so threads
would not help, and forking shares the site model without pickling it.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, Template

from .. import urls
from ..atomic import write_if_changed
from ..settings import SiteConfig
from ..text import truncate
from .keys import code_digest, input_key
from .output import OutputWriter
from .pages import PageSpec

# Below this many pages to render, forking costs more than it saves.
PARALLEL_MIN_PAGES = 2000


def page_globals(config: SiteConfig, url: str) -> dict[str, Any]:
    """What every page's template sees, besides its own context."""
    return {
        "SITEURL": urls.root_from(url) if config.relative_urls or not config.siteurl else config.siteurl,
        "page_url": url,
        "canonical_url": f"{config.siteurl}/{url}" if config.siteurl else "",
    }


def write_pages(
    specs: Iterable[PageSpec],
    env: Environment,
    config: SiteConfig,
    writer: OutputWriter,
    progress: Callable[[int], None] = lambda _n: None,
) -> int:
    """Write every page, rendering those whose input changed; return how many pages there are."""
    salt = render_salt(env, config)
    relpaths: list[str] = []
    todo: list[tuple[str, PageSpec]] = []  # (file, spec) of the pages to render
    count = 0
    for spec in specs:
        relpath = urls.file_for(spec.url)
        key = input_key(salt, spec.template, spec.url, spec.key) if spec.key else ""
        count += 1
        if not writer.keep(relpath, key):
            relpaths.append(relpath)
            todo.append((writer.target(relpath, key), spec))
    jobs = min(config.jobs, len(todo) // (PARALLEL_MIN_PAGES // 2) or 1)
    changed = _render_shared(todo, env, config, jobs, progress) if jobs > 1 else _render(todo, env, config, progress)
    for relpath, was_changed in zip(relpaths, changed, strict=True):
        writer.record(relpath, was_changed)
    return count


def _render(
    todo: list[tuple[str, PageSpec]],
    env: Environment,
    config: SiteConfig,
    progress: Callable[[int], None] = lambda _n: None,
    scale: int = 1,
) -> list[bool]:
    """Render and write ``todo``; for each page, whether its bytes on disk changed."""
    templates: dict[str, Template] = {}
    changed = []
    for n, (target, spec) in enumerate(todo, start=1):
        template = templates.get(spec.template)
        if template is None:
            template = templates[spec.template] = env.get_template(spec.template + ".html")
        html = template.render({**page_globals(config, spec.url), **spec.variables()})
        changed.append(write_if_changed(Path(target), html.encode("utf-8")))
        if n % 500 == 0:
            progress(n * scale)
    return changed


# What forked workers render: set just before the fork, read by the children.
_SHARED: tuple[list[tuple[str, PageSpec]], Environment, SiteConfig, int] | None = None


def _render_share(index: int) -> list[bool]:
    assert _SHARED is not None  # set by _render_shared before the fork
    todo, env, config, jobs = _SHARED
    return _render(todo[index::jobs], env, config)


def _render_shared(
    todo: list[tuple[str, PageSpec]],
    env: Environment,
    config: SiteConfig,
    jobs: int,
    progress: Callable[[int], None],
) -> list[bool]:
    """``_render`` over ``jobs`` processes: this one and ``jobs - 1`` forked children.

    Page *i* goes to process *i* mod ``jobs``; every page's file is its own, so the
    processes never write the same file, and the result is the same as rendering in order.
    """
    global _SHARED
    _SHARED = (todo, env, config, jobs)
    try:
        with multiprocessing.get_context("fork").Pool(jobs - 1) as pool:
            others = pool.map_async(_render_share, range(1, jobs))
            mine = _render(todo[0::jobs], env, config, progress, scale=jobs)
            shares = [mine, *others.get()]
    finally:
        _SHARED = None
    changed = [False] * len(todo)
    for index, share in enumerate(shares):
        changed[index::jobs] = share
    return changed


def render_salt(env: Environment, config: SiteConfig) -> str:
    """A digest of everything besides a page's own input that shapes its bytes."""
    loader = env.loader
    sources = []
    if loader is not None:
        for name in sorted(loader.list_templates()):
            source, _filename, _uptodate = loader.get_source(env, name)
            sources.append((name, source))
    plain = sorted((k, v) for k, v in env.globals.items() if isinstance(v, str | int | float | bool))
    site = (config.sitename, config.siteurl, config.relative_urls, config.options, config.topics)
    return input_key(code_digest(), sources, plain, repr(site))


def theme_globals(config: SiteConfig, theme_static: Path) -> dict[str, Any]:
    """Jinja globals and filters every template needs, Pelican's own pages included."""
    return {
        "SITENAME": config.sitename,
        "urls": urls,
        "options": config.options,
        "topics_enabled": bool(config.topics),
        "asset_version": asset_version(theme_static),
    }


def theme_filters() -> Mapping[str, Callable[..., Any]]:
    return {
        "longdate": lambda d: f"{d.day} {d.strftime('%B %Y')}",
        "truncate_words": truncate,
    }


def asset_version(folder: Path) -> str:
    """A short hash of the theme's static files, appended to their URLs to bust caches."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root, name)
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]
