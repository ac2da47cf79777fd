"""A site built from a hostile corpus: nothing in the data executes, and the text survives."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import feedparser
import lxml.html
import pytest

from generator import urls
from generator.ingest import ingest
from generator.site.loader import load_papers

from .feed_validators import atom_problems, json_feed_problems, rss_problems
from .support import REPO, build, serve

CORPUS = Path(__file__).parent / "data" / "hostile" / "papers.jsonl"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    site = tmp_path_factory.mktemp("hostile")
    summary = ingest([CORPUS], site / "content" / "papers", today=dt.date(2026, 11, 23))
    assert summary.counts == {"new": 13, "merged": 2}
    assert [r.line for r in summary.rejections] == [16, 17]
    shutil.copytree(REPO / "content" / "pages", site / "content" / "pages")
    build(site)
    with serve(site / "output") as base:
        yield site, base


def test_the_corpus_is_stored_as_text_and_titles_differing_only_in_case_or_form_are_one_paper(
    hostile_site: tuple[Path, str],
) -> None:
    site, _base = hostile_site
    papers, errors = load_papers(site / "content" / "papers")
    assert errors == []
    titles = {p.title for p in papers}
    assert "<script>alert('title')</script> Script In Title" in titles
    assert sum(t.casefold() == "case twins paper" for t in titles) == 1
    assert sum("Normalisation" in t for t in titles) == 1
    assert not any(ch in t for t in titles for ch in "\x00\x07\x1b\u2028\u2029")
    assert len(next(p for p in papers if p.slug == "a-very-long-abstract").abstract) == 100_000


def test_no_page_carries_markup_from_the_data(hostile_site: tuple[Path, str]) -> None:
    site, _base = hostile_site
    for path in sorted((site / "output").rglob("*.html")):
        doc = lxml.html.fromstring(path.read_bytes())
        for script in doc.iter("script"):
            src = script.get("src", "")
            ours = "/theme/js/" in src or src.endswith("/" + urls.EMBED_SCRIPT)  # the Embed page's live preview
            assert ours, f"{path}: a script that is not ours"
        for element in doc.iter():
            handlers = [a for a in element.attrib if a.lower().startswith("on")]
            assert not handlers, f"{path}: {element.tag} has {handlers}"
            for attribute in ("href", "src", "action"):
                value = (element.get(attribute) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), f"{path}: {value}"


def test_every_page_opens_in_chromium_without_a_dialog_or_an_error(chromium, hostile_site: tuple[Path, str]) -> None:
    site, base = hostile_site
    papers = {p.slug: p for p in load_papers(site / "content" / "papers")[0]}
    context = chromium.new_context()
    page = context.new_page()
    events: list[str] = []
    page.on("dialog", lambda d: (events.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: events.append(f"page error: {e}"))
    page.on("console", lambda m: events.append(f"console: {m.text}") if m.type == "error" else None)
    try:
        for path in sorted((site / "output").rglob("index.html")):
            url = path.parent.relative_to(site / "output").as_posix()
            page.goto(base + ("" if url == "." else url + "/"))
            page.wait_for_load_state("load")
            slug = url.removeprefix("papers/")
            if url.startswith("papers/") and slug in papers:
                assert page.locator("h1").inner_text() == papers[slug].title.strip()
                assert page.title().startswith(papers[slug].title)
        assert events == []
    finally:
        context.close()


def test_abstract_links_are_only_the_http_ones(hostile_site: tuple[Path, str]) -> None:
    site, _base = hostile_site
    doc = lxml.html.fromstring((site / "output" / urls.file_for(urls.paper("links-that-must-stay-text"))).read_bytes())
    assert [a.get("href") for a in doc.cssselect("section.abstract a")] == ["https://example.org/ok?a=1&b="]
    text = doc.cssselect("section.abstract")[0].text_content()
    assert "javascript:alert(4)" in text
    assert "data:text/html;base64," in text


def test_every_feed_of_the_corpus_is_valid_and_keeps_its_titles_as_text(hostile_site: tuple[Path, str]) -> None:
    site, _base = hostile_site
    papers, _errors = load_papers(site / "content" / "papers")
    titles = {p.title for p in papers}
    feeds = sorted((site / "output" / "feeds").rglob("*.*"))
    assert len(feeds) > 3
    for path in feeds:
        data = path.read_bytes()
        if path.name.endswith(".atom.xml"):
            assert atom_problems(data) == [], path
            entries = feedparser.parse(data).entries
        elif path.name.endswith(".rss.xml"):
            assert rss_problems(data) == [], path
            entries = feedparser.parse(data).entries
        elif path.suffix == ".json":
            assert json_feed_problems(data) == [], path
            entries = json.loads(data)["items"]
        else:
            continue
        assert {e["title"] for e in entries} <= titles, path
