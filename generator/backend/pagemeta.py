"""A clipped page's raw metadata → the loose fields ``records.make_paper`` takes.

The extension's content script sends what it found on the page, unjudged::

    {"url": ..., "canonical": ..., "title": document.title, "arxiv_id": from the URL,
     "meta": {"citation_title": [...], "og:title": [...], ...},   # names lower-cased
     "jsonld": [<parsed JSON-LD blocks>], "abstract": <text of an abstract element>}

Here the sources are ranked, as Zotero's Embedded Metadata translator and Hypothesis'
HTMLMetadata do: site rules (arXiv and Hugging Face URLs give the arXiv id) first, then
Highwire ``citation_*`` tags, then a JSON-LD ScholarlyArticle, then Dublin Core, then
OpenGraph.  Optional fields a page gets wrong (a date such as "Spring 2024", a malformed
DOI) are dropped rather than refusing the clip; ``make_paper`` validates what is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..identity import arxiv_id_from_url, parse_arxiv_id
from ..records import ABSTRACT_MAX, AUTHORS_MAX, URL_MAX, make_paper
from .protocol import ApiError

META_NAMES_MAX = 500
META_NAME_MAX = 200  # characters in a name
META_VALUES_MAX = 2_000
JSONLD_BLOCKS_MAX = 32
JSONLD_NODES_MAX = 5_000
JSONLD_DEPTH_MAX = 12
TEXT_MAX = ABSTRACT_MAX
_PAGE_KEYS = {"url", "canonical", "title", "arxiv_id", "meta", "jsonld", "abstract"}
_ARTICLE_TYPES = {"scholarlyarticle", "article", "medicalscholarlyarticle", "report", "thesis", "chapter"}
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")
_PROBE_DAY = dt.date(2000, 1, 1)  # make_paper needs a day; _acceptable ignores it


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    canonical: str = ""
    title: str = ""
    arxiv_id: str = ""
    abstract: str = ""
    meta: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    jsonld: tuple[Any, ...] = ()

    def first(self, *names: str) -> str:
        """The first non-empty value of the first of ``names`` the page has."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value
        return ""

    def all(self, name: str) -> tuple[str, ...]:
        return tuple(v for v in self.meta.get(name, ()) if v.strip())


def parse_page(raw: object) -> Page:
    """Check the shape and the bounds of the ``page`` object of a clip; raise 400 if wrong."""
    if not isinstance(raw, dict):
        raise _bad("page must be an object")
    unknown = set(raw) - _PAGE_KEYS
    if unknown:
        raise _bad(f"page has unknown fields: {', '.join(sorted(unknown))[:200]}")
    url = _string(raw, "url", URL_MAX)
    if not url:
        raise _bad("page.url is required")
    if not _is_http(url):
        raise _bad("page.url must be an http(s) URL")
    meta = raw.get("meta", {})
    if not isinstance(meta, dict) or len(meta) > META_NAMES_MAX:
        raise _bad(f"page.meta must be an object of at most {META_NAMES_MAX} names")
    clean_meta: dict[str, tuple[str, ...]] = {}
    for name, values in meta.items():
        if len(name) > META_NAME_MAX:
            raise _bad(f"page.meta has a name longer than {META_NAME_MAX} characters")
        if not isinstance(values, list) or len(values) > META_VALUES_MAX:
            raise _bad(f"page.meta[{name[:40]!r}] must be a list of at most {META_VALUES_MAX} texts")
        if not all(isinstance(v, str) and len(v) <= TEXT_MAX for v in values):
            raise _bad(f"page.meta[{name[:40]!r}] must hold texts of at most {TEXT_MAX:,} characters")
        clean_meta[name.strip().lower()] = tuple(values)
    jsonld = raw.get("jsonld", [])
    if not isinstance(jsonld, list) or len(jsonld) > JSONLD_BLOCKS_MAX:
        raise _bad(f"page.jsonld must be a list of at most {JSONLD_BLOCKS_MAX} blocks")
    return Page(
        url=url,
        canonical=_string(raw, "canonical", URL_MAX),
        title=_string(raw, "title", TEXT_MAX),
        arxiv_id=_string(raw, "arxiv_id", 100),
        abstract=_string(raw, "abstract", TEXT_MAX),
        meta=clean_meta,
        jsonld=tuple(jsonld),
    )


def page_fields(page: Page) -> dict[str, object]:
    """The fields for ``make_paper``, best source first for each."""
    article = scholarly_article(page.jsonld)
    fields: dict[str, object] = {
        "title": _title(page, article),
        "abstract": page.first("citation_abstract")
        or _text(article.get("abstract"))
        or page.abstract
        or _text(article.get("description"))
        or page.first("dc.description", "dcterms.abstract", "og:description", "description", "twitter:description"),
        "arxiv_id": _arxiv_id(page),
    }
    authors = list(page.all("citation_author")) or _jsonld_authors(article) or list(page.all("dc.creator"))
    authors = [name for name in authors if _acceptable("authors", [name])][:AUTHORS_MAX]
    if authors:
        fields["authors"] = authors
    if published := _published(page, article):
        fields["published"] = published
    if doi := _doi(page, article):
        fields["doi"] = doi
    if venue := page.first("citation_journal_title", "citation_conference_title") or _venue(article):
        fields["venue"] = venue
    url = next((u for u in (page.canonical, page.url) if _is_http(u) and _acceptable("url", u)), "")
    if url and not _on_site(url, "arxiv.org"):
        fields["url"] = url  # an arXiv URL says nothing the arXiv id does not
    return fields


def _acceptable(key: str, value: object) -> bool:
    """Whether ``make_paper`` takes ``value`` for the optional field ``key``.

    Its own rules decide, so that a page's malformed optional field (a date such as
    2024-02-30, a DOI with a space, an author's name of a thousand characters) is dropped
    here instead of refusing the whole clip.
    """
    try:
        make_paper({"title": "t", "abstract": "a", key: value}, joined=_PROBE_DAY)
    except ValueError:
        return False
    return True


def source_label(page: Page) -> str:
    host = _host(page.url) or "a web page"
    return f"clipped from {host.removeprefix('www.')}"


def scholarly_article(blocks: tuple[Any, ...]) -> dict[str, Any]:
    """The first schema.org article-like object in the page's JSON-LD, or {}."""
    for node in _walk(blocks):
        types = node.get("@type")
        names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
        if any(isinstance(t, str) and t.rsplit("/", 1)[-1].lower() in _ARTICLE_TYPES for t in names):
            return node
    return {}


def _walk(blocks: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
    # Breadth-first with a node budget: JSON-LD nests @graph lists and objects freely,
    # and a hostile page could send a very deep or very wide structure.
    queue: list[tuple[Any, int]] = [(b, 0) for b in blocks]
    seen = 0
    while queue and seen < JSONLD_NODES_MAX:
        node, depth = queue.pop(0)
        seen += 1
        if depth > JSONLD_DEPTH_MAX:
            continue
        if isinstance(node, dict):
            yield node
            queue.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            queue.extend((v, depth + 1) for v in node if isinstance(v, dict | list))


def _title(page: Page, article: Mapping[str, Any]) -> str:
    title = (
        page.first("citation_title")
        or _text(article.get("headline"))
        or _text(article.get("name"))
        or page.first("dc.title", "og:title", "twitter:title")
        or page.title
    )
    if _on_site(page.url, "huggingface.co"):
        title = re.sub(r"^\s*Paper page\s*[-–—:]\s*", "", title)
    return title


def _arxiv_id(page: Page) -> str:
    for candidate in (page.arxiv_id, page.first("citation_arxiv_id")):
        if candidate and (found := parse_arxiv_id(candidate)):
            return found
    return arxiv_id_from_url(page.url) or arxiv_id_from_url(page.canonical)


def _jsonld_authors(article: Mapping[str, Any]) -> list[str]:
    raw = article.get("author") or article.get("creator") or []
    people = raw if isinstance(raw, list) else [raw]
    names = []
    for person in people[:1000]:
        if isinstance(person, str):
            names.append(person)
        elif isinstance(person, dict):
            name = _text(person.get("name")) or " ".join(
                _text(person.get(k)) for k in ("givenName", "familyName") if _text(person.get(k))
            )
            if name:
                names.append(name)
    return names


def _published(page: Page, article: Mapping[str, Any]) -> str:
    candidates = (
        page.first("citation_publication_date"),
        page.first("citation_date"),
        page.first("citation_online_date"),
        _text(article.get("datePublished")),
        page.first("dc.date", "dcterms.issued", "article:published_time"),
    )
    for raw in candidates:
        if raw and (match := _DATE.match(raw.strip())):
            year, month, day = match.group(1), match.group(2) or "1", match.group(3) or "1"
            published = f"{year}-{int(month):02d}-{int(day):02d}"
            if _acceptable("published", published):
                return published
    return ""


def _doi(page: Page, article: Mapping[str, Any]) -> str:
    identifiers = [page.first("citation_doi"), page.first("prism.doi")]
    identifiers += [v for v in page.all("dc.identifier") if "10." in v]
    for key in ("identifier", "sameAs", "url"):
        value = article.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                item = item.get("value") or item.get("@id") or item.get("url")
            if isinstance(item, str):
                identifiers.append(item)
    for raw in identifiers:
        if raw and (match := _DOI.search(raw)) and _acceptable("doi", doi := match.group(1).rstrip(".,;)")):
            return doi
    return ""


def _venue(article: Mapping[str, Any]) -> str:
    part = article.get("isPartOf")
    if isinstance(part, list):
        part = part[0] if part else None
    if isinstance(part, dict):
        return _text(part.get("name"))
    return _text(part)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value[:TEXT_MAX]
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0][:TEXT_MAX]
    if isinstance(value, dict):
        return _text(value.get("@value"))
    return ""


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # such as an unclosed IPv6 bracket
        return False


def _on_site(url: str, domain: str) -> bool:
    host = _host(url)
    return host == domain or host.endswith("." + domain)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _string(raw: Mapping[str, object], key: str, limit: int) -> str:
    value = raw.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(f"page.{key} must be text")
    if len(value) > limit:
        raise _bad(f"page.{key} is longer than {limit:,} characters")
    return value


def _bad(message: str) -> ApiError:
    return ApiError(400, "invalid", message)
