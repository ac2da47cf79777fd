"""A link checker for the built site, served over HTTP: a real HTML parser, no guessing.

It fetches every URL it is given and every URL those resources reference, on the same
server, and reports what is broken (an HTTP error, or a missing ``#fragment``) and what
points outside the site's prefix (``/theme/x.css`` on a site served under ``/REPO/``).
References are read from:

- HTML: every attribute that holds a URL (``href``, ``src``, ``srcset``, ``action``, …),
  ``data-*-url`` / ``-src`` / ``-href`` / ``-root`` / ``-base`` attributes, any attribute value that is an absolute URL
  on the server, ``url(...)`` in ``style``, and absolute URLs in JSON ``<script>`` blocks;
- CSS: ``url(...)`` and ``@import``;
- XML (feeds, OPML, sitemaps) and JSON: every value that is an absolute URL on the server;
- JavaScript: string literals that are root-absolute paths ("/theme/..."), which would
  escape a sub-path whatever page loads the script.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "cite", "data", "manifest", "background"}
SRCSET_ATTRIBUTES = {"srcset", "imagesrcset"}
DATA_URL_SUFFIXES = ("-url", "-src", "-href", "-root", "-base")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
JS_ROOT_PATH = re.compile(r"""(['"`])(/(?!/)[A-Za-z0-9_.~-][^'"`\s]*)\1""")
SKIPPED_SCHEMES = ("mailto:", "tel:", "data:", "blob:", "about:")


@dataclass
class Report:
    base: str
    fetched: dict[str, int] = field(default_factory=dict)  # URL -> HTTP status
    broken: list[tuple[str, str, str]] = field(default_factory=list)  # (URL, found on, why)
    outside: list[tuple[str, str]] = field(default_factory=list)  # (reference, found on)
    external: set[str] = field(default_factory=set)  # hosts of links to other sites

    def problems(self) -> list[str]:
        lines = [f"broken: {url} (on {page}): {why}" for url, page, why in self.broken]
        lines += [f"outside {self.base}: {ref} (on {page})" for ref, page in self.outside]
        return lines


def crawl(base: str, seeds: Iterable[str], limit: int = 20_000) -> Report:
    """Fetch ``seeds`` and everything they reference under ``base`` (which ends in "/")."""
    report = Report(base)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str]] = []
    queue = deque((url, "(seed)") for url in seeds)
    seen = {url for url, _ in queue}
    while queue:
        if len(report.fetched) >= limit:
            raise AssertionError(f"the crawl passed {limit} URLs; is something generating links forever?")
        url, referrer = queue.popleft()
        status, kind, body = _fetch(url)
        report.fetched[url] = status
        if status != 200:
            report.broken.append((url, referrer, f"HTTP {status}"))
            continue
        refs, page_ids = _references(url, kind, body, origin)
        if page_ids is not None:
            ids[url] = page_ids
        for ref in refs:
            if ref.startswith(SKIPPED_SCHEMES) or ref.startswith("javascript:"):
                if ref.startswith("javascript:"):
                    report.broken.append((ref, url, "javascript: URL"))
                continue
            absolute, fragment = urldefrag(urljoin(url, ref))
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https"):
                report.broken.append((ref, url, f"unexpected scheme {parts.scheme!r}"))
                continue
            if f"{parts.scheme}://{parts.netloc}" != origin:
                report.external.add(parts.netloc)
                continue
            if not absolute.startswith(base):
                report.outside.append((ref, url))
                continue
            if fragment:
                fragments.append((absolute, fragment, url))
            if absolute not in seen:
                seen.add(absolute)
                queue.append((absolute, url))
    for target, fragment, referrer in fragments:
        if target in ids and fragment not in ids[target]:
            report.broken.append((f"{target}#{fragment}", referrer, "no element with this id"))
    return report


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            kind = response.headers.get_content_type()
            return response.status, kind, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


def _references(url: str, kind: str, body: bytes, origin: str) -> tuple[list[str], set[str] | None]:
    path = urlsplit(url).path
    if kind == "text/html":
        return html_references(body, origin)
    if kind == "text/css":
        return _css_references(body.decode("utf-8")), None
    if kind in ("application/javascript", "text/javascript") or path.endswith((".js", ".mjs")):
        return [m.group(2) for m in JS_ROOT_PATH.finditer(body.decode("utf-8"))], None
    if kind == "application/json" or path.endswith(".json"):
        return list(_absolute_urls_in_json(json.loads(body), origin)), None
    if "xml" in kind or path.endswith((".xml", ".opml")):
        return list(_absolute_urls_in_xml(body, origin)), None
    return [], None


def html_references(body: bytes, origin: str) -> tuple[list[str], set[str]]:
    doc = lxml.html.document_fromstring(body)
    refs: list[str] = []
    ids: set[str] = set()
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            name = name.lower()
            if name in ("id",) or (name == "name" and element.tag == "a"):
                ids.add(value)
            if name in URL_ATTRIBUTES or (name.startswith("data-") and name.endswith(DATA_URL_SUFFIXES)):
                refs.append(value.strip())
            elif name in SRCSET_ATTRIBUTES:
                refs += [part.strip().split()[0] for part in value.split(",") if part.strip()]
            elif name == "style":
                refs += _css_references(value)
            elif value.startswith(origin):
                refs.append(value)
        if element.tag == "meta" and element.get("http-equiv", "").lower() == "refresh":
            match = re.search(r"url\s*=\s*(\S+)", element.get("content", ""), re.IGNORECASE)
            if match:
                refs.append(match.group(1).strip("'\""))
        if element.tag == "style" and element.text:
            refs += _css_references(element.text)
        if element.tag == "script" and element.get("type", "") in ("application/json", "application/ld+json"):
            refs += _absolute_urls_in_json(json.loads(element.text or "null"), origin)
    return refs, ids


def _css_references(text: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in CSS_URL.finditer(text)]


def _absolute_urls_in_json(value: object, origin: str) -> Iterator[str]:
    if isinstance(value, str):
        if value.startswith(origin):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _absolute_urls_in_json(item, origin)
    elif isinstance(value, list):
        for item in value:
            yield from _absolute_urls_in_json(item, origin)


def _absolute_urls_in_xml(body: bytes, origin: str) -> Iterator[str]:
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = lxml.etree.fromstring(body, parser)
    for element in root.iter():
        for value in (*element.attrib.values(), element.text or ""):
            value = value.strip()
            if value.startswith(origin):
                yield value
