"""Related papers at one shelf size: from scratch, then one change at a time.

    .venv/bin/python bench/related_bench.py 100000 --index bench/work/shelf-100000/cache/search

On the synthetic shelf of ``synth.py`` (``size`` papers), in ``bench/work/related-N``:

- related papers from scratch (no stored state);
- ``--adds`` papers added one build at a time, then one paper's abstract changed, then one
  paper removed: the Whoosh index update and ``update_related`` timed apart, as a build
  runs them one after the other.

``--index`` copies a Whoosh index of exactly this shelf (a build's ``cache/search``) instead
of building one.  To time another version of the code on the same shelf, run a copy of
this script from a checkout of it (``synth.py`` puts its own checkout first on the path):

    git archive COMMIT | tar -x -C /tmp/before && cp bench/related_bench.py /tmp/before/bench/
    (cd /tmp/before && python bench/related_bench.py 100000 --index ... --work /tmp/rb-before)

Its ``update_related`` must take the index, the state file and the papers.  Results are
printed as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

from generator.search.index import update_index  # noqa: E402
from generator.search.related import update_related  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", type=int)
    parser.add_argument("--index", type=Path, help="a Whoosh index of this shelf to start from")
    parser.add_argument("--adds", type=int, default=10, help="papers added one build at a time")
    parser.add_argument("--work", type=Path, default=HERE / "work")
    args = parser.parse_args()
    work = args.work / f"related-{args.size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    index_dir = work / "search"
    papers = list(synth.synthetic_papers(args.size))
    out: dict = {"papers": args.size, "repo": str(REPO), "date": dt.date.today().isoformat()}
    if args.index:
        shutil.copytree(args.index, index_dir)
    t = time.monotonic()
    update = update_index(index_dir, papers)
    out["index_s"] = round(time.monotonic() - t, 2)
    out["index_changes"] = update.added + update.changed + update.removed

    state = work / "related.state"
    t = time.monotonic()
    update_related(index_dir, state, papers)
    out["cold_s"] = round(time.monotonic() - t, 2)
    out["state_mb"] = round(state.stat().st_size / 1e6, 1)

    # New papers unlike any of the shelf's: synthetic papers of another seed, under new slugs.
    newcomers = [
        p.replace(slug=f"new-{n}-{p.slug}", date=max(q.date for q in papers) + dt.timedelta(days=1))
        for n, p in enumerate(synth.synthetic_papers(args.adds + 1, seed=7))
    ]
    steps: list[dict] = []
    shelf = list(papers)

    def step(kind: str) -> None:
        t = time.monotonic()
        update_index(index_dir, shelf)
        index_s = time.monotonic() - t
        t = time.monotonic()
        update_related(index_dir, state, shelf)
        steps.append({"step": kind, "index_s": round(index_s, 3), "related_s": round(time.monotonic() - t, 3)})
        print(json.dumps(steps[-1]), flush=True)

    for paper in newcomers[: args.adds]:
        shelf.append(paper)
        step("add")
    shelf[len(shelf) // 2] = shelf[len(shelf) // 2].replace(abstract=newcomers[-1].abstract)
    step("change")
    del shelf[len(shelf) // 3]
    step("remove")
    adds = [s["related_s"] for s in steps if s["step"] == "add"]
    out["add_related_median_s"] = round(statistics.median(adds), 3)
    out["add_related_max_s"] = max(adds)
    out["steps"] = steps
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
