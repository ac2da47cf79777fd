"""sitemap.xml and robots.txt: every page, absolute URLs, dates from the shelf, stable bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lxml.etree
import pytest
from pelican.settings import read_settings

from generator import urls
from generator.settings import site_config
from generator.site import sitemap
from generator.site.model import build_model
from generator.site.pages import all_pages
from generator.site.pagestage import page_days
from generator.site.sitemap import Entry, absolute, entries, page_files, sitemap_files

from .conftest import sample_papers
from .support import REPO, build, write_shelf

SITEURL = "https://keeper.github.io/shelf"
NS = {"s": sitemap.NAMESPACE}


def published_build(site: Path) -> None:
    build(site, settings_file="publishconf.py", overrides={"SITEURL": SITEURL})


def read_sitemap(path: Path) -> dict[str, str | None]:
    tree = lxml.etree.parse(str(path))
    assert tree.getroot().tag == f"{{{sitemap.NAMESPACE}}}urlset"
    return {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS) for url in tree.getroot()}


@pytest.fixture
def published_site(tmp_path: Path) -> Path:
    write_shelf(tmp_path / "content", sample_papers())
    published_build(tmp_path)
    return tmp_path


def test_the_sitemap_lists_every_html_page_but_the_404_page(published_site: Path) -> None:
    output = published_site / "output"
    pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))
    listed = read_sitemap(output / "sitemap.xml")
    assert sorted(listed) == sorted(f"{SITEURL}/{urls.url_for(page)}" for page in pages if page != "404.html")
    assert f"{SITEURL}/about/" in listed  # a Pelican page, not one of Papershelf's own
    assert f"{SITEURL}/404.html" not in listed


def test_lastmod_is_the_day_the_shown_papers_joined_the_shelf(published_site: Path) -> None:
    listed = read_sitemap(published_site / "output" / "sitemap.xml")
    papers = sample_papers()
    newest = max(p.date for p in papers).isoformat()
    for paper in papers:
        assert listed[f"{SITEURL}/{urls.paper(paper.slug)}"] == paper.date.isoformat()
    assert listed[f"{SITEURL}/"] == newest
    assert listed[f"{SITEURL}/{urls.day(dt.date(2026, 3, 11))}"] == "2026-03-11"
    assert listed[f"{SITEURL}/{urls.collection('off-the-shelf')}"] == newest
    assert listed[f"{SITEURL}/{urls.collection('robotics')}"] == "2026-03-13"
    assert listed[f"{SITEURL}/about/"] is None  # the About page has no Date


def test_a_rebuild_writes_byte_identical_files(published_site: Path) -> None:
    output = published_site / "output"
    before = {name: (output / name).read_bytes() for name in (urls.SITEMAP, urls.ROBOTS)}
    published_build(published_site)
    assert {name: (output / name).read_bytes() for name in before} == before


def test_robots_txt_points_to_the_sitemap(published_site: Path) -> None:
    lines = (published_site / "output" / "robots.txt").read_text().splitlines()
    assert lines[:2] == ["User-agent: *", "Disallow:"]
    assert f"Sitemap: {SITEURL}/sitemap.xml" in lines


def test_a_new_page_is_listed_without_any_change_to_the_sitemap(published_site: Path) -> None:
    (published_site / "content" / "pages" / "reading-group.md").write_text(
        "Title: Reading group\nSlug: reading-group\nDate: 2026-04-02\n\nWe meet on Fridays.\n", encoding="utf-8"
    )
    published_build(published_site)
    listed = read_sitemap(published_site / "output" / "sitemap.xml")
    assert listed[f"{SITEURL}/reading-group/"] == "2026-04-02"


def test_a_local_build_writes_no_sitemap_and_removes_a_published_one(published_site: Path) -> None:
    # Sitemaps need absolute URLs, which a local build (relative links) does not have.
    build(published_site)
    assert not (published_site / "output" / urls.SITEMAP).exists()
    assert not (published_site / "output" / urls.ROBOTS).exists()


def test_page_files_skip_theme_assets_hidden_and_temporary_files(tmp_path: Path) -> None:
    for name in ("index.html", "a/index.html", "404.html", "theme/x.html", ".git/x.html", "a/.tmp-b.html", "f.xml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert page_files(tmp_path) == ["a/index.html", "index.html"]


def test_hostile_file_names_become_escaped_urls_and_well_formed_xml() -> None:
    items = entries(["papers/a & <b> \u00fc/index.html", 'x"y.html'], SITEURL, {})
    data = sitemap.urlset(items)
    locs = [loc.text for loc in lxml.etree.fromstring(data).iterfind("s:url/s:loc", NS)]
    assert locs == [f"{SITEURL}/papers/a%20%26%20%3Cb%3E%20%C3%BC/", f"{SITEURL}/x%22y.html"]


def test_entries_map_each_file_to_its_url_and_day_as_one_file_alone_would_be() -> None:
    # Plain names take the fast path over all files at once; one odd name sends them all
    # the slow way; both must give what each file gives on its own.
    plain = ["index.html", "papers/a/index.html", "papers/xindex.html", "days/2025-01-02/", "feeds.html", "xindex.html"]
    dates = {"": dt.date(2025, 1, 3), "papers/a/": dt.date(2025, 1, 2), "papers/xindex.html": dt.date(2025, 1, 1)}
    for files in (
        plain,
        plain[::-1],  # "index.html" last, "…/index.html" first
        [*plain, "papers/b c/index.html"],
        [*plain, "two\nlines.html"],
        [],
        ["index.html"],
        ["papers/a/index.html"],
    ):
        by_url_for = sorted(Entry(absolute(SITEURL, urls.url_for(f)), dates.get(urls.url_for(f))) for f in files)
        assert entries(files, SITEURL, dates) == by_url_for
        assert all(type(entry) is Entry for entry in entries(files, SITEURL, dates))
    assert entries(plain, SITEURL, dates)[0] == Entry(f"{SITEURL}/", dt.date(2025, 1, 3))


def test_more_pages_than_one_sitemap_holds_go_into_a_sitemap_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemap, "MAX_URLS", 4)
    items = sorted(
        [Entry(f"{SITEURL}/papers/p{n}/", dt.date(2026, 1, n)) for n in range(1, 10)]
        + [Entry(f"{SITEURL}/days/d{n}/", dt.date(2026, 2, n)) for n in range(1, 3)]
        + [Entry(f"{SITEURL}/", dt.date(2026, 3, 1))],
        key=lambda e: e.loc,
    )
    files = sitemap_files(items, SITEURL)
    index = lxml.etree.fromstring(files["sitemap.xml"])
    assert index.tag == f"{{{sitemap.NAMESPACE}}}sitemapindex"
    parts = {s.findtext("s:loc", namespaces=NS): s.findtext("s:lastmod", namespaces=NS) for s in index}
    assert sorted(parts) == sorted(f"{SITEURL}/{name}" for name in files if name != "sitemap.xml")
    listed: list[str] = []
    for name in sorted(files):
        if name == "sitemap.xml":
            continue
        found = [
            e
            for e in items
            if e.loc in {loc.text for loc in lxml.etree.fromstring(files[name]).iter(f"{{{sitemap.NAMESPACE}}}loc")}
        ]
        assert 0 < len(found) <= 4, name
        assert parts[f"{SITEURL}/{name}"] == max(e.lastmod for e in found).isoformat()
        listed += [e.loc for e in found]
    assert sorted(listed) == [item.loc for item in items]
    assert "sitemap-days.xml" in files
    assert "sitemap-pages.xml" in files


def test_a_new_paper_changes_one_part_of_a_large_sitemap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemap, "MAX_URLS", 40)
    items = [Entry(f"{SITEURL}/papers/p{n:03d}/", dt.date(2026, 1, 1)) for n in range(100)]
    before = sitemap_files(items, SITEURL)
    after = sitemap_files(
        sorted([*items, Entry(f"{SITEURL}/papers/p050a/", dt.date(2026, 1, 2))], key=lambda e: e.loc), SITEURL
    )
    assert before.keys() == after.keys()
    changed = [name for name in before if before[name] != after[name]]
    assert len(changed) == 2  # the part the paper joined, and the index (its lastmod)
    assert "sitemap.xml" in changed


def test_page_days_are_every_page_the_page_stage_writes_with_its_day(tmp_path: Path) -> None:
    # The sitemap lists the page stage's pages from the model, while they are written.
    (tmp_path / "content").mkdir()
    settings = read_settings(
        str(REPO / "publishconf.py"),
        override={"PATH": str(tmp_path / "content"), "THEME": str(REPO / "theme"), "SITEURL": SITEURL},
    )
    config = site_config(settings)
    model = build_model(sample_papers())
    days = page_days(model, config)
    written = {spec.url: spec.updated for spec in all_pages(model, config)}
    assert urls.NOT_FOUND in written
    del written[urls.NOT_FOUND]
    assert days == written
    assert days[urls.paper(model.papers[0].slug)] == model.papers[0].date


def test_paper_urls_made_at_once_are_each_papers_url() -> None:
    for slugs in ([], ["a"], ["a", "b-c", "d"], ["a", "two\nlines", "b"]):
        assert urls.papers(slugs) == [urls.paper(slug) for slug in slugs]
