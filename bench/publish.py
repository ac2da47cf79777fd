"""Time `papershelf publish` beside its peer, plain ghp-import, and the sitemap on its own.

    python bench/publish.py                          # the sample shelf
    python bench/publish.py --shelf bench/work/shelf-10k --runs 3

``--shelf`` is a folder holding content/ (bench/synth.py writes one).  In a scratch Git
repository the script builds the site once with publishconf.py (so every timed publish
rebuilds an unchanged site, as a publish after a local preview does), then times, each run:

- ``papershelf build --publish --strict`` after a one-page change;
- ``papershelf publish`` after another one-page change (the same build, then the checks,
  ghp-import and the branch check): the difference is what publishing adds to a build;
- ``ghp-import -n output`` alone, as Pelican's Makefile runs it after its build: the peer;
- listing the output's pages and writing sitemap.xml, in this process.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.site.sitemap import entries, page_files, sitemap_files  # noqa: E402

SITEURL = "https://keeper.github.io/shelf"
IDENTITY = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@shelf.invalid"}
IDENTITY |= {"GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@shelf.invalid"}


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shelf", type=Path, default=REPO, help="a folder holding content/ (default: the sample)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, **IDENTITY, "PAPERSHELF_SITEURL": SITEURL}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    builds, ours, peer, sitemap = [], [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch)
        shutil.copytree(args.shelf / "content", site / "content", ignore=shutil.ignore_patterns(".*", "dumps"))
        shutil.copytree(REPO / "theme", site / "theme")
        for name in ("pelicanconf.py", "publishconf.py", ".gitignore"):
            shutil.copy(REPO / name, site / name)
        for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "shelf"]):
            subprocess.run(["git", *command], cwd=site, env=env, check=True, capture_output=True)
        papers = len(list((site / "content" / "papers").glob("*.md")))
        build = timed(["papershelf", "build", "--publish", "--strict"], site, env)
        output = site / "output"
        files = sum(1 for p in output.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
        page = site / "content" / "pages" / "run.md"
        for run in range(args.runs):
            # A changed site each time, so each publish makes a commit as a real one does.
            page.write_text(f"Title: Run\nSlug: run\n\nBuild {run}.\n")
            builds.append(timed(["papershelf", "build", "--publish", "--strict"], site, env))
            page.write_text(f"Title: Run\nSlug: run\n\nPublish {run}.\n")
            ours.append(timed(["papershelf", "publish"], site, env))
            peer.append(timed(["ghp-import", "-n", "-b", "peer-pages", "-m", f"run {run}", "output"], site, env))
            started = time.perf_counter()
            sitemap_files(entries(page_files(output), SITEURL, {}), SITEURL)
            sitemap.append(time.perf_counter() - started)
    cpu = platform.processor() or platform.machine()
    print(f"{papers} papers, {files} files ({size / 1e6:.1f} MB), {os.cpu_count()} cores ({cpu}), {args.runs} runs")
    print(f"cold publish build: {build:.2f} s")
    added = [o - b for o, b in zip(ours, builds, strict=True)]
    rows = (
        ("papershelf build --publish", builds),
        ("papershelf publish", ours),
        ("publish minus build", added),
        ("ghp-import alone", peer),
        ("sitemap alone", sitemap),
    )
    for name, times in rows:
        print(f"{name}: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})")
    median = {name: statistics.median(times) for name, times in rows}
    print(
        f"| {papers} | {files} | {build:.2f} s | {median['papershelf build --publish']:.2f} s "
        f"| {median['papershelf publish']:.2f} s | {median['ghp-import alone']:.2f} s "
        f"| {median['publish minus build'] / median['ghp-import alone']:.1f}× | {median['sitemap alone']:.2f} s |"
    )


if __name__ == "__main__":
    main()
