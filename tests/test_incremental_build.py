"""Incremental builds: a rebuild makes only what changed, and ends byte-identical to a cold build.

Real builds (publishconf.py, so the sitemap is written too) of 120 papers from the
repository's shelf, with small page sizes so that days, collections and topics each span
several pages.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
import os
import re
import shutil
import sys
from pathlib import Path

import jinja2
import pytest

from generator.errors import BuildError
from generator.model import Paper
from generator.paperfile import format_paper, parse_paper
from generator.site import paperparts
from generator.site import parallel as site_parallel
from generator.site import sitemap as site_sitemap

from .support import REPO, build

SETTINGS = {
    "PAPERSHELF": {"front_page_papers": 8, "day_page_size": 10, "listing_page_size": 5, "feed_max_items": 10},
    "PAPERSHELF_JOBS": 2,
}
NEW_SLUG = "a-new-paper-on-test-time-adaptation"


def shelf(site: Path, count: int = 120) -> Path:
    """``count`` papers of the repository's shelf (with its pages) under ``site/content``."""
    papers = site / "content" / "papers"
    papers.mkdir(parents=True)
    for path in sorted((REPO / "content" / "papers").glob("*.md"))[:count]:
        shutil.copy2(path, papers / path.name)
    shutil.copytree(REPO / "content" / "pages", site / "content" / "pages")
    return papers


def built(site: Path) -> None:
    build(site, settings_file="publishconf.py", overrides=SETTINGS)


def snapshot(output: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of ``output``: relative path -> (bytes, mtime_ns)."""
    return {
        p.relative_to(output).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(output.rglob("*"))
        if p.is_file()
    }


def warm_and_cold(site: Path, *prefixes: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The output files of ``site/warm``, and of a cold build of the same content in
    ``site/cold``, which starts from the content alone: no output, no cache of any kind (not
    the Whoosh index, not related papers' state).  Only files starting with ``prefixes``,
    when given."""
    shutil.copytree(site / "warm" / "content", site / "cold" / "content")
    built(site / "cold")

    def files(output: Path) -> dict[str, bytes]:
        return {k: v[0] for k, v in snapshot(output).items() if not prefixes or k.startswith(prefixes)}

    return files(site / "warm" / "output"), files(site / "cold" / "output")


def by_pelican(path: str) -> bool:
    """Files Pelican itself writes on every build (same bytes, new times): theme assets, About."""
    return path.startswith("theme/") or path == "about/index.html"


def new_paper(papers: Path) -> Paper:
    newest = max(parse_paper(p.read_text(encoding="utf-8"), str(p)).date for p in papers.glob("*.md"))
    return Paper(
        title="A New Paper on Test-Time Adaptation",
        abstract="We adapt a pre-trained model to distribution shift at test time, without labels.",
        date=newest + dt.timedelta(days=1),
        slug=NEW_SLUG,
        collections=("distribution-shift",),
        arxiv_id="2611.00001",
        authors=("Ada Lovelace",),
    )


def edit(papers: Path) -> None:
    """A day of shelf life: one paper added, one edited, one retitled, one removed."""
    (papers / f"{NEW_SLUG}.md").write_text(format_paper(new_paper(papers)), encoding="utf-8")
    files = sorted(papers.glob("*.md"))
    edited = parse_paper(files[3].read_text(encoding="utf-8"), str(files[3]))
    files[3].write_text(format_paper(edited.replace(abstract=edited.abstract + " We also release code.")))
    retitled = parse_paper(files[10].read_text(encoding="utf-8"), str(files[10]))
    files[10].write_text(format_paper(retitled.replace(title=retitled.title + ", Revisited")))
    files[20].unlink()


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small shelves are rendered in one process; make cold builds here fork as large ones do.
    monkeypatch.setattr(site_parallel, "PARALLEL_MIN_FILES", 20)


@pytest.mark.usefixtures("parallel")
def test_incremental_builds_after_adds_changes_and_removals_equal_a_cold_build_with_no_caches(tmp_path: Path) -> None:
    papers = shelf(tmp_path / "warm")
    built(tmp_path / "warm")
    edit(papers)
    built(tmp_path / "warm")
    # A second day: two more papers, and two of the first ones gone.
    newest = new_paper(papers)
    for n in (1, 2):
        paper = newest.replace(
            title=f"Test-Time Adaptation Without Labels, Part {n}", slug=f"test-time-adaptation-part-{n}"
        )
        (papers / f"{paper.slug}.md").write_text(format_paper(paper), encoding="utf-8")
    for path in sorted(papers.glob("*.md"))[30:32]:
        path.unlink()
    built(tmp_path / "warm")

    # The cold build renders in two processes.
    warm_files, cold_files = warm_and_cold(tmp_path)
    assert sorted(warm_files) == sorted(cold_files)
    assert [path for path in cold_files if warm_files[path] != cold_files[path]] == []
    assert f"papers/{NEW_SLUG}/index.html" in cold_files
    assert "papers/test-time-adaptation-part-2/index.html" in cold_files
    assert "sitemap.xml" in cold_files


@pytest.mark.usefixtures("parallel")
def test_a_large_sitemap_brought_up_to_date_from_its_record_equals_one_made_cold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small sitemap files, so that 120 papers make a sitemap index with eight parts of
    # paper pages, which rebuilds bring up to date from their record (site.paperparts).
    monkeypatch.setattr(site_sitemap, "MAX_URLS", 40)
    papers = shelf(tmp_path / "warm")
    built(tmp_path / "warm")
    output = tmp_path / "warm" / "output"
    parts = sorted(p.name for p in output.glob("sitemap-papers.*.xml"))
    assert len(parts) == 8
    before = snapshot(output)
    (papers / f"{NEW_SLUG}.md").write_text(format_paper(new_paper(papers)), encoding="utf-8")
    built(tmp_path / "warm")
    after = snapshot(output)
    changed = sorted(p for p in after if p.startswith("sitemap") and after[p] != before.get(p))
    # The part the new paper's page went into, the days' part (a new day), and the index.
    assert len([p for p in changed if p.startswith("sitemap-papers.")]) == 1
    assert "sitemap.xml" in changed
    # A part removed by hand is made again by the next build (here, of a paper file saved
    # again: with nothing changed there is no build); then a day of changes.
    (output / parts[0]).unlink()
    os.utime(sorted(papers.glob("*.md"))[0])
    built(tmp_path / "warm")
    assert (output / parts[0]).read_bytes() == before[parts[0]][0]
    edit(papers)
    built(tmp_path / "warm")
    warm, cold = warm_and_cold(tmp_path, "sitemap", "robots")
    assert warm == cold
    listed = "".join(data.decode() for name, data in cold.items() if name.startswith("sitemap-papers."))
    assert f"/papers/{NEW_SLUG}/" in listed


def test_a_sitemap_build_that_stops_half_way_leaves_no_paper_part_vouched_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site_sitemap, "MAX_URLS", 40)
    papers = shelf(tmp_path / "warm")
    built(tmp_path / "warm")
    (papers / f"{NEW_SLUG}.md").write_text(format_paper(new_paper(papers)), encoding="utf-8")
    # The build stops once the new paper's part is written, before the record (or the
    # sitemap's manifest) says what it was made from.
    real = paperparts.write_record

    def stopping(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("stopped")

    monkeypatch.setattr(paperparts, "write_record", stopping)
    with pytest.raises(BuildError, match="stopped"):
        built(tmp_path / "warm")
    monkeypatch.setattr(paperparts, "write_record", real)
    # The paper leaves again: its part must be made again, not carried with it inside.
    (papers / f"{NEW_SLUG}.md").unlink()
    built(tmp_path / "warm")
    warm, cold = warm_and_cold(tmp_path, "sitemap")
    assert warm == cold


def test_a_rebuild_with_nothing_changed_rewrites_no_file(tmp_path: Path) -> None:
    shelf(tmp_path)
    built(tmp_path)
    before = snapshot(tmp_path / "output")
    built(tmp_path)
    after = snapshot(tmp_path / "output")
    assert {p: v[0] for p, v in after.items()} == {p: v[0] for p, v in before.items()}
    # Every file Papershelf writes keeps its time as well as its bytes.
    assert {p: v for p, v in after.items() if not by_pelican(p)} == {
        p: v for p, v in before.items() if not by_pelican(p)
    }


@pytest.mark.usefixtures("parallel")
def test_adding_a_paper_rewrites_only_the_pages_that_show_it(tmp_path: Path) -> None:
    papers = shelf(tmp_path)
    built(tmp_path)
    before = snapshot(tmp_path / "output")
    paper = new_paper(papers)
    (papers / f"{NEW_SLUG}.md").write_text(format_paper(paper), encoding="utf-8")
    built(tmp_path)
    after = snapshot(tmp_path / "output")

    changed = {path for path, (data, _) in after.items() if before.get(path, (None,))[0] != data}
    touched = {
        path
        for path, (_, mtime) in after.items()
        if path in before and before[path][1] != mtime and not by_pelican(path)
    }
    assert touched <= changed, "a file with the same bytes was rewritten"
    # Nothing is removed but the search shards the new index replaced (they are named by content).
    assert {p for p in before if not p.startswith("search/data/")} <= set(after)

    linking = {
        path
        for path, (data, _) in after.items()
        if re.fullmatch(r"papers/[^/]+/index\.html", path) and f"/papers/{NEW_SLUG}/".encode() in data
    }
    paper_pages = {p for p in changed if p.startswith("papers/")}
    # The new paper's page, and the pages of the papers it is now related to: no others.
    assert paper_pages == {f"papers/{NEW_SLUG}/index.html"} | linking
    assert {p for p in changed if p.startswith("api/papers/")} == {f"api/papers/{NEW_SLUG}.json"}
    # The new day's page, and the pages of the day before it, which now link to a newer day.
    days = {p.split("/")[1] for p in changed if p.startswith("days/")}
    assert days == {paper.date.isoformat(), max(p.split("/")[1] for p in before if p.startswith("days/"))}
    listings = {p.split("/")[1] for p in changed if p.startswith(("collections/", "topics/")) and p.count("/") > 1}
    assert "distribution-shift" in listings
    for path in changed:
        if path.startswith("collections/") and path.count("/") > 1:
            assert path.split("/")[1] == "distribution-shift", path
    # Older numbered pages of the collection keep their bytes: only the newest ones move.
    assert any(p.startswith("collections/distribution-shift/") and p not in changed for p in after)
    assert "index.html" in changed
    assert "sitemap.xml" in changed
    assert not any(p.startswith("theme/") for p in changed)


def test_a_retitled_paper_is_retitled_on_the_pages_that_list_it_as_related(tmp_path: Path) -> None:
    papers = shelf(tmp_path, count=40)
    built(tmp_path)
    output = tmp_path / "output"
    # A paper page that lists another as related, found in the built site itself.
    page, other = next(
        (page, match.group(1))
        for page in sorted(output.glob("papers/*/index.html"))
        for match in [re.search(r'related-heading.*?href="[^"]*/papers/([^/"]+)/"', page.read_text(), re.S)]
        if match
    )
    path = papers / f"{other}.md"
    retitled = parse_paper(path.read_text(encoding="utf-8"), str(path))
    # The same words in capitals: search sees the same paper, so the related lists stay as
    # they were, and only the title shown changes.
    new_title = retitled.title.upper()
    path.write_text(format_paper(retitled.replace(title=new_title)), encoding="utf-8")
    built(tmp_path)
    related = page.read_text().split("related-heading", 1)[1]
    assert html.escape(new_title, quote=False) in related
    assert html.escape(retitled.title, quote=False) not in related


def test_deleted_output_is_made_again(tmp_path: Path) -> None:
    shelf(tmp_path, count=30)
    built(tmp_path)
    page = next((tmp_path / "output" / "papers").glob("*/index.html"))
    record = next((tmp_path / "output" / "api" / "papers").glob("*.json"))
    data, json_data = page.read_bytes(), record.read_bytes()
    shutil.rmtree(page.parent)
    record.unlink()
    built(tmp_path)
    assert page.read_bytes() == data
    assert record.read_bytes() == json_data
    shutil.rmtree(tmp_path / "output")
    built(tmp_path)
    assert page.read_bytes() == data


def test_a_build_that_warned_is_not_taken_as_clean(tmp_path: Path) -> None:
    papers = shelf(tmp_path, count=30)
    (papers / "broken.md").write_text("Title: No date\nSlug: broken\n\nAn abstract.\n", encoding="utf-8")
    for _ in range(2):
        result = build(tmp_path, settings_file="publishconf.py", overrides=SETTINGS, strict=False)
        assert any("broken.md" in w for w in result.warnings)


def _written_by(caplog: pytest.LogCaptureFixture, summary: str) -> int:
    """The process that logged a writer's summary line (a child's records keep its pid)."""
    (record,) = [r for r in caplog.records if re.match(summary, r.getMessage())]
    return record.process or 0


def _pages_written_by(caplog: pytest.LogCaptureFixture) -> int:
    return _written_by(caplog, r"Wrote \d+ pages in ")


def test_a_rebuild_writes_its_pages_and_search_index_beside_the_other_writers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    papers = shelf(tmp_path, count=30)
    with caplog.at_level(logging.INFO):
        built(tmp_path)
    # A cold build renders its pages on every core from the build's own process, and
    # writes the search export there too, after them.
    assert _pages_written_by(caplog) == os.getpid()
    assert _written_by(caplog, "Wrote the browser's search index") == os.getpid()
    caplog.clear()
    (papers / f"{NEW_SLUG}.md").write_text(format_paper(new_paper(papers)), encoding="utf-8")
    with caplog.at_level(logging.INFO):
        built(tmp_path)
    assert _pages_written_by(caplog) != os.getpid()
    assert _written_by(caplog, "Wrote the browser's search index") not in (os.getpid(), _pages_written_by(caplog))
    # The index is updated by the child that writes the browser's index, beside the model.
    assert _written_by(caplog, "Search index updated") == _written_by(caplog, "Wrote the browser's search index")
    docs = (tmp_path / "output" / "search" / "data" / "doc").glob("*.json")
    assert any(NEW_SLUG in doc.read_text(encoding="utf-8") for doc in docs)
    assert (tmp_path / "output" / "papers" / NEW_SLUG / "index.html").is_file()
    # The sitemap, written after the page stage is joined, lists the new page.
    sitemaps = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "output").glob("sitemap*.xml"))
    assert f"/papers/{NEW_SLUG}/" in sitemaps
    caplog.clear()
    (papers / f"{NEW_SLUG}.md").unlink()
    with caplog.at_level(logging.INFO):
        build(tmp_path, settings_file="publishconf.py", overrides={**SETTINGS, "PAPERSHELF_JOBS": 1})
    assert _pages_written_by(caplog) == os.getpid()


def test_a_rebuild_that_changes_much_of_the_shelf_writes_its_search_index_in_place(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    papers = shelf(tmp_path, count=30)
    built(tmp_path)
    for path in sorted(papers.glob("*.md"))[:10]:  # a third of the shelf: related papers start afresh
        paper = parse_paper(path.read_text(encoding="utf-8"), str(path))
        path.write_text(format_paper(paper.replace(title=paper.title + ", Revised")), encoding="utf-8")
    # Only the rebuild's records: the first build's may be there too when an earlier
    # test left the root logger at INFO.
    caplog.clear()
    with caplog.at_level(logging.INFO):
        built(tmp_path)
    assert _written_by(caplog, "Wrote the browser's search index") == os.getpid()
    assert _pages_written_by(caplog) != os.getpid()


@pytest.mark.usefixtures("parallel")
def test_a_rebuild_that_removes_much_of_the_shelf_updates_the_index_beside_and_ends_as_a_cold_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # No paper file is read (the shelf only shrinks), so the index is updated in a child;
    # the update is large, so the browser's index is written in place, after the pages.
    papers = shelf(tmp_path / "warm", count=30)
    built(tmp_path / "warm")
    for path in sorted(papers.glob("*.md"))[:12]:
        path.unlink()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        built(tmp_path / "warm")
    assert _written_by(caplog, "Search index updated") != os.getpid()
    assert _written_by(caplog, "Wrote the browser's search index") == os.getpid()
    warm_files, cold_files = warm_and_cold(tmp_path)
    assert sorted(warm_files) == sorted(cold_files)
    assert [path for path in cold_files if warm_files[path] != cold_files[path]] == []


def test_a_touched_paper_file_makes_a_real_build(tmp_path: Path) -> None:
    papers = shelf(tmp_path, count=30)
    built(tmp_path)
    path = sorted(papers.glob("*.md"))[0]
    paper = parse_paper(path.read_text(encoding="utf-8"), str(path))
    path.write_text(format_paper(paper.replace(title="A Retitled Paper")), encoding="utf-8")
    built(tmp_path)
    assert b"A Retitled Paper" in (tmp_path / "output" / "papers" / paper.slug / "index.html").read_bytes()


def test_a_changed_template_renders_every_page_again(tmp_path: Path) -> None:
    shelf(tmp_path, count=30)
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    settings = {**SETTINGS, "THEME": str(theme)}
    build(tmp_path, settings_file="publishconf.py", overrides=settings)
    template = theme / "templates" / "paper.html"
    template.write_text(template.read_text(encoding="utf-8").replace("Related papers", "See also"))
    build(tmp_path, settings_file="publishconf.py", overrides=settings)
    pages = list((tmp_path / "output" / "papers").glob("*/index.html"))
    with_related = [p for p in pages if b'id="related-heading"' in p.read_bytes()]
    assert with_related
    assert all(b"See also" in p.read_bytes() for p in with_related)


def test_a_rebuild_renders_from_the_templates_compiled_by_the_last_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = shelf(tmp_path, count=30)
    settings = {**SETTINGS, "PAPERSHELF_JOBS": 1}  # every page rendered in this process, where it is counted
    build(tmp_path, settings_file="publishconf.py", overrides=settings)
    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *args: object, **kwargs: object):
        compiled.append(name)
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    path = sorted(papers.glob("*.md"))[0]
    paper = parse_paper(path.read_text(encoding="utf-8"), str(path))
    path.write_text(format_paper(paper.replace(title="A Retitled Paper")), encoding="utf-8")
    build(tmp_path, settings_file="publishconf.py", overrides=settings)
    assert b"A Retitled Paper" in (tmp_path / "output" / "papers" / paper.slug / "index.html").read_bytes()
    assert compiled == []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_a_long_build_shows_progress_on_a_terminal_and_nothing_in_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shelf(tmp_path / "terminal")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    built(tmp_path / "terminal")
    shown = terminal.getvalue()
    assert re.search(r"papers read: [\d,]+/120 \(.* s left\)", shown)
    assert re.search(r"pages rendered: [\d,]+/\d+ \(.* s left\)", shown)
    # The status line is cleared when the work is done (other tests' log handlers may
    # write after it, so not necessarily at the very end).
    assert "\r\x1b[K" in shown[shown.rindex("pages rendered") :]

    shelf(tmp_path / "pipe")
    pipe = Pipe()
    monkeypatch.setattr(sys, "stderr", pipe)
    built(tmp_path / "pipe")
    assert "\r" not in pipe.getvalue()
