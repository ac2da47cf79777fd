"""Add one paper to a shelf that bench/scale.py built, and rebuild it in this process, timed.

    .venv/bin/python bench/add_one.py bench/work/shelf-100000 7 --hold-code-digest
    .venv/bin/python bench/add_one.py bench/work/shelf-100000 8 --hold-code-digest --fresh
    .venv/bin/python bench/add_one.py bench/work/shelf-100000 9 --hold-code-digest --profile tottime

For working on the cost of a rebuild: each line of the build's log is shown with the
milliseconds since start-up and the process that logged it (the page stage and the
search export run in child processes on a rebuild), then the whole build's seconds.

Every page's input key includes a digest of Papershelf's own code, so after any change
to the code the next build renders every page again (minutes at 100,000 papers) before
a rebuild can be timed.  ``--hold-code-digest`` keeps the digest of the first run (in
the shelf's cache folder) for later runs, so that two versions of the code can be timed
one after the other on the same shelf; the output they make is that of the first
version's digest, so remove the cache's ``held-code-digest`` file, and rebuild, before
using that output for anything else.  ``--profile SORT`` runs the build under cProfile
in one process (``PAPERSHELF_JOBS=1``) and prints the top of the profile, sorted by
SORT (``tottime``, ``cumulative``).  ``--fresh`` builds in a new process, as the
benchmark and ``papershelf build`` do, and times that process whole (start-up and exit
included): this process has made 100,000 synthetic papers before it builds, which
changes what a build costs in it.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import scale  # noqa: E402
from synth import synthetic_papers  # noqa: E402

from generator.build import build_site, end_process  # noqa: E402
from generator.paperfile import format_paper  # noqa: E402
from generator.site import keys  # noqa: E402

HELD_DIGEST = "held-code-digest"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="a shelf folder of bench/scale.py, such as bench/work/shelf-100000")
    parser.add_argument("number", type=int, help="which added paper (bench/scale.py's added_paper)")
    parser.add_argument("--hold-code-digest", action="store_true", help="keep the first run's code digest")
    parser.add_argument("--profile", metavar="SORT", help="profile the build in one process, sorted by SORT")
    parser.add_argument("--fresh", action="store_true", help="build in a new process and time it whole")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)  # --fresh's new process
    args = parser.parse_args()

    site: Path = args.site.resolve()
    # --fresh's new process builds what this one checked and wrote.
    count = 0 if args.build_only else sum(1 for _ in (site / "content" / "papers").glob("synthetic-*.md"))
    if not count and not args.build_only:
        raise SystemExit(f"no synthetic shelf in {site}: build one with bench/scale.py first")
    if args.hold_code_digest:
        held = site / "cache" / HELD_DIGEST
        if held.is_file():
            # The digest is computed once per process and kept there: setting it first
            # makes every key of this build as the first run's code made them.
            keys._code_digest = held.read_text(encoding="utf-8").strip()
        else:
            held.parent.mkdir(parents=True, exist_ok=True)
            held.write_text(keys.code_digest(), encoding="utf-8")

    if not args.build_only:
        paper = scale.added_paper(args.number, list(synthetic_papers(count)))
        (site / "content" / "papers" / f"{paper.slug}.md").write_text(format_paper(paper), encoding="utf-8")
    if args.fresh:
        held = ["--hold-code-digest"] if args.hold_code_digest else []
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, str(site), str(args.number), "--build-only", *held], check=True)
        print(f"one paper added to {count:,} papers, in a new process: {time.perf_counter() - started:.2f} s")
        return
    logging.basicConfig(
        level=logging.INFO, format="%(relativeCreated)7.0f ms  %(process)d  %(message)s", stream=sys.stderr
    )
    logging.getLogger("pelican").setLevel(logging.WARNING)
    os.environ["PAPERSHELF_SITEURL"] = scale.SITEURL
    overrides = {
        "PATH": str(site / "content"),
        "OUTPUT_PATH": str(site / "output"),
        "CACHE_PATH": str(site / "cache"),
        "THEME": str(REPO / "theme"),
        "SITEURL": scale.SITEURL,
    }
    logging.info("building, with added paper %d", args.number)
    started = time.perf_counter()
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(build_site, REPO / "publishconf.py", overrides={**overrides, "PAPERSHELF_JOBS": 1})
        seconds = time.perf_counter() - started
        pstats.Stats(profile, stream=sys.stdout).sort_stats(args.profile).print_stats(40)
    else:
        build_site(REPO / "publishconf.py", overrides=overrides, strict=True, keep=args.build_only)
        seconds = time.perf_counter() - started
    where = "in the new process's build" if args.build_only else f"to {count:,} papers"
    print(f"one paper added {where}: {seconds:.2f} s", flush=True)
    if args.build_only:
        end_process(0)  # as `papershelf build` ends


if __name__ == "__main__":
    main()
