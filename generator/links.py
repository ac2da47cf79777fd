"""Links written into abstracts: finding them, sorting code from project pages, and
splitting text around them so a template can render real links without building HTML."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

# Only http(s) URLs are ever taken: a "javascript:" or "data:" URL in an abstract stays text.
_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^\[\]]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*"
_PAIRS = {")": "(", "]": "["}

CODE_HOSTS = (
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "sourceforge.net",
    "huggingface.co",
    "anonymous.4open.science",
    "paperswithcode.com",
)


class Segment(NamedTuple):
    """A run of abstract text; ``href`` is set when the run is a link."""

    text: str
    href: str = ""


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) of each http(s) URL in ``text``, trailing punctuation excluded."""
    found = []
    for match in _URL.finditer(text):
        url = match.group()
        while url:
            last = url[-1]
            if last in _TRAILING or (last in _PAIRS and url.count(last) > url.count(_PAIRS[last])):
                url = url[:-1]
            else:
                break
        parts = urlsplit(url)
        if parts.netloc and "." in parts.netloc:
            found.append((match.start(), match.start() + len(url), url))
    return found


def is_code_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in CODE_HOSTS)


def split_links(text: str) -> tuple[list[str], list[str]]:
    """The URLs in ``text``, as (code repositories, other pages), each without duplicates."""
    code: list[str] = []
    pages: list[str] = []
    for _, _, url in find_urls(text):
        target = code if is_code_url(url) else pages
        if url not in target:
            target.append(url)
    return code, pages


def segments(paragraph: str) -> list[Segment]:
    """``paragraph`` cut into plain text and link segments, in order."""
    out: list[Segment] = []
    position = 0
    for start, end, url in find_urls(paragraph):
        if start > position:
            out.append(Segment(paragraph[position:start]))
        out.append(Segment(url, url))
        position = end
    if position < len(paragraph):
        out.append(Segment(paragraph[position:]))
    return out
