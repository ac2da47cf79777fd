"""No clip is lost: many at once all land exactly once, and a killed backend leaves a valid shelf."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.site.loader import load_papers
from generator.store import Shelf

from .backend_support import TOKEN, arxiv_page, backend, clip
from .conftest import sample_papers
from .support import REPO, write_shelf


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


def test_a_backend_killed_mid_clip_loses_no_acknowledged_clip(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write_shelf(content, sample_papers())
    settings = tmp_path / "pelicanconf.py"
    settings.write_text((REPO / "pelicanconf.py").read_text() + f"\nTHEME = {str(REPO / 'theme')!r}\n")
    token_file = tmp_path / "config" / "token"
    token_file.parent.mkdir(mode=0o700)
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    env = {**os.environ, "PAPERSHELF_TOKEN_FILE": str(token_file)}
    command = [sys.executable, "-m", "generator.cli", "serve", "-s", str(settings), "--port", "0"]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
        acknowledged: list[str] = []
        stop = threading.Event()

        def keep_clipping(worker: int) -> None:
            for n in range(worker * 1000, worker * 1000 + 500):
                if stop.is_set():
                    return
                try:
                    reply = clip(port, page_for(n))
                except OSError:
                    return  # the server is gone
                if reply.status in (200, 201):
                    acknowledged.append(reply.json["slug"])

        threads = [threading.Thread(target=keep_clipping, args=(w,)) for w in range(6)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
        server.stdout.close()
    assert len(acknowledged) >= 40
    papers, errors = load_papers(content / "papers")
    assert errors == [], "every paper file on disk is whole"
    on_disk = {p.slug for p in papers}
    assert set(acknowledged) <= on_disk
    assert len(on_disk) == len({p.arxiv_id or p.slug for p in papers}), "no paper twice"
    with Shelf.open(content / "papers") as shelf:  # the next writer starts cleanly
        assert shelf.errors == []
        assert not [p for p in (content / "papers").iterdir() if p.name.startswith(".tmp-")]
