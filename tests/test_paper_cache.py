"""The paper cache of a build: papers read from it equal papers parsed from their files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from generator.model import Paper
from generator.paperfile import format_paper
from generator.search.index import content_hash
from generator.site.loader import SHARDS, PaperCache, paper_stamps, read_shelf
from generator.site.stamp import file_stamps, stamps_with_papers

DAY = dt.date(2026, 3, 13)


def write(folder: Path, number: int, abstract: str = "An abstract.", **fields: object) -> Paper:
    paper = Paper(
        title=f"Paper {number}",
        abstract=abstract,
        date=DAY,
        slug=f"paper-{number}",
        authors=("A. Author",),
        published=dt.date(2025, 1, number % 28 + 1),
        **fields,  # type: ignore[arg-type]
    )
    (folder / f"{paper.slug}.md").write_text(format_paper(paper), encoding="utf-8")
    return paper


def shelf_of(tmp_path: Path, count: int) -> tuple[Path, Path, list[Paper]]:
    folder, cache = tmp_path / "papers", tmp_path / "cache"
    folder.mkdir()
    return folder, cache, [write(folder, n) for n in range(count)]


def test_papers_read_from_the_cache_equal_the_papers_in_their_files(tmp_path: Path) -> None:
    folder, cache, papers = shelf_of(tmp_path, 150)
    first = read_shelf(folder, cache)
    second = read_shelf(folder, cache)
    assert first.read == 150
    assert second.read == 0
    assert second.papers == sorted(papers, key=lambda p: p.slug) == first.papers
    assert second.digests == first.digests
    # The search index's hash of each paper travels with it, as computed from the paper.
    assert second.hashes == first.hashes == {p.slug: content_hash(p) for p in papers}
    assert [type(p.date) for p in second.papers] == [dt.date] * 150


def test_a_paper_file_saved_with_new_text_is_read_again(tmp_path: Path) -> None:
    folder, cache, _papers = shelf_of(tmp_path, 20)
    read_shelf(folder, cache)
    path = folder / "paper-7.md"
    before = path.stat()
    edited = write(folder, 7, abstract="An abstract!")  # the same size, a new time
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    shelf = read_shelf(folder, cache)
    assert shelf.read == 1
    assert edited in shelf.papers


def test_a_removed_paper_file_leaves_the_cache_and_only_its_shard_is_rewritten(tmp_path: Path) -> None:
    folder, cache, _papers = shelf_of(tmp_path, 300)
    read_shelf(folder, cache)
    times = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    (folder / "paper-5.md").unlink()
    shelf = read_shelf(folder, cache)
    assert "paper-5" not in {p.slug for p in shelf.papers}
    assert len(shelf.papers) == 299
    rewritten = [p.name for p in cache.iterdir() if p.stat().st_mtime_ns != times[p.name]]
    assert len(rewritten) == 1
    assert len(read_shelf(folder, cache).papers) == 299


def test_a_damaged_cache_costs_only_time(tmp_path: Path) -> None:
    folder, cache, papers = shelf_of(tmp_path, 100)
    read_shelf(folder, cache)
    for number, shard in enumerate(sorted(cache.iterdir())):
        shard.write_bytes(b"\x00garbage" if number % 2 else shard.read_bytes()[: len(shard.read_bytes()) // 2])
    shelf = read_shelf(folder, cache)
    assert shelf.papers == sorted(papers, key=lambda p: p.slug)
    assert 0 < shelf.read <= 100
    assert len(list(cache.iterdir())) <= SHARDS


def test_the_build_stamps_of_the_paper_files_are_the_stamps_the_shelf_takes(tmp_path: Path) -> None:
    folder, _cache, _papers = shelf_of(tmp_path, 30)
    (folder / ".hidden.md").write_text("not a paper", encoding="utf-8")
    (folder / "notes.txt").write_text("not a paper", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "inner.md").write_text("not on the shelf", encoding="utf-8")
    found = stamps_with_papers([tmp_path], folder)
    assert found.papers is not None
    taken = found.papers.stamps()
    assert taken == paper_stamps(folder)
    assert len(taken) == 30
    # Every other file (the hidden one, the notes, the one in a sub-folder) stamped as before.
    by_column = [(str(folder / n), size, mtime) for n, (mtime, size) in taken.items()]
    assert sorted(found.files + by_column) == file_stamps([tmp_path])
    assert {Path(path).name for path, _size, _mtime in found.files} >= {".hidden.md", "notes.txt", "inner.md"}
    # The same folder spelled otherwise is still found; a folder outside those stamped is not.
    papers_again = stamps_with_papers([tmp_path], Path(f"{folder}/./")).papers
    assert papers_again is not None
    assert papers_again.stamps() == taken
    assert stamps_with_papers([tmp_path / "cache"], folder).papers is None


def test_a_cache_read_in_part_beforehand_gives_the_shelf_a_fresh_read_gives(tmp_path: Path) -> None:
    # The build reads the cache while another process stamps the files: a file saved
    # in between is read from its file, by its new stamp, not from the cache read before.
    folder, cache, _papers = shelf_of(tmp_path, 120)
    read_shelf(folder, cache)
    early = PaperCache(cache)
    for _ in range(SHARDS // 2):
        assert early.read_next()
    path = folder / "paper-7.md"
    before = path.stat()
    edited = write(folder, 7, abstract="An abstract!")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    (folder / "paper-9.md").unlink()
    added = write(folder, 500)
    shelf = read_shelf(folder, cache, stamps=paper_stamps(folder), cache=early)
    assert shelf.read == 2
    assert edited in shelf.papers
    assert added in shelf.papers
    assert "paper-9" not in {p.slug for p in shelf.papers}
    fresh = read_shelf(folder, cache)
    assert (fresh.read, fresh.papers, fresh.digests, fresh.hashes) == (0, shelf.papers, shelf.digests, shelf.hashes)
    assert not early.read_next()
