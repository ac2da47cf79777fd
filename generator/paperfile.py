"""The paper file: Pelican-style ``Key: value`` metadata, a blank line, then the abstract.

This module is the only place that knows the format.  ``format_paper`` and
``parse_paper`` are inverses: ``parse_paper(format_paper(p)) == p`` for every paper the
store can hold, which is what lets a re-ingest leave every byte on disk as it was.
"""

from __future__ import annotations

import datetime as dt
import re

from .errors import PaperFileError
from .identity import is_valid_slug
from .model import Paper

# (file key, attribute, kind).  The order is the order in the file.
_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("Title", "title", "str"),
    ("Date", "date", "date"),
    ("Slug", "slug", "str"),
    ("Collections", "collections", "comma"),
    ("Arxiv", "arxiv_id", "str"),
    ("Doi", "doi", "str"),
    ("Url", "url", "str"),
    ("Authors", "authors", "semicolon"),
    ("Published", "published", "date"),
    ("Venue", "venue", "str"),
    ("Upvotes", "upvotes", "int"),
    ("Code", "code", "space"),
    ("Links", "links", "space"),
    ("Sources", "sources", "semicolon"),
)
_BY_KEY = {key.lower(): (key, attr, kind) for key, attr, kind in _FIELDS}
_REQUIRED = ("title", "date", "slug")
_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(?: (.*))?$")
_SEPARATORS = {"comma": ", ", "semicolon": "; ", "space": " "}


def is_paper_file(name: str) -> bool:
    """Whether a file of that name in the papers folder is a paper file (``SLUG.md``, not hidden)."""
    return name.endswith(".md") and not name.startswith(".")


def format_paper(paper: Paper) -> str:
    """Serialise ``paper`` as the text of its file (UTF-8, ``\\n`` line ends)."""
    lines = []
    for key, attr, kind in _FIELDS:
        value = getattr(paper, attr)
        if value in ("", (), None):
            continue
        if kind == "date":
            text = value.isoformat()
        elif kind in _SEPARATORS:
            text = _SEPARATORS[kind].join(value)
        else:
            text = str(value)
        lines.append(f"{key}: {text}")
    lines.extend(f"{key}: {value}" for key, value in paper.extra)
    return "\n".join(lines) + "\n\n" + paper.abstract + "\n"


def parse_paper(text: str, path: str = "<paper>") -> Paper:
    """Read the text of a paper file.  Raises ``PaperFileError`` naming the file and the field."""
    # Split on "\n" only: str.splitlines() would also break at U+2028 and friends, which
    # may legitimately sit inside an abstract.
    header, sep, body = text.replace("\r\n", "\n").partition("\n\n")
    if not sep:
        header, body = text.rstrip("\n"), ""
    values: dict[str, object] = {}
    extra: list[tuple[str, str]] = []
    for number, line in enumerate(header.lstrip("\ufeff").split("\n"), start=1):
        match = _KEY.match(line)
        if not match:
            raise PaperFileError(path, f"line {number} is not 'Key: value': {line[:60]!r}")
        key, value = match.group(1), (match.group(2) or "").strip()
        known = _BY_KEY.get(key.lower())
        if known is None:
            if any(k.lower() == key.lower() for k, _ in extra):
                raise PaperFileError(path, f"'{key}' appears twice")
            extra.append((key, value))
            continue
        canonical, attr, kind = known
        if attr in values:
            raise PaperFileError(path, f"'{canonical}' appears twice")
        values[attr] = _parse_value(path, canonical, kind, value)
    for attr in _REQUIRED:
        if not values.get(attr):
            raise PaperFileError(path, f"missing required field '{attr.capitalize()}'")
    if not is_valid_slug(str(values["slug"])):
        raise PaperFileError(path, f"'Slug' {values['slug']!r} is not a valid slug")
    abstract = body.strip("\n")
    return Paper(abstract=abstract, extra=tuple(extra), **values)  # type: ignore[arg-type]


def _parse_value(path: str, key: str, kind: str, value: str) -> object:
    if kind == "date":
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            raise PaperFileError(path, f"'{key}' is not a date (YYYY-MM-DD): {value!r}") from None
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            raise PaperFileError(path, f"'{key}' is not a whole number: {value!r}") from None
    if kind in _SEPARATORS:
        separator = _SEPARATORS[kind].strip() or None
        return tuple(part.strip() for part in value.split(separator) if part.strip())
    return value
