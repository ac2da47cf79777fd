"""A real build: the search page, the header box, topic pages, related papers, the shards."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import shutil
from pathlib import Path

import lxml.html
import pytest

from generator import urls
from generator.model import Paper
from generator.paperfile import format_paper, parse_paper
from generator.search.query import open_index, ranked_slugs

from .conftest import sample_papers
from .search_queries import PARITY_QUERIES
from .support import REPO, build, write_shelf


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def html_pages(output: Path) -> list[Path]:
    return [p for p in output.rglob("*.html") if "/theme/" not in str(p)]


def meta(output: Path) -> dict:
    (meta_file,) = (output / "search" / "data").glob("meta.*.json")
    return json.loads(meta_file.read_text())


def test_every_page_has_a_search_box_in_its_header(small_site: Path) -> None:
    output = small_site / "output"
    # Embed frames are pages for other sites' iframes: no header there.
    pages = [p for p in html_pages(output) if p.relative_to(output).parts[0] != "embed"]
    assert len(pages) > 10
    for page in pages:
        doc = parse(page)
        if page.parent.name == "search":
            assert doc.cssselect("#search-input")
            continue
        (form,) = doc.cssselect("header form[role=search]")
        assert form.get("action").endswith("search/"), page
        assert form.cssselect("input[name=q]"), page


def test_the_search_page_points_at_this_builds_index(small_site: Path) -> None:
    doc = parse(small_site / "output" / "search" / "index.html")
    (form,) = doc.cssselect("[data-search-page]")
    meta_url = form.get("data-meta-url")
    assert meta_url.startswith("../search/data/meta.")
    assert (small_site / "output" / "search" / meta_url.removeprefix("../search/")).is_file()
    scripts = [s.get("src") for s in doc.cssselect("script")]
    assert any("search-page.js" in s for s in scripts)
    (module,) = doc.cssselect("script[type=module]")
    assert "search-page.js" in module.get("src")


def test_topic_pages_list_the_papers_their_query_matches(small_site: Path) -> None:
    doc = parse(small_site / "output" / urls.file_for(urls.topic("domain-adaptation")))
    titles = [a.text_content() for a in doc.cssselect(".papers h2 a, .papers h3 a")]
    assert titles == ["Continual Test-Time Domain Adaptation"]
    paper = parse(small_site / "output" / urls.file_for(urls.paper("continual-test-time-domain-adaptation")))
    assert "Domain adaptation" in [a.text_content() for a in paper.cssselect(".chips a")]


def test_paper_pages_list_related_papers_both_ways(small_site: Path) -> None:
    twin = Paper(
        title="Continual Test-Time Adaptation Revisited",
        abstract="Test-time domain adaptation adapts a source pre-trained model to a changing target domain.",
        date=dt.date(2026, 3, 14),
        slug="continual-test-time-adaptation-revisited",
    )
    (small_site / "content" / "papers" / f"{twin.slug}.md").write_text(format_paper(twin))
    build(small_site)

    def related(slug: str) -> list[str]:
        doc = parse(small_site / "output" / urls.file_for(urls.paper(slug)))
        return [a.get("href") for a in doc.cssselect("section[aria-labelledby=related-heading] a")]

    assert related(twin.slug)[0] == "../../papers/continual-test-time-domain-adaptation/"
    assert "../../papers/continual-test-time-adaptation-revisited/" in related("continual-test-time-domain-adaptation")


def test_the_shards_hold_the_index_and_stale_ones_are_removed(small_site: Path) -> None:
    output = small_site / "output"
    data = meta(output)
    assert data["docCount"] == 3
    docs = [json.loads((output / "search/data/doc" / f"{n}.json").read_text()) for n in range(3)]
    assert sorted(d["slug"] for d in docs) == sorted(p.slug for p in sample_papers())
    assert all("abstract" not in d for d in docs)
    # A result's snippet comes from the abstract on the paper's page.
    page = output / "search/data" / data["paperPage"].replace("{slug}", docs[0]["slug"]) / "index.html"
    assert parse(page).cssselect("section.abstract p")
    before = {p.relative_to(output) for p in (output / "search" / "data").rglob("*.json")}

    new = Paper(
        title="Speech Recognition with Transformers",
        abstract="We transcribe speech.",
        date=dt.date(2026, 3, 14),
        slug="speech-recognition-with-transformers",
    )
    (small_site / "content" / "papers" / f"{new.slug}.md").write_text(format_paper(new))
    (small_site / "content" / "papers" / "continual-test-time-domain-adaptation.md").unlink()
    build(small_site)

    data = meta(output)
    after = {p.relative_to(output) for p in (output / "search" / "data").rglob("*.json")}
    # Live papers only, numbered 0..N-1 by (day joined, slug): no trace of the removed one.
    assert data["docCount"] == 3
    assert "deleted" not in data
    assert before - after  # old chunks and the old meta file are gone
    docs = [json.loads((output / "search/data/doc" / f"{n}.json").read_text()) for n in range(3)]
    assert [(d["joined"], d["slug"]) for d in docs] == sorted((d["joined"], d["slug"]) for d in docs)
    assert "speech-recognition-with-transformers" in [d["slug"] for d in docs]
    assert "continual-test-time-domain-adaptation" not in [d["slug"] for d in docs]
    assert not (output / "search/data/doc/3.json").exists()


def test_a_build_with_nothing_changed_rewrites_no_search_file(small_site: Path) -> None:
    data = small_site / "output" / "search" / "data"
    stamps = {p: p.stat().st_mtime_ns for p in data.rglob("*.json")}
    build(small_site)
    assert {p: p.stat().st_mtime_ns for p in data.rglob("*.json")} == stamps


def test_a_rebuilt_index_gets_fresh_shards_even_at_the_same_generation(small_site: Path) -> None:
    shutil.rmtree(small_site / "cache" / "search")
    path = small_site / "content" / "papers" / "continual-test-time-domain-adaptation.md"
    path.write_text(path.read_text().replace("Title: Continual", "Title: Lifelong"))
    build(small_site)
    titles = [json.loads(p.read_text())["title"] for p in (small_site / "output/search/data/doc").glob("*.json")]
    assert "Lifelong Test-Time Domain Adaptation" in titles


def search_output(site: Path) -> dict[str, bytes]:
    """Every file under output/search (shards, meta, the search page), by path."""
    root = site / "output" / "search"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_an_updated_build_writes_the_same_search_files_as_a_build_from_scratch(tmp_path: Path) -> None:
    shelf = sorted((REPO / "content" / "papers").glob("*.md"))
    first, later = shelf[:60], shelf[60:75]
    updated = tmp_path / "updated"
    (updated / "content" / "papers").mkdir(parents=True)
    shutil.copytree(REPO / "content" / "pages", updated / "content" / "pages")
    for path in first:
        shutil.copy(path, updated / "content" / "papers")
    build(updated)

    # Two rounds of changes: papers added (in the middle of the order as well as at the
    # end), one changed, two removed; each round an incremental build.
    papers = updated / "content" / "papers"
    for path in later[:8]:
        shutil.copy(path, papers)
    changed = papers / first[5].name
    changed.write_text(changed.read_text() + "\nA further sentence about diffusion models and robots.\n")
    build(updated)
    for path in later[8:]:
        shutil.copy(path, papers)
    (papers / first[0].name).unlink()
    (papers / first[17].name).unlink()
    build(updated)

    ix = open_index(updated / "cache" / "search")
    with ix.reader() as reader:
        # Otherwise Whoosh's statistics would agree anyway and this test would prove nothing.
        assert reader.doc_count_all() > reader.doc_count()

    cold = tmp_path / "cold"
    shutil.copytree(updated / "content", cold / "content")
    build(cold)

    expected, actual = search_output(cold), search_output(updated)
    assert sorted(actual) == sorted(expected)
    assert [path for path in expected if actual[path] != expected[path]] == []
    assert len([p for p in expected if p.startswith("data/doc/")]) == 60 - 2 + 15

    # Whoosh itself (the command line, the backend) ranks the updated index as the fresh one.
    for text in PARITY_QUERIES:
        assert ranked_slugs(updated / "cache" / "search", text) == ranked_slugs(cold / "cache" / "search", text), text


def test_papers_added_on_a_new_day_are_appended_to_the_export_with_a_cold_builds_bytes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shelf = [parse_paper(p.read_text()) for p in sorted((REPO / "content" / "papers").glob("*.md"))[:72]]
    updated = tmp_path / "updated"
    write_shelf(updated / "content", shelf[:70])
    build(updated)
    chunks = {p: p.stat().st_mtime_ns for p in (updated / "output/search/data/t").iterdir()}

    # New papers join the shelf on a new day: they take the last document numbers.
    day = max(p.date for p in shelf) + dt.timedelta(days=1)
    write_shelf(updated / "content", [dataclasses.replace(p, date=day) for p in shelf[70:]])
    with caplog.at_level(logging.INFO, logger="generator.search.generator"):
        build(updated)
    assert any(r.getMessage().startswith("Search export updated") for r in caplog.records)
    after = {p: p.stat().st_mtime_ns for p in (updated / "output/search/data/t").iterdir()}
    assert 0 < len(set(after.items()) - set(chunks.items())) < len(after) / 2  # most chunks untouched

    cold = tmp_path / "cold"
    shutil.copytree(updated / "content", cold / "content")
    build(cold)
    expected, actual = search_output(cold), search_output(updated)
    assert sorted(actual) == sorted(expected)
    assert [path for path in expected if actual[path] != expected[path]] == []
