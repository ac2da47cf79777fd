"""The API's endpoints.  Each takes the backend's dependencies and a request that has
passed the guards, and returns a ``Response`` or raises ``ApiError``."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import urls
from ..errors import PapershelfError
from ..identity import collection_slug, parse_arxiv_id
from ..records import URL_MAX, make_paper
from ..search import BadQuery, SearchResults, Segment
from ..search import search as run_search
from ..text import clean_line
from .openapi import openapi_document
from .pagemeta import page_fields, parse_page, source_label
from .protocol import API_VERSION, TOKEN_HEADER, ApiError, Request, Response, json_response, server_version
from .rebuild import BuildStatus, SiteSlots
from .shelf import LiveShelf, Query
from .token import matches

logger = logging.getLogger(__name__)
QUERY_MAX = URL_MAX
COLLECTIONS_MAX = 64
_STATUS = {"new": (201, "created"), "merged": (200, "merged"), "unchanged": (200, "unchanged")}


@dataclass
class Backend:
    """Everything the endpoints depend on; tests build one around a temporary shelf."""

    shelf: LiveShelf
    token: str
    extension_ids: Collection[str]
    slots: SiteSlots | None = None  # the preview's builds; None serves no site
    build_status: Callable[[], BuildStatus] = BuildStatus
    on_change: Callable[[], None] = lambda: None  # a clip changed the shelf: nudge the rebuild
    today: Callable[[], dt.date] = dt.date.today
    max_body: int = 1 << 20


def ping(backend: Backend, request: Request) -> Response:
    given = request.header(TOKEN_HEADER)
    token = "missing" if given is None else "valid" if matches(backend.token, given) else "invalid"
    return json_response(
        200,
        {
            "name": "papershelf",
            "version": server_version(),
            "api": API_VERSION,
            "token": token,
            "papers": len(backend.shelf),
            "build": backend.build_status().as_dict(),
        },
    )


def lookup(backend: Backend, request: Request) -> Response:
    query = _lookup_query(request)
    found = backend.shelf.lookup(query)
    if found is None:
        return json_response(200, {"found": False})
    paper, matched_by = found
    return json_response(
        200,
        {
            "found": True,
            "matched_by": matched_by,
            "paper": {
                "slug": paper.slug,
                "title": paper.title,
                "page": urls.paper(paper.slug),
                "collections": list(paper.collections),
                "topics": _built_topics(backend, paper.slug),
                "arxiv_id": paper.arxiv_id or None,
                "doi": paper.doi or None,
            },
        },
    )


def collections(backend: Backend, _request: Request) -> Response:
    return json_response(
        200, {"collections": [{"slug": slug, "papers": count} for slug, count in backend.shelf.collections()]}
    )


def clip(backend: Backend, request: Request) -> Response:
    body = _json_object(request.body)
    unknown = set(body) - {"page", "collections"}
    if unknown:
        raise ApiError(400, "invalid", f"unknown fields: {', '.join(sorted(unknown))[:200]}")
    if "page" not in body:
        raise ApiError(400, "invalid", "page is required: the metadata the extension collected")
    page = parse_page(body["page"])
    names = body.get("collections", [])
    if not isinstance(names, list) or len(names) > COLLECTIONS_MAX:
        raise ApiError(400, "invalid", f"collections must be a list of at most {COLLECTIONS_MAX} names")
    if not all(isinstance(n, str) and len(n) <= 200 and collection_slug(n) for n in names):
        raise ApiError(400, "invalid", "each collection must be a name of 1 to 200 characters with a letter or digit")
    try:
        paper = make_paper(page_fields(page), joined=backend.today(), collections=names, source=source_label(page))
    except ValueError as exc:  # RecordError, and urlsplit's complaints about malformed URLs
        raise ApiError(422, "not-a-paper", f"the page cannot become a paper: {exc}") from None
    result = backend.shelf.add(paper)
    status, word = _STATUS[result.status]
    if result.status != "unchanged":
        backend.on_change()
    logger.info("Clip %s: %s", word, result.paper.slug)
    return json_response(
        status,
        {
            "status": word,
            "slug": result.paper.slug,
            "page": urls.paper(result.paper.slug),
            "title": result.paper.title,
            "collections": list(result.paper.collections),
        },
    )


def search(backend: Backend, request: Request) -> Response:
    """Whoosh itself, on the index of the build being served: the site's search, server-side."""
    unknown = set(request.query) - {"q", "limit"}
    if unknown:
        raise ApiError(400, "invalid", f"unknown parameters: {', '.join(sorted(unknown))[:200]}")
    text = _one(request, "q", required=True)
    limit = _one(request, "limit") or "10"
    if not limit.isdigit() or not 1 <= int(limit) <= 100:
        raise ApiError(400, "invalid", "limit must be a whole number from 1 to 100")
    if backend.slots is None:
        raise ApiError(404, "no-search", "this backend serves no site, so it has no search index")
    with backend.slots.reading() as root:
        if root is None:
            raise ApiError(
                503, "building", "the first build is still running; ask again in a moment", {"Retry-After": "1"}
            )
        try:
            results = run_search(backend.slots.cache_of(root) / "search", text, int(limit))
        except BadQuery as exc:
            raise ApiError(400, "bad-query", str(exc)) from None
        except PapershelfError as exc:  # no index: the build that is served made none
            raise ApiError(503, "no-index", str(exc), {"Retry-After": "1"}) from None
    return json_response(200, _search_results(results))


def _search_results(results: SearchResults) -> dict[str, Any]:
    def segments(parts: tuple[Segment, ...]) -> list[dict[str, Any]]:
        return [{"text": s.text, "matched": s.matched} for s in parts]

    return {
        "query": results.query,
        "total": results.total,
        "results": [
            {
                "slug": hit.slug,
                "title": hit.title,
                "page": urls.paper(hit.slug),
                "joined": hit.joined,
                "score": hit.score,
                "title_segments": segments(hit.title_segments),
                "snippets": [segments(snippet) for snippet in hit.snippets],
            }
            for hit in results.hits
        ],
    }


def openapi(_backend: Backend, _request: Request) -> Response:
    return json_response(200, openapi_document())


def _lookup_query(request: Request) -> Query:
    unknown = set(request.query) - {"arxiv", "doi", "url", "title"}
    if unknown:
        raise ApiError(400, "invalid", f"unknown parameters: {', '.join(sorted(unknown))[:200]}")
    arxiv_raw, doi_raw = _one(request, "arxiv"), _one(request, "doi")
    url, title = clean_line(_one(request, "url")), clean_line(_one(request, "title"))
    arxiv_id = parse_arxiv_id(arxiv_raw) if arxiv_raw else ""
    if arxiv_raw and not arxiv_id:
        raise ApiError(400, "invalid", f"arxiv {arxiv_raw[:40]!r} is not an arXiv identifier")
    doi = clean_line(doi_raw).removeprefix("doi:").strip()
    if doi and not doi.startswith("10."):
        raise ApiError(400, "invalid", "doi must look like 10.NNNN/...")
    if url and not url.lower().startswith(("http://", "https://")):
        raise ApiError(400, "invalid", "url must be an http(s) URL")
    if not (arxiv_id or doi or url or title):
        raise ApiError(400, "invalid", "give at least one of arxiv, doi, url or title")
    return Query(arxiv_id=arxiv_id, doi=doi, url=url, title=title)


def _one(request: Request, name: str, *, required: bool = False) -> str:
    values = request.query.get(name, [])
    if len(values) > 1:
        raise ApiError(400, "invalid", f"{name} is given more than once")
    value = values[0] if values else ""
    if len(value) > QUERY_MAX:
        raise ApiError(400, "invalid", f"{name} is longer than {QUERY_MAX} characters")
    if required and not value.strip():
        raise ApiError(400, "invalid", f"{name} is required")
    return value


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "invalid-json", "the body is not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "invalid-json", f"the body is not JSON: {str(exc)[:100]}") from None
    if not isinstance(value, dict):
        raise ApiError(400, "invalid", "the body must be a JSON object")
    return value


def _built_topics(backend: Backend, slug: str) -> list[dict[str, str]]:
    """The paper's topics as of the last build (topics are saved searches run at build time)."""
    if backend.slots is None:
        return []
    with backend.slots.reading() as root:
        if root is None:
            return []
        record = Path(root, urls.api_paper(slug))
        try:
            return list(json.loads(record.read_text(encoding="utf-8")).get("topics", []))
        except (FileNotFoundError, ValueError):
            return []
