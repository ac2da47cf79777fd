"""A real Pelican build of a small shelf, checked by parsing the HTML it wrote."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from generator import urls

from .conftest import sample_papers


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def test_every_paper_has_a_page_with_its_title_and_abstract(small_site: Path) -> None:
    for paper in sample_papers():
        doc = parse(small_site / "output" / urls.file_for(urls.paper(paper.slug)))
        assert doc.findtext(".//h1/bdi") == paper.title
        abstract = " ".join(p.text_content() for p in doc.cssselect("section.abstract p"))
        assert abstract == " ".join(paper.abstract.split())
