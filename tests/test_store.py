"""The shelf on disk: one file per paper, stable slugs, atomic writes, one writer at a time."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from generator.ingest import ingest
from generator.model import Paper
from generator.paperfile import parse_paper
from generator.site.loader import load_papers
from generator.store import Shelf

DUMPS = Path(__file__).parent / "data" / "dumps"
SAMPLE_DUMPS = sorted((Path(__file__).parent.parent / "content" / "dumps").glob("*.txt"))
TODAY = dt.date(2026, 11, 23)


def paper(title: str, **fields) -> Paper:
    return Paper(title=title, abstract=fields.pop("abstract", "An abstract."), date=TODAY, **fields)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_the_same_paper_from_two_sources_is_one_file_in_both_collections(tmp_path: Path) -> None:
    with Shelf.open(tmp_path) as shelf:
        first = shelf.add(paper("Visual Language Maps", collections=("robotics",)))
        second = shelf.add(paper("visual language maps!", collections=("off-the-shelf",), arxiv_id="2210.05714"))
    assert (first.status, second.status) == ("new", "merged")
    (only,) = tmp_path.glob("*.md")
    stored = parse_paper(only.read_text(encoding="utf-8"))
    assert stored.collections == ("off-the-shelf", "robotics")
    assert stored.arxiv_id == "2210.05714"


def test_papers_with_different_arxiv_ids_stay_apart_even_with_one_title(tmp_path: Path) -> None:
    with Shelf.open(tmp_path) as shelf:
        shelf.add(paper("A Survey", arxiv_id="2301.00001"))
        added = shelf.add(paper("A Survey", arxiv_id="2301.00002"))
    assert added.status == "new"
    assert sorted(p.name for p in tmp_path.glob("*.md")) == ["a-survey-2.md", "a-survey.md"]


def test_a_record_without_an_arxiv_id_joins_the_paper_with_its_title(tmp_path: Path) -> None:
    with Shelf.open(tmp_path) as shelf:
        shelf.add(paper("A Survey", arxiv_id="2301.00001"))
        assert shelf.add(paper("a survey", collections=("x",))).status == "merged"


def test_a_slug_never_changes_once_written(tmp_path: Path) -> None:
    with Shelf.open(tmp_path) as shelf:
        shelf.add(paper("Maps", arxiv_id="2210.05714"))
        renamed = shelf.add(paper("Visual Language Maps for Robot Navigation (extended)", arxiv_id="2210.05714"))
    assert renamed.paper.slug == "maps"
    assert renamed.paper.title == "Visual Language Maps for Robot Navigation (extended)"
    assert [p.name for p in tmp_path.glob("*.md")] == ["maps.md"]


def test_colliding_slugs_get_a_number_and_the_first_keeps_its_own(tmp_path: Path) -> None:
    summary = ingest([DUMPS / "slug_collision.txt"], tmp_path, today=TODAY)
    assert summary.counts == {"new": 2, "merged": 1}
    assert sorted(p.name for p in tmp_path.glob("*.md")) == ["models-a-study-2.md", "models-a-study.md"]


def test_reingesting_the_same_input_changes_no_byte_and_no_mtime(tmp_path: Path) -> None:
    ingest(SAMPLE_DUMPS, tmp_path, today=TODAY)
    before = snapshot(tmp_path)
    summary = ingest(SAMPLE_DUMPS, tmp_path, today=TODAY)
    assert summary.counts == {"unchanged": 476}
    assert snapshot(tmp_path) == before


def test_the_sample_dumps_give_432_papers(tmp_path: Path) -> None:
    summary = ingest(SAMPLE_DUMPS, tmp_path, today=TODAY)
    assert summary.counts == {"new": 432, "merged": 44}
    assert len(list(tmp_path.glob("*.md"))) == 432


def test_the_shipped_shelf_is_what_make_shelf_generates(tmp_path: Path) -> None:
    # The Makefile's `shelf` target, in the same order with the same options.
    plan = [
        ("000_41d2661e5c84dc89.txt", "off-the-shelf", dt.date(2026, 3, 13)),
        ("004_f6a31ad6b81f550e.txt", "distribution-shift", dt.date(2026, 3, 11)),
        ("001_bff334f29ba59235.txt", "pretraining", dt.date(2026, 6, 5)),
        ("002_ec4226d9f78839bd.txt", "fine-tuning", dt.date(2026, 11, 23)),
    ]
    dumps = SAMPLE_DUMPS[0].parent
    for name, collection, day in plan:
        ingest([dumps / name], tmp_path, today=TODAY, date=day, collections=[collection])
    shipped = dumps.parent / "papers"
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.md")} == {
        p.name: p.read_bytes() for p in shipped.glob("*.md")
    }


def test_a_script_title_is_stored_as_text_under_a_safe_slug(tmp_path: Path) -> None:
    ingest([DUMPS / "script_title.txt"], tmp_path, today=TODAY)
    (only,) = tmp_path.glob("*.md")
    assert only.name == "script-alert-1-script-robust-prompts.md"
    assert parse_paper(only.read_text(encoding="utf-8")).title == "<script>alert(1)</script> Robust Prompts"


def test_a_hand_broken_file_is_reported_and_its_slug_stays_taken(tmp_path: Path) -> None:
    (tmp_path / "a-survey.md").write_text("this is not a paper file\n", encoding="utf-8")
    with Shelf.open(tmp_path) as shelf:
        assert [e.path for e in shelf.errors] == [str(tmp_path / "a-survey.md")]
        added = shelf.add(paper("A Survey"))
    assert added.paper.slug == "a-survey-2"
    assert (tmp_path / "a-survey.md").read_text(encoding="utf-8") == "this is not a paper file\n"


def test_refresh_sees_files_another_process_wrote(tmp_path: Path) -> None:
    with Shelf.open(tmp_path) as shelf:
        shelf.add(paper("First"))
    with Shelf.open(tmp_path) as other:
        other.add(paper("Second"))
    shelf.refresh()
    assert sorted(p.slug for p in shelf) == ["first", "second"]


_INGEST = """
import datetime as dt, sys
from pathlib import Path
from generator.ingest import ingest
ingest([Path(sys.argv[1])], Path(sys.argv[2]), today=dt.date(2026, 11, 23))
"""


def _big_dump(path: Path, count: int) -> None:
    lines = []
    for n in range(count):
        lines += [f"Paper Number {n} On Robust Things", f"We study robust thing {n}. It works well.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


# Ingest as a subprocess that acknowledges each input file once all its papers are written.
_ACKING_INGEST = """
import datetime as dt, sys
from pathlib import Path
from generator.ingest import ingest
ingest([Path(p) for p in sys.argv[2:]], Path(sys.argv[1]), today=dt.date(2026, 11, 23),
       progress=lambda message: print(message.split(":")[0], flush=True))
"""
KILL_ROUNDS = int(os.environ.get("PAPERSHELF_KILL_ROUNDS", "6"))
KILL_SEED = int(os.environ.get("PAPERSHELF_KILL_SEED", "20261123"))


def _batches(folder: Path, count: int) -> dict[str, list[tuple[str, str]]]:
    """``count`` JSON Lines files of 20 new papers each, plus 10 papers of earlier files
    clipped again into the file's own collection (merges); returns file -> (title, collection)."""
    batches = {}
    for i in range(count):
        numbers = list(range(i * 20, i * 20 + 20)) + [(i * 37 + k * 53) % (i * 20) for k in range(10) if i]
        records = [
            {"title": f"Paper {n} On Robust Things", "abstract": f"Thing {n}. It works.", "collections": [f"b{i}"]}
            for n in numbers
        ]
        path = folder / f"batch-{i:02d}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        batches[path.name] = [(r["title"], f"b{i}") for r in records]
    return batches


def test_ingest_killed_at_random_points_loses_no_acknowledged_paper(tmp_path: Path) -> None:
    batches = _batches(tmp_path, 30)
    inputs = [str(tmp_path / name) for name in batches]
    shelf = tmp_path / "content" / "papers"
    rng = random.Random(KILL_SEED)
    acknowledged: set[str] = set()
    killed = 0
    for round_ in range(KILL_ROUNDS):
        proc = subprocess.Popen(
            [sys.executable, "-c", _ACKING_INGEST, str(shelf), *inputs], stdout=subprocess.PIPE, text=True
        )
        # Kill a random moment after a random number of newly acknowledged files: in the
        # middle of the next file's writes, whatever the speed of the disk.
        target, fresh = rng.randint(1, 4), 0
        while fresh < target and (line := proc.stdout.readline()):
            fresh += line.strip() not in acknowledged
            acknowledged.add(line.strip())
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        killed += proc.wait() == -signal.SIGKILL
        acknowledged.update(proc.stdout.read().split())
        proc.stdout.close()
        where = f"round {round_} (seed {KILL_SEED}, {len(acknowledged)} files acknowledged)"
        papers, errors = load_papers(shelf)
        assert errors == [], where
        # A killed writer may leave its temporary file (the next writer removes it), nothing else.
        assert [p.name for p in shelf.iterdir() if not p.name.endswith(".md") and ".tmp-" not in p.name] == [], where
        on_disk = {p.title: p for p in papers}
        assert len(on_disk) == len(papers), f"{where}: a paper twice"
        for name in acknowledged:
            for title, collection in batches[name]:
                assert title in on_disk, f"{where}: {title!r} of {name} is lost"
                assert collection in on_disk[title].collections, f"{where}: {title!r} lost {collection}"
    assert killed == KILL_ROUNDS, "every round kills the ingest mid-way, not after it finished"
    # The next run finishes the job: every paper, every merge, once.
    summary = ingest([Path(p) for p in inputs], shelf, today=TODAY)
    assert summary.rejections == []
    papers, errors = load_papers(shelf)
    assert errors == []
    assert len(papers) == 600
    assert [p.name for p in shelf.iterdir() if p.name.startswith(".")] == []
    expected: dict[str, set[str]] = {}
    for records in batches.values():
        for title, collection in records:
            expected.setdefault(title, set()).add(collection)
    assert {p.title: set(p.collections) for p in papers} == expected


def test_two_ingests_at_once_write_each_paper_once(tmp_path: Path) -> None:
    dump = tmp_path / "big.txt"
    _big_dump(dump, 400)
    shelf = tmp_path / "papers"
    procs = [subprocess.Popen([sys.executable, "-c", _INGEST, str(dump), str(shelf)]) for _ in range(3)]
    assert [p.wait() for p in procs] == [0, 0, 0]
    names = sorted(p.name for p in shelf.glob("*.md"))
    assert len(names) == 400
    assert not any(name.endswith("-2.md") for name in names)


def test_the_lock_file_lives_beside_the_papers_folder_not_in_it(tmp_path: Path) -> None:
    with Shelf.open(tmp_path / "papers") as shelf:
        shelf.add(paper("A"))
    assert (tmp_path / ".papershelf.lock").exists()
    assert sorted(os.listdir(tmp_path / "papers")) == ["a.md"]
