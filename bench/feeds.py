"""How long feeds take within a whole build, on synthetic shelves of growing size.

    .venv/bin/python bench/feeds.py 1000 10000 100000

For each size: a synthetic shelf (bench/synth.py, made once under bench/work/), then a
cold build (no output, no caches) and a rebuild with nothing changed, both real builds
with pelicanconf.py.  The feeds' share is the time FeedsGenerator reports for writing
every feed, the OPML and the embed pages, against the build's total.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synth import write_shelf  # noqa: E402

from generator.build import build_site  # noqa: E402

WORK = REPO / "bench" / "work"


class FeedTimer(logging.Handler):
    """Picks the feed generator's own timing out of its log line."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seconds: float | None = None
        self.files = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "generator.pelican_plugin" and record.msg.startswith("Made %d feed files"):
            self.files, _listings, _pages, self.seconds = record.args[:4]


def shelf(count: int) -> Path:
    site = WORK / f"feeds-{count}"
    papers = site / "content" / "papers"
    if not papers.is_dir() or sum(1 for _ in papers.iterdir()) != count:
        write_shelf(count, site)
    return site


def timed_build(site: Path) -> tuple[float, float, int]:
    timer = FeedTimer()
    logger = logging.getLogger("generator.pelican_plugin")
    logger.addHandler(timer)
    logger.setLevel(logging.INFO)
    try:
        result = build_site(
            REPO / "pelicanconf.py",
            overrides={
                "PATH": str(site / "content"),
                "OUTPUT_PATH": str(site / "output"),
                "CACHE_PATH": str(site / "cache"),
                "THEME": str(REPO / "theme"),
            },
        )
    finally:
        logger.removeHandler(timer)
    if timer.seconds is None:
        raise SystemExit("the build did not report its feeds: is FeedsGenerator registered?")
    return result.seconds, timer.seconds, timer.files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", type=int, nargs="+")
    args = parser.parse_args()
    print("| papers | build | total s | feeds s | feeds share | feed files |")
    print("|---:|---|---:|---:|---:|---:|")
    for count in args.sizes:
        site = shelf(count)
        shutil.rmtree(site / "output", ignore_errors=True)
        shutil.rmtree(site / "cache", ignore_errors=True)
        for kind in ("cold", "unchanged"):
            total, feeds, files = timed_build(site)
            print(f"| {count:,} | {kind} | {total:.2f} | {feeds:.2f} | {feeds / total:.1%} | {files} |", flush=True)


if __name__ == "__main__":
    main()
