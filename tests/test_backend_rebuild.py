"""The preview rebuilds after changes, debounced, and never serves a half-written site."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from generator.backend.rebuild import Rebuilder, SiteSlots
from generator.paperfile import format_paper

from .backend_support import backend, send
from .conftest import sample_papers


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
        deadline = time.monotonic() + 10
        while rebuilder.status.state != "failed" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert rebuilder.status.state == "failed"
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
