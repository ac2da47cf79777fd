"""The preview rebuilds after changes, debounced, and never serves a half-written site."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from generator.backend.app import running
from generator.backend.mirror import mirror
from generator.backend.rebuild import Rebuilder, SiteSlots
from generator.paperfile import format_paper

from .backend_support import TOKEN, backend, send, site_builder
from .conftest import sample_papers
from .support import write_shelf


def _wait_for_state(rebuilder: Rebuilder, state: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while rebuilder.status.state != state and time.monotonic() < deadline:
        time.sleep(0.02)
    assert rebuilder.status.state == state


def _files(root: Path) -> dict[str, tuple[int, int]]:
    """relpath -> (inode, mtime) of every file under ``root``."""
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            info = os.stat(os.path.join(folder, name))
            found[os.path.relpath(os.path.join(folder, name), root)] = (info.st_ino, info.st_mtime_ns)
    return found


def _contents(root: Path) -> dict[str, bytes]:
    return {relpath: (root / relpath).read_bytes() for relpath in _files(root)}


def test_a_build_waits_for_readers_of_its_target_and_the_swap_is_atomic(tmp_path: Path) -> None:
    slots = SiteSlots(tmp_path)
    target, output, _ = slots.next_target()
    slots.publish(target)
    assert slots.live == output
    released = threading.Event()
    got_target: list[int] = []

    def reader() -> None:
        with slots.reading() as root:
            assert root == output
            released.wait(timeout=10)

    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.05)
    other, _, _ = slots.next_target()  # the other folder: nobody reads it, so no wait
    slots.publish(other)
    # The first folder is still pinned by the reader: the next build must wait for it.
    waiter = threading.Thread(target=lambda: got_target.append(slots.next_target()[0]))
    waiter.start()
    time.sleep(0.2)
    assert got_target == []
    released.set()
    waiter.join(timeout=10)
    thread.join(timeout=10)
    assert got_target == [target]


def test_a_burst_of_changes_costs_one_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    builds: list[float] = []
    rebuilder = Rebuilder(
        SiteSlots(tmp_path / "state"), lambda _o, _c: builds.append(time.monotonic()), content, quiet=0.3
    )
    rebuilder.start()
    try:
        assert rebuilder.wait_for_generation(1, timeout=10).generation == 1
        for n in range(10):
            (content / f"{n}.md").write_text("x")
            rebuilder.nudge()
            time.sleep(0.02)
        assert rebuilder.wait_for_generation(2, timeout=10).generation == 2
        time.sleep(1.5)
        assert rebuilder.status.generation == 2
    finally:
        rebuilder.stop()


def test_a_failed_build_keeps_the_last_good_site_live(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    fail = threading.Event()

    def build(output: Path, _cache: Path) -> None:
        output.mkdir(parents=True, exist_ok=True)
        if fail.is_set():
            (output / "index.html").write_text("half")
            raise RuntimeError("the theme is broken")
        (output / "index.html").write_text("good")

    slots = SiteSlots(tmp_path / "state")
    rebuilder = Rebuilder(slots, build, content, quiet=0.05)
    rebuilder.start()
    try:
        rebuilder.wait_for_generation(1, timeout=10)
        fail.set()
        (content / "new.md").write_text("x")
        rebuilder.nudge()
        _wait_for_state(rebuilder, "failed")
        assert "theme is broken" in rebuilder.status.error
        with slots.reading() as root:
            assert (root / "index.html").read_text() == "good"
    finally:
        rebuilder.stop()


def test_readers_during_rebuilds_always_get_a_whole_page(tmp_path: Path) -> None:
    papers = sample_papers()
    with backend(tmp_path, papers) as live:
        port = live.server.port
        path = f"/papers/{papers[0].slug}/"
        bad: list[str] = []
        stop = threading.Event()

        def read() -> None:
            while not stop.is_set():
                reply = send(port, "GET", path)
                if reply.status != 200 or not reply.body.rstrip().endswith(b"</html>"):
                    bad.append(f"{reply.status} {reply.body[-40:]!r}")

        readers = [threading.Thread(target=read) for _ in range(3)]
        for thread in readers:
            thread.start()
        paper_file = tmp_path / "content" / "papers" / f"{papers[0].slug}.md"
        for n in range(3):
            paper_file.write_text(format_paper(papers[0].replace(abstract=f"Version {n} " + "long " * 2000)))
            live.rebuilder.nudge()
            live.rebuilder.wait_for_generation(2 + n, timeout=120)
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
        assert bad == []
        assert b"Version 2" in send(port, "GET", path).body


def test_the_preview_answers_503_until_the_first_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    gate = threading.Event()

    def slow_build(output: Path, _cache: Path) -> None:
        gate.wait(timeout=30)
        output.mkdir(parents=True, exist_ok=True)
        (output / "index.html").write_text("<html></html>")

    from generator.backend.app import running

    with running(content / "papers", "t" * 40, build=slow_build, watch=content, state=tmp_path / "state") as live:
        reply = send(live.server.port, "GET", "/")
        assert reply.status == 503
        assert reply.headers["retry-after"] == "1"
        gate.set()
        live.rebuilder.wait_for_generation(1, timeout=30)
        assert send(live.server.port, "GET", "/").status == 200


def test_after_a_change_the_other_folder_is_brought_level_not_built_from_scratch(tmp_path: Path) -> None:
    papers = sample_papers()
    content = tmp_path / "content"
    write_shelf(content, papers)
    real_build = site_builder(content)

    def files_written(output: Path, cache: Path) -> tuple[int, int]:
        """(files the build wrote, files in the folder after it)."""
        before = _files(output)
        real_build(output, cache)
        after = _files(output)
        return sum(1 for p, s in after.items() if before.get(p) != s), len(after)

    made: list[tuple[str, int, int]] = []
    reference: list[tuple[int, int]] = []  # the same changes built by `papershelf build` in one folder

    def counting_build(output: Path, cache: Path) -> None:
        made.append((output.name, *files_written(output, cache)))
        reference.append(files_written(tmp_path / "reference", tmp_path / "reference-cache"))

    with running(
        content / "papers", TOKEN, build=counting_build, watch=content, state=tmp_path / "state", quiet=0.05
    ) as live:
        live.rebuilder.wait_for_generation(1, timeout=120)
        changed = content / "papers" / f"{papers[0].slug}.md"
        changed.write_text(format_paper(papers[0].replace(abstract="A new abstract.")), encoding="utf-8")
        live.rebuilder.nudge()
        assert live.rebuilder.wait_for_generation(2, timeout=120).state == "ok"
        (content / "papers" / f"{papers[1].slug}.md").unlink()
        live.rebuilder.nudge()
        assert live.rebuilder.wait_for_generation(3, timeout=120).state == "ok"
        assert b"A new abstract." in send(live.server.port, "GET", f"/papers/{papers[0].slug}/").body
        assert send(live.server.port, "GET", f"/papers/{papers[1].slug}/").status == 404
        with live.rebuilder.slots.reading() as root:
            assert root is not None
            served = _contents(root)

    # The first build made every file of site-a.  The builds into site-b, then site-a
    # again, each started from a copy of the live site, so each wrote what one build in
    # one folder writes after the same change: far fewer files than the whole site.
    assert [folder for folder, _, _ in made] == ["site-a", "site-b", "site-a"]
    assert made[0][1] == made[0][2] > 100
    assert [(n, total) for _, n, total in made[1:]] == reference[1:], (made, reference)
    assert all(n < total / 2 for _, n, total in made[1:]), made
    # And the live site is what a build from scratch makes of the same shelf.
    real_build(tmp_path / "fresh", tmp_path / "fresh-cache")
    assert served == _contents(tmp_path / "fresh")


def test_a_build_after_a_failed_one_starts_from_a_copy_of_the_live_site(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    fail = threading.Event()

    def build(output: Path, _cache: Path) -> None:
        output.mkdir(parents=True, exist_ok=True)
        if fail.is_set():
            (output / "junk.html").write_text("half")
            raise RuntimeError("the theme is broken")
        (output / "index.html").write_text(f"good {len(list(content.iterdir()))}")

    slots = SiteSlots(tmp_path / "state")
    rebuilder = Rebuilder(slots, build, content, quiet=0.05)
    rebuilder.start()
    try:
        rebuilder.wait_for_generation(1, timeout=10)
        fail.set()
        (content / "new.md").write_text("x")
        rebuilder.nudge()
        _wait_for_state(rebuilder, "failed")
        fail.clear()
        (content / "other.md").write_text("x")
        rebuilder.nudge()
        assert rebuilder.wait_for_generation(2, timeout=10).state == "ok"
        with slots.reading() as root:
            assert root is not None
            assert sorted(p.name for p in root.iterdir()) == ["index.html"]
            assert (root / "index.html").read_text() == "good 2"
    finally:
        rebuilder.stop()


def test_mirror_copies_what_differs_removes_what_is_extra_and_keeps_modification_times(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    (source / "papers" / "a").mkdir(parents=True)
    (source / "papers" / "a" / "index.html").write_text("a")
    (source / "same.json").write_text("same")
    (source / ".nojekyll").write_text("")
    (source / ".tmp-index.html.x").write_text("a killed writer's temporary file")
    first = mirror(source, target)
    assert (first.copied, first.removed) == (3, 0)
    (source / "same.json").write_text("changed, same size")  # a rewrite: new modification time
    os.utime(source / "same.json", ns=(0, 10**18))
    (target / "papers" / "gone").mkdir()
    (target / "papers" / "gone" / "index.html").write_text("stale")
    (target / "papers" / "a" / "index.html").unlink()
    (target / "papers" / "a" / "index.html").mkdir()  # a folder where the source has a file
    second = mirror(source, target)
    assert (second.copied, second.removed, second.same) == (2, 1, 1)
    assert _contents(target) == {
        "papers/a/index.html": b"a",
        "same.json": b"changed, same size",
        ".nojekyll": b"",
    }
    assert (target / "same.json").stat().st_mtime_ns == 10**18
    third = mirror(source, target)
    assert (third.copied, third.removed, third.same) == (0, 0, 3)


def test_a_mirror_stopped_half_way_is_finished_by_the_next(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    for n in range(10):
        (source / f"p{n}").mkdir(parents=True)
        (source / f"p{n}" / "index.html").write_text(str(n))
    asked = iter(range(100))
    stopped = mirror(source, target, stop=lambda: next(asked) >= 6)
    assert stopped.stopped
    assert 0 < stopped.copied < 10
    rest = mirror(source, target)
    assert not rest.stopped
    assert stopped.copied + rest.copied == 10
    assert _contents(target) == _contents(source)


def test_once_idle_the_other_folder_and_its_cache_are_copies_of_the_live_ones(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()

    def build(output: Path, cache: Path) -> None:
        for folder in (output / "papers", cache):
            folder.mkdir(parents=True, exist_ok=True)
        (output / "papers" / "index.html").write_text(f"{len(list(content.iterdir()))} papers")
        (cache / "output-pages.json").write_text("{}")

    slots = SiteSlots(tmp_path / "state")
    rebuilder = Rebuilder(slots, build, content, quiet=0.05)
    rebuilder.start()
    try:
        rebuilder.wait_for_generation(1, timeout=10)
        (content / "a.md").write_text("x")
        rebuilder.nudge()
        assert rebuilder.wait_for_generation(2, timeout=10).state == "ok"
        assert rebuilder.wait_until_idle(timeout=10)
        state = tmp_path / "state"
        assert slots.live == state / "site-b"
        # Made while nothing else was happening, so the next change waits for no copy.
        assert _contents(state / "site-a") == _contents(state / "site-b") == {"papers/index.html": b"1 papers"}
        assert _contents(state / "cache-a") == _contents(state / "cache-b") == {"output-pages.json": b"{}"}
    finally:
        rebuilder.stop()
