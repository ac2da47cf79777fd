"""A real Pelican build of a small shelf, checked by parsing the HTML it wrote."""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import lxml.html
import pytest

from generator import urls
from generator.model import Paper
from generator.paperfile import format_paper
from generator.site.api import title_key

from .conftest import sample_papers
from .support import REPO, build, write_shelf

HOSTILE = Paper(
    title="<script>alert(1)</script> & <b>bold</b>",
    abstract='An <img src=x onerror="alert(2)"> abstract.\n\nSee javascript:alert(3) and https://ok.example/a?b=1&c=2.',
    date=dt.date(2026, 3, 12),
    slug="script-alert-1-script-bold",
    collections=("off-the-shelf",),
)


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def page(site: Path, url: str) -> lxml.html.HtmlElement:
    return parse(site / "output" / urls.file_for(url))


def html_files(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def references(doc: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """(kind, url) of every link, script, stylesheet, image and form target in a page.

    ``kind`` is "a" for links a reader follows (anchors, canonical and alternate links)
    and the tag name for what the browser loads by itself.
    """
    found = []
    for element, attribute, link, _pos in doc.iterlinks():
        if attribute not in ("href", "src", "action"):
            continue
        followed = element.tag == "a" or (element.tag == "link" and element.get("rel") in ("canonical", "alternate"))
        found.append(("a" if followed else element.tag, link))
    return found


def test_every_paper_has_a_page_with_its_title_and_abstract(small_site: Path) -> None:
    for paper in sample_papers():
        doc = page(small_site, urls.paper(paper.slug))
        assert doc.findtext(".//h1/bdi") == paper.title
        paragraphs = [p.text_content() for p in doc.cssselect("section.abstract p")]
        assert paragraphs == paper.abstract.split("\n\n")


def test_links_in_an_abstract_are_real_links(small_site: Path) -> None:
    doc = page(small_site, urls.paper("visual-language-maps-for-robot-navigation"))
    assert [a.get("href") for a in doc.cssselect("section.abstract a")] == ["https://vlmaps.github.io"]
    doc = page(small_site, urls.paper("elucidating-the-design-space-of-classifier-guided-diffusion-generation"))
    assert "https://github.com/AlexMaOLS/EluCD" in [a.get("href") for a in doc.cssselect("ul.links a")]


def test_a_paper_page_has_highwire_and_opengraph_meta(small_site: Path) -> None:
    doc = page(small_site, urls.paper("visual-language-maps-for-robot-navigation"))
    meta = [(m.get("name") or m.get("property"), m.get("content")) for m in doc.cssselect("head meta")]
    assert ("citation_title", "Visual Language Maps for Robot Navigation") in meta
    assert [c for n, c in meta if n == "citation_author"] == ["Chenguang Huang", "Oier Mees"]
    assert ("citation_arxiv_id", "2210.05714") in meta
    assert ("citation_pdf_url", "https://arxiv.org/pdf/2210.05714") in meta
    assert ("citation_online_date", "2026/03/13") in meta
    assert ("og:title", "Visual Language Maps for Robot Navigation") in meta
    assert ("og:type", "article") in meta
    # Nothing the page says already: readers fall back to the description and the title.
    names = {n for n, _c in meta}
    assert not names & {"og:description", "og:site_name", "citation_abstract_html_url"}
    (description,) = [c for n, c in meta if n == "description"]
    assert 100 < len(description) <= 160


def test_a_paper_page_has_a_bibtex_entry_and_a_copy_button(small_site: Path) -> None:
    doc = page(small_site, urls.paper("visual-language-maps-for-robot-navigation"))
    entry = doc.get_element_by_id("bibtex").text_content()
    assert entry.startswith("@misc{huang2026visual,\n  title = {{Visual Language Maps for Robot Navigation}},")
    assert "  author = {Chenguang Huang and Oier Mees}," in entry
    assert "  eprint = {2210.05714}," in entry
    (button,) = doc.cssselect("button[data-copy-target=bibtex]")
    assert button.get("type") == "button"


def test_a_paper_page_links_its_collections_and_its_day(small_site: Path) -> None:
    doc = page(small_site, urls.paper("elucidating-the-design-space-of-classifier-guided-diffusion-generation"))
    hrefs = [a.get("href") for a in doc.cssselect(".facts a")]
    assert "../../days/2026-03-13/" in hrefs
    assert "../../collections/diffusion/" in hrefs
    assert "../../collections/off-the-shelf/" in hrefs


def test_the_front_page_groups_the_latest_papers_by_day_newest_first(small_site: Path) -> None:
    doc = page(small_site, urls.INDEX)
    groups = doc.cssselect("section.day-group")
    assert [g.cssselect("h2 time")[0].get("datetime") for g in groups] == ["2026-03-13", "2026-03-11"]
    assert [a.text_content() for a in groups[0].cssselect("h3 a")] == [
        "Elucidating The Design Space of Classifier-Guided Diffusion Generation",
        "Visual Language Maps for Robot Navigation",
    ]


def test_each_day_collection_and_index_page_lists_its_papers(small_site: Path) -> None:
    day = page(small_site, urls.day(dt.date(2026, 3, 11)))
    assert [a.text_content() for a in day.cssselect("ul.papers h2 a")] == ["Continual Test-Time Domain Adaptation"]
    collection = page(small_site, urls.collection("off-the-shelf"))
    assert len(collection.cssselect("ul.papers > li")) == 2
    index = page(small_site, urls.COLLECTIONS)
    assert [a.text_content() for a in index.cssselect(".listing-index a")] == ["diffusion", "off-the-shelf", "robotics"]
    archive = page(small_site, urls.ARCHIVES)
    assert [t.get("datetime") for t in archive.cssselect(".listing-index time")] == ["2026-03-13", "2026-03-11"]
    about = page(small_site, "about/")
    assert about.findtext(".//h1") == "About"
    assert parse(small_site / "output" / "404.html").findtext(".//h1") == "Page not found"


def test_every_local_link_is_relative_and_resolves_to_a_file(small_site: Path) -> None:
    output = small_site / "output"
    for path in html_files(output):
        base = "http://site/" + path.relative_to(output).as_posix()
        for tag, link in references(parse(path)):
            parts = urlsplit(link)
            if parts.scheme in ("http", "https") and tag == "a":
                continue  # links out to arXiv, code and project pages
            assert not parts.scheme, f"{path}: {tag} {link} is not relative"
            assert not link.startswith("/"), f"{path}: {tag} {link} is not relative"
            target = urlsplit(urljoin(base, link)).path.removeprefix("/")
            resolved = output / unquote(target)
            if resolved.is_dir() or target.endswith("/") or target == "":
                resolved = resolved / "index.html"
            if path.name == "404.html":
                continue  # served at any depth; checked in the published build
            assert resolved.is_file(), f"{path}: {link} -> {resolved} does not exist"


def test_pages_load_nothing_from_other_sites(small_site: Path) -> None:
    for path in html_files(small_site / "output"):
        for tag, link in references(parse(path)):
            if tag != "a":
                assert not urlsplit(link).scheme, f"{path}: {tag} loads {link}"


def test_the_published_build_links_from_the_root_path_of_a_sub_path(tmp_path: Path) -> None:
    write_shelf(tmp_path / "content", sample_papers())
    build(tmp_path, settings_file="publishconf.py", overrides={"SITEURL": "https://user.github.io/shelf"})
    output = tmp_path / "output"
    # Within the site, links start from its root path; Pelican's own page (About) keeps
    # Pelican's absolute SITEURL.
    within = ("/shelf/", "https://user.github.io/shelf/")
    for path in html_files(output):
        for tag, link in references(parse(path)):
            if link.startswith("#"):
                continue
            if tag == "a" and not link.startswith(within):
                assert urlsplit(link).netloc not in ("", "user.github.io"), f"{path}: {link}"
            elif tag != "a":
                # The theme's files, and on the Embed page the live preview of the widget.
                # The header's search box submits to the search page.
                ours = tuple(f"{w}{o}" for w in within for o in ("theme/", urls.EMBED_SCRIPT, "embed/", urls.SEARCH))
                assert link.startswith(ours), f"{path}: {tag} {link}"
    doc = page(tmp_path, urls.paper("visual-language-maps-for-robot-navigation"))
    canonical = "https://user.github.io/shelf/papers/visual-language-maps-for-robot-navigation/"
    assert doc.cssselect("link[rel=canonical]")[0].get("href") == canonical
    assert doc.cssselect("meta[property='og:url']")[0].get("content") == canonical
    assert "/shelf/days/2026-03-13/" in [a.get("href") for a in doc.cssselect(".facts a")]
    # The addresses shown to paste into a feed reader stay absolute.
    shown = [a.text_content() for a in page(tmp_path, urls.INDEX).cssselect(".feed-urls a")]
    assert shown == [f"https://user.github.io/shelf/{urls.feed(urls.ALL_FEED, fmt)}" for fmt in urls.FEED_FORMATS]
    # GitHub Pages serves the 404 page at any depth: no link in it may be relative to it.
    not_found = parse(output / "404.html")
    assert all(link.startswith(("/shelf/", "https://", "#")) for _tag, link in references(not_found))


def test_paper_text_is_escaped_everywhere_it_appears(tmp_path: Path) -> None:
    write_shelf(tmp_path / "content", [*sample_papers(), HOSTILE])
    build(tmp_path)
    output = tmp_path / "output"
    for path in html_files(output):
        doc = parse(path)
        folder = posixpath.dirname(str(path.relative_to(output)))
        scripts = [posixpath.normpath(posixpath.join(folder, s.get("src", ""))) for s in doc.iter("script")]
        ours = all(src.startswith("theme/js/") or src == urls.EMBED_SCRIPT for src in scripts)
        assert ours, f"{path}: {scripts}"
        assert not [e for e in doc.iter() if any(a.startswith("on") for a in e.attrib)], path
        assert not doc.cssselect("img, b")
    doc = page(tmp_path, urls.paper(HOSTILE.slug))
    assert doc.findtext(".//h1/bdi") == HOSTILE.title
    assert doc.cssselect("title")[0].text.startswith("<script>alert(1)</script> & <b>bold</b>")
    links = [a.get("href") for a in doc.cssselect("section.abstract a")]
    assert links == ["https://ok.example/a?b=1&c=2"]


def test_a_removed_paper_loses_its_page_on_the_next_build(small_site: Path) -> None:
    gone = small_site / "content" / "papers" / "continual-test-time-domain-adaptation.md"
    gone.unlink()
    build(small_site)
    assert not (small_site / "output" / "papers" / "continual-test-time-domain-adaptation").exists()


def test_a_broken_paper_file_is_a_warning_that_fails_a_strict_build(small_site: Path) -> None:
    (small_site / "content" / "papers" / "broken.md").write_text("Title: x\n\nno date or slug\n", encoding="utf-8")
    result = build(small_site, strict=False)
    assert any("broken.md: missing required field 'Date'" in w for w in result.warnings)
    from generator.errors import BuildError

    with pytest.raises(BuildError, match="logged 1 warning"):
        build(small_site, strict=True)


def digests(output: Path) -> dict[str, str]:
    return {
        p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in output.rglob("*")
        if p.is_file()
    }


def test_adding_a_paper_on_a_new_day_rewrites_only_the_pages_that_show_it(tmp_path: Path) -> None:
    papers = sample_papers()
    write_shelf(tmp_path / "content", papers)
    overrides = {"PAPERSHELF": {"listing_page_size": 1}}
    build(tmp_path, overrides=overrides)
    before = digests(tmp_path / "output")
    new = Paper(
        title="A Newer Paper",
        abstract="New.",
        date=dt.date(2026, 3, 14),
        slug="a-newer-paper",
        collections=("off-the-shelf",),
    )
    (tmp_path / "content" / "papers" / "a-newer-paper.md").write_text(format_paper(new), encoding="utf-8")
    build(tmp_path, overrides=overrides)
    after = digests(tmp_path / "output")
    changed = {p for p in after if before.get(p) != after[p]}
    # The search page points at the new index, whose files are named by their content.
    searched = {p for p in changed if p.startswith(urls.SEARCH)}
    assert {"search/index.html", "search/data/doc/3.json"} <= searched
    assert changed - searched == {
        "index.html",  # the front page shows it
        "archives/index.html",  # a new day
        "days/2026-03-14/index.html",  # its day
        "days/2026-03-13/index.html",  # the previous newest day links to the new one
        "papers/a-newer-paper/index.html",
        "collections/index.html",  # the count of off-the-shelf papers
        "collections/off-the-shelf/index.html",  # the landing page shows the newest
        "collections/off-the-shelf/page/2/index.html",  # its "newer" link now points to page 3
        "collections/off-the-shelf/page/3/index.html",  # the new last page
        # the feeds and embeds that list it; those of robotics and diffusion stay untouched
        *(urls.feed(name, fmt) for name in ("all", "collections/off-the-shelf") for fmt in urls.FEED_FORMATS),
        "embed/all.html",
        "embed/collections/off-the-shelf.html",
        # the static JSON API: its record, the one lookup shard its title key falls in, the count
        urls.api_paper("a-newer-paper"),
        urls.api_lookup("title", title_key(new.title)),
        urls.API_INDEX,
    }


def test_plain_pelican_builds_the_same_site(tmp_path: Path, small_site: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(small_site / "content"),
            "-s",
            str(REPO / "pelicanconf.py"),
            "-o",
            str(tmp_path / "out"),
            "--cache-path",
            str(tmp_path / "cache"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert digests(tmp_path / "out") == digests(small_site / "output")


def test_a_topic_shows_its_newest_papers_and_sends_the_reader_to_search_for_all(tmp_path: Path) -> None:
    extra = Paper(
        title="Faster Diffusion Sampling",
        abstract="A denoising diffusion model, sampled faster.",
        date=dt.date(2026, 3, 14),
        slug="faster-diffusion-sampling",
        collections=("off-the-shelf",),
    )
    write_shelf(tmp_path / "content", [*sample_papers(), extra])
    build(tmp_path, overrides={"PAPERSHELF": {"listing_page_size": 1}})
    output = tmp_path / "output"
    # A topic is a saved search: no numbered pages repeat its matches; collections keep theirs.
    assert not list((output / "topics").glob("*/page/*/index.html"))
    assert list((output / "collections").glob("off-the-shelf/page/*/index.html"))
    doc = page(tmp_path, urls.topic("diffusion-models"))
    assert [a.text_content() for a in doc.cssselect("ul.papers h2 a")] == [extra.title]
    (more,) = [a for a in doc.cssselect("nav.pager a") if "search" in a.get("href")]
    assert more.text_content() == "All 2 papers, by search →"
    assert parse_qs(urlsplit(more.get("href")).query)["q"] == [doc.cssselect("p.meta code")[0].text_content()]
