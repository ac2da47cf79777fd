"""The static JSON API a real build writes: paper records and sharded lookup tables."""

from __future__ import annotations

import json
from pathlib import Path

from generator import urls
from generator.site.api import lookup_shards, title_key

from .conftest import sample_papers
from .support import build, write_shelf


def read_json(site: Path, relpath: str) -> object:
    return json.loads((site / "output" / relpath).read_text(encoding="utf-8"))


def test_every_paper_has_a_json_record_matching_its_file(small_site: Path) -> None:
    for paper in sample_papers():
        record = read_json(small_site, urls.api_paper(paper.slug))
        assert record["slug"] == paper.slug
        assert record["title"] == paper.title
        assert "abstract" not in record  # the page holds it, once
        assert record["collections"] == list(paper.collections)
        assert record["page"] == urls.paper(paper.slug)
        assert (small_site / "output" / urls.file_for(record["page"])).is_file()


def test_a_lookup_by_arxiv_id_title_or_doi_reads_one_shard(small_site: Path) -> None:
    vlmaps = sample_papers()[0]
    shard = read_json(small_site, urls.api_lookup("arxiv", "2210.05714"))
    assert shard["2210.05714"] == [vlmaps.slug]
    key = title_key("Visual Language Maps for Robot-Navigation!")
    assert read_json(small_site, urls.api_lookup("title", key))[key] == [vlmaps.slug]


def test_title_keys_fold_accents_case_and_punctuation() -> None:
    assert title_key("Élan: Vision–Language  MODELS (v2)") == "elan vision language models v2"
    assert title_key("深度学习") == ""
    assert title_key("İstanbul Straße") == "istanbul stra e"


def test_shards_stay_small_as_the_shelf_grows() -> None:
    from bench.synth import synthetic_papers

    papers = tuple(synthetic_papers(5000))
    shards = lookup_shards(papers)
    titles = {path: table for path, table in shards.items() if path.startswith("api/lookup/title/")}
    assert len(titles) == 256
    assert sum(len(slugs) for table in titles.values() for slugs in table.values()) == len(papers)
    biggest = max(len(json.dumps(table)) for table in titles.values())
    assert biggest < 8_000, f"a title shard should hold ~20 of 5,000 papers, not {biggest:,} bytes"


def test_a_paper_that_leaves_the_shelf_leaves_the_api(tmp_path: Path) -> None:
    papers = sample_papers()
    write_shelf(tmp_path / "content", papers)
    build(tmp_path)
    (tmp_path / "content" / "papers" / f"{papers[0].slug}.md").unlink()
    build(tmp_path)
    assert not (tmp_path / "output" / urls.api_paper(papers[0].slug)).exists()
    # Its shard held nothing else, so it is gone: a client reads a 404 as "not on the shelf".
    assert not (tmp_path / "output" / urls.api_lookup("arxiv", "2210.05714")).exists()
