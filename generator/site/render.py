"""Rendering page specs with the theme's Jinja2 templates and writing them out."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, Template

from .. import urls
from ..settings import SiteConfig
from ..text import truncate
from .output import OutputWriter
from .pages import PageSpec


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
    """Render and write every page; return how many were rendered."""
    templates: dict[str, Template] = {}
    count = 0
    for spec in specs:
        template = templates.get(spec.template)
        if template is None:
            template = templates[spec.template] = env.get_template(spec.template + ".html")
        html = template.render({**page_globals(config, spec.url), **spec.context})
        writer.write(urls.file_for(spec.url), html)
        count += 1
        if count % 1000 == 0:
            progress(count)
    return count


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
