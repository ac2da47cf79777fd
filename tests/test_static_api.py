"""The static JSON API a real build writes: paper records and sharded lookup tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import urls
from generator.model import Paper
from generator.site import api
from generator.site.api import lookup_shards, title_key, write_api
from generator.site.model import build_model
from generator.site.output import OutputWriter

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


def write_api_of(papers: list[Paper], site: Path) -> OutputWriter:
    """The API of ``papers`` in ``site/output``, with its manifest and record in ``site/cache``."""
    out = OutputWriter(site / "output", manifest=site / "cache" / "output-api.marshal")
    write_api(build_model(papers), "https://example.org", out, 1, site / "cache" / "api-state.marshal")
    out.finish()
    return out


def lookup_files(site: Path) -> dict[str, bytes]:
    folder = site / "output" / "api" / "lookup"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.json"))}


def cold_lookup_files(papers: list[Paper], site: Path) -> dict[str, bytes]:
    """The lookup files of a build of ``papers`` from nothing, in ``site``."""
    write_api_of(papers, site)
    return lookup_files(site)


def counting_shard_keys(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs whose lookup keys the API computes, from here on."""
    counted: list[str] = []
    real = api.shard_keys

    def counting(paper: Paper) -> api.ShardKeys:
        counted.append(paper.slug)
        return real(paper)

    monkeypatch.setattr(api, "shard_keys", counting)
    return counted


def test_a_rebuild_patches_only_the_lookup_shards_its_changes_touch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.synth import synthetic_papers

    # 600 titles over 256 shards: most shards hold several keys, so patching one keeps others.
    papers = list(synthetic_papers(600))
    write_api_of(papers, tmp_path / "warm")
    retitled = papers[5].replace(title="A Retitled Paper About Lookup Shards")
    added = papers[0].replace(slug="an-added-paper", title="An Added Paper", arxiv_id="2611.09999", doi="")
    changed = [*papers[:5], retitled, *papers[7:], added]  # papers[6] left the shelf
    counted = counting_shard_keys(monkeypatch)
    out = write_api_of(changed, tmp_path / "warm")
    assert sorted(counted) == sorted([retitled.slug, added.slug])

    assert lookup_files(tmp_path / "warm") == cold_lookup_files(changed, tmp_path / "cold")
    shards = {
        urls.api_lookup(kind, key)
        for paper in (papers[5], retitled, papers[6], added)
        for kind, key in (("title", title_key(paper.title)), ("arxiv", paper.arxiv_id), ("doi", paper.doi.lower()))
        if key
    }
    written = {path for path in out.changed if path.startswith("api/lookup/")}
    assert written
    assert written <= shards
    # The shard of the old title still holds other papers' keys: it was patched, not dropped.
    old_shard = tmp_path / "cold" / "output" / urls.api_lookup("title", title_key(papers[5].title))
    others = json.loads(old_shard.read_text(encoding="utf-8"))
    assert others
    assert papers[5].slug not in {slug for slugs in others.values() for slug in slugs}


def test_a_lookup_shard_changed_by_hand_is_made_again_from_every_paper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.synth import synthetic_papers

    papers = list(synthetic_papers(300))
    write_api_of(papers, tmp_path / "warm")
    retitled = papers[3].replace(title="Another Title Entirely")
    # The shard the retitled paper leaves no longer holds what the last build wrote there.
    left = tmp_path / "warm" / "output" / urls.api_lookup("title", title_key(papers[3].title))
    left.write_text('{"a forged key": ["' + papers[0].slug + '"]}', encoding="utf-8")
    changed = [*papers[:3], retitled, *papers[4:]]
    counted = counting_shard_keys(monkeypatch)
    write_api_of(changed, tmp_path / "warm")
    assert len(counted) > len(papers)  # the edited paper's, then everyone's

    assert lookup_files(tmp_path / "warm") == cold_lookup_files(changed, tmp_path / "cold")
