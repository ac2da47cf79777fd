"""No clip is lost: many at once all land exactly once, and a backend killed at random points
loses no acknowledged clip and leaves a valid shelf."""

from __future__ import annotations

import http.client
import itertools
import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.site.loader import load_papers
from generator.store import Shelf

from .backend_support import arxiv_page, backend, clip, send, serve_process
from .conftest import sample_papers
from .support import write_shelf


def page_for(n: int) -> dict:
    return arxiv_page(f"2402.{n:05d}", f"Concurrent Clip Number {n}", f"Abstract of clip {n}.")


def test_two_hundred_concurrent_clips_all_land_exactly_once(tmp_path: Path) -> None:
    # 150 papers; 50 of them clipped a second time into another collection, all at once.
    jobs = [(n, "first") for n in range(150)] + [(n, "second") for n in range(0, 150, 3)]
    with backend(tmp_path, sample_papers()) as live, ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(lambda job: clip(live.server.port, page_for(job[0]), [job[1]]), jobs))
        live.rebuilder.wait_for_generation(2, timeout=120)
    assert len(replies) == 200
    assert all(r.status in (200, 201) for r in replies), {r.status for r in replies}
    slugs = [r.json["slug"] for r in replies]
    assert len(set(slugs)) == 150
    created = [r for r in replies if r.status == 201]
    assert len(created) == 150, "each paper is created once, whichever of its two clips came first"
    papers, errors = load_papers(tmp_path / "content" / "papers")
    assert errors == []
    clipped = [p for p in papers if p.title.startswith("Concurrent Clip")]
    assert len(clipped) == 150
    by_number = {int(p.title.rsplit(" ", 1)[1]): p for p in clipped}
    for n, paper in by_number.items():
        assert paper.arxiv_id == f"2402.{n:05d}"
        assert paper.collections == (("first", "second") if n % 3 == 0 else ("first",))


KILL_ROUNDS = int(os.environ.get("PAPERSHELF_KILL_ROUNDS", "4"))
KILL_SEED = int(os.environ.get("PAPERSHELF_KILL_SEED", "20261123"))


_acknowledging = threading.Lock()


def clip_until_stopped(
    port: int, round_: int, seed: int, numbers: Iterator[int], acknowledged: dict[str, set[str]], stop: threading.Event
) -> None:
    """Clip new papers, and papers of earlier rounds again into this round's collection,
    recording what the backend acknowledged, until ``stop`` or the server is gone."""
    rng = random.Random(seed)
    while not stop.is_set():
        n = next(numbers)
        if n > 20 and rng.random() < 0.4:
            n = rng.randrange(n)
        try:
            reply = clip(port, page_for(n), [f"round-{round_}"])
        except (OSError, http.client.HTTPException):
            # The server was killed: before the reply (refused, reset) or during it (cut short).
            return
        if reply.status in (200, 201):
            with _acknowledging:
                acknowledged.setdefault(reply.json["slug"], set()).update(reply.json["collections"])


def held(acknowledged: dict[str, set[str]]) -> int:
    """How many (paper, collection) pairs the backend has acknowledged so far."""
    with _acknowledging:
        return sum(len(c) for c in acknowledged.values())


def test_a_backend_killed_at_random_points_loses_no_acknowledged_clip(tmp_path: Path) -> None:
    write_shelf(tmp_path / "content", sample_papers())
    papers_dir = tmp_path / "content" / "papers"
    rng = random.Random(KILL_SEED)
    acknowledged: dict[str, set[str]] = {}  # slug -> collections the backend said it holds
    numbers = itertools.count()
    for round_ in range(KILL_ROUNDS):
        where = f"round {round_} (seed {KILL_SEED})"
        with serve_process(tmp_path) as (server, port):
            if round_:  # the preview builds again after a kill, whatever the kill interrupted
                deadline = time.monotonic() + 120
                while (build := send(port, "GET", "/api/v1/ping").json["build"])["generation"] < 1:
                    assert build["state"] != "failed", f"{where}: {build}"
                    assert time.monotonic() < deadline, f"{where}: {build}"
                    time.sleep(0.1)
            stop = threading.Event()
            before = held(acknowledged)
            target = before + rng.randint(5, 80)
            threads = [
                threading.Thread(target=clip_until_stopped, args=(port, round_, seed, numbers, acknowledged, stop))
                for seed in rng.sample(range(1 << 30), 4)
            ]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 60
            while held(acknowledged) < target and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.05))
            server.send_signal(signal.SIGKILL)
            assert server.wait(timeout=30) == -signal.SIGKILL
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        assert held(acknowledged) >= target, f"{where}: too few clips acknowledged"
        papers, errors = load_papers(papers_dir)
        assert errors == [], f"{where}: every paper file on disk is whole"
        on_disk = {p.slug: p for p in papers}
        for slug, collections in acknowledged.items():
            assert slug in on_disk, f"{where}: the acknowledged clip {slug} is lost"
            assert collections <= set(on_disk[slug].collections), f"{where}: {slug} lost a collection"
        arxiv_ids = [p.arxiv_id for p in papers if p.arxiv_id]
        assert len(arxiv_ids) == len(set(arxiv_ids)), f"{where}: a paper twice"
    with Shelf.open(papers_dir) as shelf:  # the next writer starts cleanly
        assert shelf.errors == []
        assert not [p for p in papers_dir.iterdir() if p.name.startswith(".tmp-")]
