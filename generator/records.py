"""Turning loosely typed input fields into a clean, valid ``Paper``.

Every way in — listing dumps, JSON Lines, the extension's clips — ends here, so the
limits and the clean-up rules are the same whatever the source.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .identity import arxiv_id_from_url, collection_slug, parse_arxiv_id
from .links import split_links
from .model import Paper
from .text import clean_line, clean_text

TITLE_MAX = 1_000
ABSTRACT_MAX = 200_000
URL_MAX = 2_048
NAME_MAX = 300
AUTHORS_MAX = 1_000
COLLECTIONS_MAX = 64
LINKS_MAX = 64


class RecordError(ValueError):
    """The record cannot become a paper; the message says which field and why."""


def make_paper(
    fields: Mapping[str, object],
    *,
    joined: dt.date,
    collections: Iterable[str] = (),
    source: str = "",
) -> Paper:
    """Validate and clean ``fields`` (title, abstract, and optional metadata) into a paper.

    ``joined`` is the day the paper joins the shelf unless ``fields['date']`` says
    otherwise.  Raises ``RecordError`` with a reason a person can act on.
    """
    title = clean_line(_text(fields, "title"))
    if not title:
        raise RecordError("no title")
    if len(title) > TITLE_MAX:
        raise RecordError(f"title is {len(title):,} characters long (the limit is {TITLE_MAX:,})")
    abstract = clean_text(_text(fields, "abstract"))
    if not abstract:
        raise RecordError("no abstract")
    if len(abstract) > ABSTRACT_MAX:
        raise RecordError(f"abstract is {len(abstract):,} characters long (the limit is {ABSTRACT_MAX:,})")

    url = _url(fields, "url")
    arxiv_raw = clean_line(_text(fields, "arxiv_id"))
    arxiv_id = parse_arxiv_id(arxiv_raw) if arxiv_raw else arxiv_id_from_url(url)
    if arxiv_raw and not arxiv_id:
        raise RecordError(f"arxiv_id {arxiv_raw[:40]!r} is not an arXiv identifier")

    names = [*_strings(fields, "collections"), *collections]
    slugs = sorted({s for s in (collection_slug(n) for n in names) if s})
    if len(slugs) > COLLECTIONS_MAX:
        raise RecordError(f"{len(slugs)} collections (the limit is {COLLECTIONS_MAX})")

    authors = tuple(_author(a) for a in _strings(fields, "authors", split=_author_separator(fields)))
    authors = tuple(a for a in authors if a)
    if len(authors) > AUTHORS_MAX:
        raise RecordError(f"{len(authors)} authors (the limit is {AUTHORS_MAX})")

    found_code, found_links = split_links(abstract)
    code = {*found_code, *(_checked_url(u, "code") for u in _strings(fields, "code"))}
    links = {*found_links, *(_checked_url(u, "links") for u in _strings(fields, "links"))}
    if len(code) + len(links) > LINKS_MAX:
        raise RecordError(f"{len(code) + len(links)} links (the limit is {LINKS_MAX})")

    upvotes = fields.get("upvotes")
    if upvotes is not None and (not isinstance(upvotes, int) or isinstance(upvotes, bool) or upvotes < 0):
        raise RecordError("upvotes must be a whole number of at least 0")

    return Paper(
        title=title,
        abstract=abstract,
        date=_date(fields, "date") or joined,
        collections=tuple(slugs),
        arxiv_id=arxiv_id,
        doi=_doi(fields),
        url=url,
        authors=authors,
        published=_date(fields, "published"),
        venue=clean_line(_text(fields, "venue"))[:NAME_MAX],
        upvotes=upvotes,
        code=tuple(sorted(code)),
        links=tuple(sorted(links - code)),
        sources=(clean_line(source),) if source else (),
    )


def _text(fields: Mapping[str, object], key: str) -> str:
    value = fields.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{key} must be text, not {type(value).__name__}")
    return value


def _strings(fields: Mapping[str, object], key: str, split: str = ",") -> list[str]:
    value = fields.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.split(split) if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise RecordError(f"{key} must be text or a list of texts")


def _author_separator(fields: Mapping[str, object]) -> str:
    value = fields.get("authors")
    return ";" if isinstance(value, str) and ";" in value else ","


def _author(name: str) -> str:
    name = clean_line(name).replace(";", ",")
    # "Last, First" (Highwire, BibTeX) reads better as "First Last" on a page.
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and last:
            name = f"{first} {last}"
    if len(name) > NAME_MAX:
        raise RecordError(f"an author name is {len(name)} characters long (the limit is {NAME_MAX})")
    return name


def _url(fields: Mapping[str, object], key: str) -> str:
    raw = clean_line(_text(fields, key))
    return _checked_url(raw, key) if raw else ""


def _checked_url(raw: str, key: str) -> str:
    raw = clean_line(raw)
    if len(raw) > URL_MAX:
        raise RecordError(f"{key} is longer than {URL_MAX} characters")
    try:
        parts = urlsplit(raw)
    except ValueError:  # urlsplit refuses some hosts outright, such as an unclosed "[" (IPv6)
        raise RecordError(f"{key} {raw[:60]!r} is not an http(s) URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in raw:
        raise RecordError(f"{key} {raw[:60]!r} is not an http(s) URL")
    return raw


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def _doi(fields: Mapping[str, object]) -> str:
    raw = clean_line(_text(fields, "doi"))
    raw = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", raw, flags=re.IGNORECASE)
    if raw and (not _DOI.match(raw) or len(raw) > 300):
        raise RecordError(f"doi {raw[:60]!r} is not a DOI (10.NNNN/...)")
    return raw


def _date(fields: Mapping[str, object], key: str) -> dt.date | None:
    raw = clean_line(_text(fields, key))
    if not raw:
        return None
    for candidate in (raw[:10], raw.replace("/", "-")[:10]):
        try:
            return dt.date.fromisoformat(candidate)
        except ValueError:
            continue
    if re.fullmatch(r"\d{4}", raw):
        return dt.date(int(raw), 1, 1)
    raise RecordError(f"{key} {raw[:30]!r} is not a date (YYYY-MM-DD)")
