"""Rendering page specs with the theme's Jinja2 templates and writing them out.

A page with an input key is rendered only when its key, salted with everything else that
shapes every page (the templates, the site's settings, Papershelf's own code), differs
from the last build's.  When many pages have to be rendered (a cold build), they are
shared among worker processes, one per core (``parallel``).
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, Template

from .. import urls
from ..progress import Progress
from ..settings import SiteConfig
from ..text import truncate
from . import parallel
from .keys import code_digest, input_key
from .output import OutputWriter
from .pages import PageSpec
from .parallel import Job


def page_globals(config: SiteConfig, url: str) -> dict[str, Any]:
    """What every page's template sees, besides its own context.

    ``SITEURL`` prefixes links within the site: a relative path for local builds, the
    site's root path ("/shelf", "" at a domain's root) when publishing.  A link the
    reader takes elsewhere (a feed's address for a reader, the canonical URL) is made
    from ``SITE_ADDRESS``, which is absolute whenever the site has an address.
    """
    local = config.relative_urls or not config.siteurl
    return {
        "SITEURL": urls.root_from(url) if local else urls.root_path(config.siteurl),
        "SITE_ADDRESS": config.siteurl or urls.root_from(url),
        "page_url": url,
        "canonical_url": f"{config.siteurl}/{url}" if config.siteurl else "",
    }


def write_pages(
    specs: Iterable[PageSpec],
    env: Environment,
    config: SiteConfig,
    writer: OutputWriter,
    progress: Progress | None = None,
) -> int:
    """Write every page, rendering those whose input changed; return how many pages there are.

    ``progress`` counts the pages rendered, against how many have to be.
    """
    salt = render_salt(env, config)
    templates = _Templates(env)
    relpaths: list[str] = []
    todo: list[Job] = []
    count = 0
    for spec in specs:
        relpath = urls.file_for(spec.url)
        count += 1
        # The salt's first 64 bits are plenty to tell one build's salt from the last one's,
        # and a concatenation costs nothing beside hashing 100,000 keys again.
        own = spec.input_key()
        key = salt[:16] + own if own else ""
        if not writer.keep(relpath, key):
            relpaths.append(relpath)
            todo.append((writer.target(relpath, key), functools.partial(_render, templates, config, spec)))
    if progress is not None:
        progress.total = len(todo)
    changed = parallel.make_files(todo, config.jobs, progress.update if progress else lambda _n: None)
    for relpath, was_changed in zip(relpaths, changed, strict=True):
        writer.record(relpath, was_changed)
    return count


class _Templates:
    """The templates by name, looked up once (Jinja would check each one's file on every use)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.loaded: dict[str, Template] = {}

    def get(self, name: str) -> Template:
        template = self.loaded.get(name)
        if template is None:
            template = self.loaded[name] = self.env.get_template(name + ".html")
        return template


def _render(templates: _Templates, config: SiteConfig, spec: PageSpec) -> bytes:
    template = templates.get(spec.template)
    return template.render({**page_globals(config, spec.url), **spec.variables()}).encode("utf-8")


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
