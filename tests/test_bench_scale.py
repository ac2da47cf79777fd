"""bench/scale.py on tiny shelves: the same papers for every tool, real builds, honest checks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .support import REPO

sys.path.insert(0, str(REPO / "bench"))

import scale
import synth

from generator.site.keys import code_digest


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(scale, "WORK", tmp_path)
    return tmp_path


def test_the_synthetic_shelf_is_the_same_every_time(tmp_path: Path) -> None:
    first = synth.write_shelf(30, tmp_path / "a") / "papers"
    second = synth.write_shelf(30, tmp_path / "b") / "papers"
    names = sorted(p.name for p in first.iterdir())
    assert len(names) == 30
    assert names == sorted(p.name for p in second.iterdir())
    assert all((first / n).read_bytes() == (second / n).read_bytes() for n in names)


def test_the_peers_get_the_same_papers(work: Path) -> None:
    papers = list(synth.synthetic_papers(25))
    pelican = scale.pelican_site(25) / "content"
    hugo = scale.hugo_site(25) / "content" / "papers"
    for paper in papers:
        assert f"Title: {paper.title}\n" in (pelican / f"{paper.slug}.md").read_text(encoding="utf-8")
        text = (hugo / f"{paper.slug}.md").read_text(encoding="utf-8")
        assert paper.abstract in text
        assert f'"title": "{paper.title}"' in text


def test_stock_pelican_builds_every_paper_and_its_memory_is_measured(work: Path) -> None:
    site = scale.pelican_site(20)
    run = scale.pelican_build(site)
    pages = [p for p in (site / "output").glob("*.html") if p.stem.startswith("synthetic-paper-")]
    assert len(pages) == 20
    assert run.seconds > 0
    assert run.peak_bytes > 10_000_000  # a Python process running Pelican is tens of MB


def test_a_run_timed_without_sampling_still_reports_its_largest_process(tmp_path: Path) -> None:
    grow = "import sys; block = bytearray(80_000_000); sys.stderr.write('made')"
    run, err = scale.measured([sys.executable, "-c", grow], tmp_path, sample=False)
    assert err == "made"
    assert run.peak_bytes > 80_000_000
    with pytest.raises(SystemExit, match="failed"):
        scale.measured([sys.executable, "-c", "raise SystemExit(3)"], tmp_path, sample=False)


def test_adding_a_paper_reports_the_changed_files_and_checks_them(work: Path) -> None:
    site = work / "shelf"
    synth.write_shelf(40, site)
    shelf = list(synth.synthetic_papers(40))
    cold = scale.papershelf_build(site)
    assert {"read", "pages", "api", "search index", "related"} <= set(cold.stages)
    run, kinds, problems = scale.add_one(site, 0, shelf)
    assert problems == []
    assert kinds["API: papers"] == 1
    assert kinds["paper pages"] >= 1
    assert "sitemap" in kinds
    assert run.seconds > 0


def test_a_failed_build_stops_the_benchmark(work: Path) -> None:
    site = work / "shelf"
    synth.write_shelf(5, site)
    (site / "content" / "papers" / "broken.md").write_text("Title: no date\nSlug: broken\n\nText.\n")
    with pytest.raises(SystemExit, match=r"broken\.md"):
        scale.papershelf_build(site)


def test_the_bytes_of_the_output_are_summed_by_kind(tmp_path: Path) -> None:
    files = {
        "papers/a/index.html": 100,
        "papers/b/index.html": 50,
        "api/papers/a.json": 30,
        "search/data/doc/0.json": 7,
        "feeds/all.atom.xml": 1000,
        "index.html": 5,
    }
    for name, size in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    kinds = scale.bytes_by_kind(tmp_path)
    assert kinds == {
        "paper pages": 150,
        "API: papers": 30,
        "search": 7,
        "feeds and embeds": 1000,
        "other pages": 5,
    }
    assert sum(kinds.values()) == scale.tree_bytes(tmp_path)[1]
    row = {"papers": 2, "bytes": sum(kinds.values()), "kinds": kinds}
    table = scale.bytes_table([row])
    assert "| paper pages | 75 |" in table
    assert "| total | 596 |" in table
    assert table.index("| feeds and embeds | 500 |") < table.index("| paper pages | 75 |")


def test_add_one_times_a_rebuild_and_can_hold_the_code_digest(work: Path) -> None:
    site = work / "shelf"
    synth.write_shelf(40, site)
    scale.papershelf_build(site)
    command = [sys.executable, str(REPO / "bench" / "add_one.py"), str(site)]
    for number in (0, 1):
        done = subprocess.run([*command, str(number), "--hold-code-digest"], capture_output=True, text=True, check=True)
        assert re.search(r"one paper added to 40 papers: \d+\.\d\d s", done.stdout)
        assert "Wrote the JSON API" in done.stderr
        assert (site / "output" / "papers" / f"added-paper-{number:03d}" / "index.html").is_file()
    assert (site / "cache" / "held-code-digest").read_text(encoding="utf-8") == code_digest()
    # --fresh: the build in a new process, as the benchmark runs it, timed whole.
    done = subprocess.run([*command, "2", "--hold-code-digest", "--fresh"], capture_output=True, text=True, check=True)
    assert re.search(r"one paper added in the new process's build: \d+\.\d\d s", done.stdout)
    assert re.search(r"one paper added to 40 papers, in a new process: \d+\.\d\d s", done.stdout)
    assert "Wrote the JSON API" in done.stderr
    assert (site / "output" / "papers" / "added-paper-002" / "index.html").is_file()
