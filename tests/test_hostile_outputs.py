"""The hostile corpus through every output besides the pages and feeds (tests/test_hostile_site.py):
the JSON API, the search shards and the rendered results, the topic pages, the embed widget
and iframe on another site, and the backend's clip path into a rebuilt preview.  In Chromium,
nothing from the data executes (no dialog, no element or script made from it) and the text
survives the round trip."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest
from lxml.html import builder as E

from generator import urls
from generator.ingest import ingest
from generator.model import Paper
from generator.search import BadQuery, search
from generator.site.api import title_key
from generator.site.loader import load_papers

from .backend_support import JSON, TOKEN, send, serve_process
from .support import REPO, build, serve
from .test_search_browser import BROWSER_ANSWERS, engine_urls, whoosh_answers

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).parent / "data" / "hostile" / "papers.jsonl"
# Topics that catch the hostile papers, so that topic pages, feeds and embeds hold them.
TOPICS = {
    "Hostile markup": "script OR onerror OR alert OR cdata OR quote",
    "Odd characters": "bidi OR separator OR control OR emoji OR normalisation OR twins",
}
# Elements that only markup taken from the data could have made inside a result or a widget.
FOREIGN = "script, img, iframe, object, embed, svg, b, i, em, form, input"


@dataclass
class HostileSite:
    root: Path
    base: str  # the site, served under /shelf/ with CORS as GitHub Pages serves it
    papers: dict[str, Paper]  # slug -> paper, as stored

    @property
    def output(self) -> Path:
        return self.root / "output"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileSite]:
    root = tmp_path_factory.mktemp("hostile-outputs")
    ingest([CORPUS], root / "content" / "papers", today=dt.date(2026, 11, 23))
    shutil.copytree(REPO / "content" / "pages", root / "content" / "pages")
    build(root, overrides={"TOPICS": TOPICS})
    papers, errors = load_papers(root / "content" / "papers")
    assert errors == []
    with serve(root / "output", prefix="/shelf", cors=True) as base:
        yield HostileSite(root, base, {p.slug: p for p in papers})


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A Chromium page that records dialogs, page errors and console errors in ``page.events``."""
    context = chromium.new_context()
    page = context.new_page()
    page.events = []
    page.on("dialog", lambda d: (page.events.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: page.events.append(f"page error: {e}"))
    page.on("console", lambda m: page.events.append(f"console: {m.text}") if m.type == "error" else None)
    yield page
    context.close()


def scripts_not_ours(page: Any) -> list[str]:
    """Scripts in the document that the theme did not put there (inline ones included)."""
    return page.evaluate(
        """() => [...document.scripts]
            .filter((s) => !/\\/theme\\/js\\/[a-z-]+\\.js(\\?|$)/.test(s.src) && !s.src.endsWith('/embed.js')
                           && s.type !== 'application/ld+json')
            .map((s) => s.src || s.textContent.slice(0, 80))"""
    )


def test_the_corpus_holds_every_kind_of_hostile_text() -> None:
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    texts = [r["title"] + "\n" + r["abstract"] for r in records]
    every = "\n".join(texts)
    titles = [r["title"] for r in records]
    assert "<script>" in every
    assert "onerror=" in every
    assert "onmouseover=" in every
    assert "]]>" in every
    for char in ("\u2028", "\u2029", "\u202e", "\u2066", "\x00", "\x07", "\x1b", "\x0b", "\x0c", "\x85"):
        assert char in every, f"U+{ord(char):04X}"
    assert any(len(r["abstract"]) == 100_000 for r in records)
    assert any(ord(c) > 0xFFFF for c in every), "an emoji outside the BMP"
    assert any(unicodedata.combining(c) for c in every), "a combining mark"
    assert any(a != b and a.casefold() == b.casefold() for a in titles for b in titles), "titles differing in case"
    nfc = [unicodedata.normalize("NFC", t) for t in titles]
    assert len(set(nfc)) < len(set(titles)), "titles differing only in Unicode normalisation"
    # javascript: and data: URLs where links are taken: in an abstract, and in the URL fields.
    assert any(r.get("url", "").startswith("javascript:") for r in records)
    assert any(link.startswith("data:") for r in records for link in r.get("links", []))
    assert "javascript:" in every
    assert "data:text/html" in every


def test_every_json_api_file_parses_in_chromium_and_keeps_the_text(site: HostileSite, page: Any) -> None:
    page.goto(site.base)
    api = site.output / "api"
    files = sorted(api.rglob("*.json"))
    for path in files:
        json.loads(path.read_bytes())  # Python's parser too
    records = page.evaluate(
        """async (urls) => Promise.all(urls.map(async (u) => (await fetch(u)).json()))""",
        [site.base + urls.api_paper(slug) for slug in site.papers],
    )
    for record, paper in zip(records, site.papers.values(), strict=True):
        assert record["title"] == paper.title
        assert record["collections"] == list(paper.collections)
    # A lookup by title finds each paper, hostile title or not, from the one shard it needs.
    for slug, paper in site.papers.items():
        shard_url = site.base + urls.api_lookup("title", title_key(paper.title))
        shard = page.evaluate("async (u) => (await fetch(u)).json()", shard_url)
        assert slug in shard[title_key(paper.title)]
    assert page.events == []


def settled_results(page: Any) -> tuple[str, list[str]]:
    """The status line and the result titles (as text) once the search page has settled."""
    page.wait_for_function(
        """() => {
            const list = document.querySelector("[data-search-results]");
            const box = document.getElementById("search-input");
            return list.getAttribute("aria-busy") === "false" && list.dataset.query === box.value.trim();
        }""",
        timeout=10_000,
    )
    status = page.locator("[data-search-status]").text_content()
    return status, page.locator("[data-search-results] li h2").all_text_contents()


def test_searching_for_each_hostile_title_shows_whooshs_results_as_text(site: HostileSite, page: Any) -> None:
    for path in sorted((site.output / "search" / "data").rglob("*.json")):
        json.loads(path.read_bytes())
    index_dir = site.root / "cache" / "search"
    found_itself = 0
    for slug, paper in site.papers.items():
        page.goto(site.base + "search/?q=" + quote(paper.title))
        status, titles = settled_results(page)
        try:
            expected, refusal = [hit.title for hit in search(index_dir, paper.title, limit=20).hits], ""
        except BadQuery as exc:
            expected, refusal = [], str(exc)
        if refusal:
            assert refusal in status, slug
            assert titles == []
        else:
            assert titles == expected[: len(titles)], slug
            assert titles, f"{slug}: {status}"
            found_itself += paper.title in titles
        assert page.locator("#search-input").input_value() == paper.title
        assert page.locator(f"[data-search-results] :is({FOREIGN})").count() == 0, slug
        assert scripts_not_ours(page) == [], slug
    assert found_itself >= len(site.papers) - 2, "most hostile titles find their own paper"
    assert page.events == []


# Queries made of hostile text: each must get the same papers, or the same refusal, in the
# browser as from Whoosh.
HOSTILE_QUERIES = [
    "<script>alert(1)</script>",
    "onerror=alert(1)",
    "javascript:alert(4)",
    "]]>",
    "\u2028separator\u2029",
    "\u202eevil\u202c",
    "control\x00chars\x07",
    "caf\u00e9 normalisation",
    "cafe\u0301 normalisation",
    "CASE twins",
    "\U0001f9ea emoji",
    "title:<script>",
    "topic:it's",
    "topic:a\\b",
    "topic:hostile-markup NOT image",
    "{{7*7}} ${7*7}",
]


def test_hostile_queries_get_the_same_answer_in_the_browser_as_from_whoosh(site: HostileSite, page: Any) -> None:
    queries = HOSTILE_QUERIES + [p.title for p in site.papers.values()]
    expected = whoosh_answers(site.root, queries)
    engine, meta = engine_urls(page, site.base)
    answers = page.evaluate(BROWSER_ANSWERS, [engine, meta, queries])
    assert {q: (expected[q], answers[q]) for q in queries if expected[q] != answers[q]} == {}
    assert sum("slugs" in a and bool(a["slugs"]) for a in expected.values()) >= len(queries) // 2
    assert page.events == []


def test_topic_pages_list_their_hostile_papers_as_text(site: HostileSite, page: Any) -> None:
    members: dict[str, set[str]] = {}
    for slug in site.papers:
        record = json.loads((site.output / urls.api_paper(slug)).read_text(encoding="utf-8"))
        for topic in record["topics"]:
            members.setdefault(topic["slug"], set()).add(slug)
    assert set(members) == {"hostile-markup", "odd-characters"}
    for topic, slugs in members.items():
        page.goto(site.base + urls.topic(topic))
        shown = page.locator("main ul.papers > li h2 a").all_text_contents()
        assert sorted(shown) == sorted(site.papers[s].title for s in slugs), topic
        assert page.locator("main ul.papers h2 a bdi").count() == len(slugs)
        assert page.locator(f"main ul.papers :is({FOREIGN})").count() == 0
        assert scripts_not_ours(page) == []
    assert page.events == []


def test_the_embed_widget_and_iframe_show_hostile_titles_as_text_on_another_site(
    site: HostileSite, page: Any, tmp_path: Path
) -> None:
    feeds = ["all", "collections/script", "topics/hostile-markup", "topics/odd-characters"]
    body: list[Any] = [E.H1("A blog that embeds a hostile shelf")]
    for feed in feeds:
        body.append(E.SCRIPT(src=site.base + urls.EMBED_SCRIPT, **{"data-feed": feed, "data-limit": "20", "async": ""}))
    for feed in feeds:
        body.append(E.IFRAME(src=f"{site.base}{urls.embed_frame(feed)}?limit=20", title=feed, width="400"))
    icon = E.LINK(rel="icon", href="data:,")  # no request for a favicon the host does not have
    html = E.HTML(E.HEAD(E.META(charset="utf-8"), E.TITLE("Host"), icon), E.BODY(*body))
    (tmp_path / "index.html").write_bytes(lxml.html.tostring(html, doctype="<!doctype html>"))
    with serve(tmp_path) as host:
        page.goto(host)
        widgets = page.locator("div.papershelf-embed")
        for n, feed in enumerate(feeds):
            items = json.loads((site.output / "feeds" / f"{feed}.json").read_text(encoding="utf-8"))["items"]
            assert items, feed
            expected = [item["title"] for item in items]
            widget = widgets.nth(n)
            widget.locator("li a").first.wait_for()
            assert widget.locator("li a").all_text_contents() == expected, feed
            assert widget.locator(f":is({FOREIGN})").count() == 0, feed
            frame = page.frame_locator(f"iframe[title='{feed}']")
            assert frame.locator("ol[data-limit-list] > li a").all_text_contents() == expected, feed
            assert frame.locator(f"body :is({FOREIGN}):not(body > script)").count() == 0, feed
        assert scripts_not_ours(page) == []
    assert page.events == []


def clip_page(n: int, record: dict[str, Any]) -> dict[str, Any]:
    """The page a content script would send for a page carrying ``record`` in its citation tags."""
    meta = {"citation_title": [record["title"]], "citation_abstract": [record["abstract"]]}
    page = {"url": record.get("url", f"https://example.org/hostile/{n}"), "title": record["title"], "meta": meta}
    if record.get("links"):
        page["canonical"] = record["links"][0]  # a page may claim any canonical URL
    return page


def test_hostile_pages_clipped_through_the_backend_are_text_in_the_rebuilt_preview(tmp_path: Path, page: Any) -> None:
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    shutil.copytree(REPO / "content" / "pages", tmp_path / "content" / "pages")
    (tmp_path / "content" / "papers").mkdir()
    with serve_process(tmp_path) as (_server, port):
        headers = {**JSON, "X-Papershelf-Token": TOKEN}
        clipped: dict[str, str] = {}  # slug -> title, as the backend acknowledged it
        for n, record in enumerate(records):
            body = {"page": clip_page(n, record), "collections": record.get("collections", [])}
            reply = send(port, "POST", "/api/v1/clip", headers=headers, body=body)
            if record.get("url", "").startswith("javascript:"):
                assert reply.status == 400, reply.body  # the page itself is not an http(s) page
                continue
            assert reply.status in (200, 201), reply.body
            clipped[reply.json["slug"]] = reply.json["title"]
        # The case and normalisation twins are one paper each; the page with a data: canonical
        # URL is clipped without it.
        assert len(clipped) == 14
        papers, errors = load_papers(tmp_path / "content" / "papers")
        assert errors == []
        assert {p.slug: p.title for p in papers} == clipped
        assert all(p.url.startswith("https://example.org/hostile/") for p in papers)
        assert "<script>alert('title')</script> Script In Title" in clipped.values()
        assert all(slug == slug.lower() and "/" not in slug and ".." not in slug for slug in clipped)

        # The preview is rebuilt after the clips: wait until it has every clipped paper.
        deadline = time.monotonic() + 120
        while any(send(port, "GET", "/" + urls.api_paper(slug)).status != 200 for slug in clipped):
            assert time.monotonic() < deadline, send(port, "GET", "/api/v1/ping").json["build"]
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}/"
        for listing in ("", urls.collection("script"), urls.collection("etc")):
            page.goto(base + listing)
            shown = page.locator("main ul.papers > li a bdi").all_text_contents()
            assert shown, listing
            assert set(shown) <= set(clipped.values()), listing
            assert page.locator(f"main :is({FOREIGN})").count() == 0, listing
        page.goto(base)
        assert sorted(page.locator("main ul.papers > li a bdi").all_text_contents()) == sorted(clipped.values())
        for slug, title in clipped.items():
            page.goto(base + urls.paper(slug))
            assert page.locator("h1").text_content() == title, slug
            assert page.locator(f"main :is({FOREIGN})").count() == 0, slug
            assert scripts_not_ours(page) == [], slug
    assert page.events == []
