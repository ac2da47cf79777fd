"""What makes two records the same paper, and what a paper is called on disk and in URLs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container

from .model import Paper
from .text import fold, normalise_title

# New-style ids (0704.0001 onwards, 5 digits after the dot since 2015) and the old
# archive/number form; an optional version suffix is dropped for identity.
_ARXIV_NEW = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\w.])")
_ARXIV_OLD = re.compile(r"(?<![\w.])([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?![\w.])")
_ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    r"((?:\d{4}\.\d{4,5})|(?:[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$"
)

SLUG_MAX = 80
# Names Windows refuses as file names; a shelf must check out on every system.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "index"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def parse_arxiv_id(value: str) -> str:
    """Return the version-less arXiv id in ``value`` (an id, ``arXiv:`` form or URL), or ''."""
    value = value.strip()
    if not value:
        return ""
    if match := _ARXIV_URL.match(value):
        return match.group(1)
    value = re.sub(r"^arxiv:\s*", "", value, flags=re.IGNORECASE)
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        if match := pattern.fullmatch(value):
            return match.group(1)
    return ""


def arxiv_id_from_url(url: str) -> str:
    """The arXiv id of an arxiv.org or huggingface.co/papers URL, or ''."""
    if match := _ARXIV_URL.match(url.strip()):
        return match.group(1)
    hf = re.match(r"^https?://(?:www\.)?huggingface\.co/papers/(\d{4}\.\d{4,5})(?:v\d+)?/?(?:[?#].*)?$", url.strip())
    return hf.group(1) if hf else ""


def identity_keys(paper: Paper) -> tuple[str, ...]:
    """Keys under which a paper is known: its arXiv id first, then its normalised title.

    A record matches a stored paper when they share the arXiv id, or when they share the
    title and at most one of them has an arXiv id (two different ids are two papers).
    """
    keys = []
    if paper.arxiv_id:
        keys.append(f"arxiv:{paper.arxiv_id}")
    if title := normalise_title(paper.title):
        keys.append(f"title:{title}")
    return tuple(keys)


def slugify(title: str, max_length: int = SLUG_MAX) -> str:
    """A lowercase ASCII slug from ``title``: safe as a file name and as a URL path segment.

    Titles with no Latin letters at all (or none left) get a short stable hash instead.
    """
    ascii_title = unicodedata.normalize("NFKD", fold(title)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:max_length]
    if not slug:
        digest = hashlib.sha256(normalise_title(title).encode()).hexdigest()[:10]
        slug = f"paper-{digest}"
    if slug in _RESERVED:
        slug = f"{slug}-paper"
    return slug


def unique_slug(title: str, taken: Container[str]) -> str:
    """``slugify(title)``, suffixed ``-2``, ``-3``… until it is not in ``taken``."""
    base = slugify(title)
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def collection_slug(name: str) -> str:
    """The canonical form of a collection name: what ``--collection`` and the files store."""
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", fold(name)).encode("ascii", "ignore").decode())
    return "-".join(words)[:64].strip("-")


SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def is_valid_slug(slug: str) -> bool:
    """True for slugs this module could have made: no dots, slashes or other path tricks."""
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= SLUG_MAX + 8 and slug not in _RESERVED
