"""Papershelf's settings, read once from Pelican's settings and validated.

Pelican settings files stay plain modules of constants.  Papershelf reads:

- ``TOPICS``: ``{"Topic name": "whoosh query", ...}`` — saved searches with their own pages;
- ``PAPERSHELF``: a dict of the options below; an unknown key or a wrong type is an error,
  not a warning, so a typo never silently falls back to a default;
- ``PAPERSHELF_JOBS``: how many processes render pages on a large build (default: the cores).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .identity import collection_slug


@dataclass(frozen=True, slots=True)
class Options:
    """The ``PAPERSHELF`` dict of pelicanconf.py, with its defaults."""

    papers_dir: str = "papers"  # under Pelican's PATH
    front_page_papers: int = 50  # latest papers on the front page
    day_page_size: int = 200  # papers per page of a day
    listing_page_size: int = 50  # papers per page of a collection or topic
    feed_max_items: int = 50  # latest papers in each feed
    summary_chars: int = 280  # abstract excerpt in listings
    related_papers: int = 5
    description: str = "Research papers, collected and shared."
    github_url: str = ""  # shown in the footer when set
    domain: str = ""  # custom domain for GitHub Pages (written to CNAME)


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    slug: str
    query: str


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything the build needs to know about the site, validated."""

    sitename: str
    siteurl: str  # "" for local builds (relative links), or an absolute URL without a trailing slash
    relative_urls: bool
    content_path: Path
    output_path: Path
    cache_path: Path
    timezone: str
    options: Options
    topics: tuple[Topic, ...]
    # Processes that render pages on a cold build (PAPERSHELF_JOBS; the cores available).
    # How the site is made, never what it says: page keys leave it out.
    jobs: int = 1

    @property
    def papers_path(self) -> Path:
        return self.content_path / self.options.papers_dir


def site_config(settings: Mapping[str, Any]) -> SiteConfig:
    """Validate Pelican's ``settings`` into a ``SiteConfig``; raise ``ConfigError`` on any problem."""
    options = _options(settings.get("PAPERSHELF", {}))
    siteurl = str(settings.get("SITEURL") or "").rstrip("/")
    relative = bool(settings.get("RELATIVE_URLS"))
    if siteurl and not siteurl.startswith(("http://", "https://")):
        raise ConfigError(
            f"SITEURL must be an absolute http(s) URL such as https://user.github.io/shelf, not {siteurl!r}"
        )
    if not relative and not siteurl:
        raise ConfigError(
            "SITEURL is empty while RELATIVE_URLS is off: set SITEURL (publishconf.py) or RELATIVE_URLS = True"
        )
    jinja = settings.get("JINJA_ENVIRONMENT", {})
    if not jinja.get("autoescape"):
        # Titles and abstracts come from the web; every template relies on escaping.
        raise ConfigError('JINJA_ENVIRONMENT must set "autoescape": True (paper text is untrusted)')
    jobs = settings.get("PAPERSHELF_JOBS") or _cores()
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ConfigError(f"PAPERSHELF_JOBS must be a whole number of processes, at least 1, not {jobs!r}")
    return SiteConfig(
        sitename=str(settings.get("SITENAME") or "Papershelf"),
        siteurl=siteurl,
        relative_urls=relative,
        content_path=Path(settings["PATH"]),
        output_path=Path(settings["OUTPUT_PATH"]),
        cache_path=Path(settings.get("CACHE_PATH") or "cache"),
        timezone=str(settings.get("TIMEZONE") or "UTC"),
        options=options,
        topics=_topics(settings.get("TOPICS", {})),
        jobs=jobs,
    )


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _options(raw: object) -> Options:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"PAPERSHELF must be a dict, not {type(raw).__name__}")
    known = {f.name: f for f in fields(Options)}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"PAPERSHELF: unknown key {key!r}; known keys: {', '.join(sorted(known))}")
        expected = type(known[key].default)
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            raise ConfigError(f"PAPERSHELF[{key!r}] must be {expected.__name__}, not {type(value).__name__}")
        if expected is int and value < 1:
            raise ConfigError(f"PAPERSHELF[{key!r}] must be at least 1, not {value}")
    return Options(**raw)


def _topics(raw: object) -> tuple[Topic, ...]:
    if not isinstance(raw, Mapping):
        raise ConfigError(
            'TOPICS must be a dict of name → query, such as {"Diffusion": "diffusion OR denoising"}, '
            f"not {type(raw).__name__}"
        )
    topics = []
    seen: dict[str, str] = {}
    for name, query in raw.items():
        if not isinstance(name, str) or not isinstance(query, str) or not name.strip() or not query.strip():
            raise ConfigError(f"TOPICS: {name!r}: both the name and the query must be non-empty text")
        slug = collection_slug(name)
        if not slug:
            raise ConfigError(f"TOPICS: {name!r} has no letters or digits to make a URL from")
        if slug in seen:
            raise ConfigError(f"TOPICS: {name!r} and {seen[slug]!r} would share the URL topics/{slug}/")
        seen[slug] = name
        topics.append(Topic(name.strip(), slug, query.strip()))
    return tuple(topics)
