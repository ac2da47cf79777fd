"""Time building the sample shelf as `make site` does, cold and with nothing changed.

    python bench/sample_build.py --runs 5

Each run is the whole `papershelf build` process (interpreter start-up included, the
install excluded), in a scratch copy of content/ so the repository's output/ is untouched.
A cold run starts with no output/ and no cache/; a second run follows it with nothing
changed.  Prints the medians and a Markdown table row for BENCHMARKS.md.
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


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    papershelf = str(Path(sys.executable).with_name("papershelf"))
    cold, warm = [], []
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch)
        shutil.copytree(REPO / "content", site / "content", ignore=shutil.ignore_patterns(".*"))
        shutil.copytree(REPO / "theme", site / "theme")
        for name in ("pelicanconf.py", "publishconf.py"):
            shutil.copy(REPO / name, site / name)
        papers = len(list((site / "content" / "papers").glob("*.md")))
        for _ in range(args.runs):
            shutil.rmtree(site / "output", ignore_errors=True)
            shutil.rmtree(site / "cache", ignore_errors=True)
            cold.append(timed([papershelf, "build"], site))
            warm.append(timed([papershelf, "build"], site))
    cpu = platform.processor() or platform.machine()
    print(f"{papers} papers, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {args.runs} runs")
    print(f"cold build: median {statistics.median(cold):.2f} s (min {min(cold):.2f}, max {max(cold):.2f})")
    print(f"no-op rebuild: median {statistics.median(warm):.2f} s (min {min(warm):.2f}, max {max(warm):.2f})")
    print(f"| {papers} | {statistics.median(cold):.2f} s | {statistics.median(warm):.2f} s |")


if __name__ == "__main__":
    main()
