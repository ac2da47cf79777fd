"""Search at one shelf size, part by part, without building the site or running Pagefind.

    .venv/bin/python bench/search_parts.py 100000

What ``search_bench.py`` measures of Papershelf alone, for when a full side-by-side run
(which builds every page and runs Pagefind) does not fit: on the synthetic shelf of
``synth.py``, in ``bench/work/parts-N``,

- the Whoosh index from scratch (kept between runs: ``--fresh`` rebuilds it), related
  papers from scratch, and the browser's export from scratch (its files written to a
  scratch output folder, as a build does);
- adding one paper that joins on a new day: the index update, then the export updated in
  place (and the files it rewrote), then related papers; median of ``--adds`` papers;
- in Chromium, each query in a fresh browser context, as ``search_bench.py`` does: the
  bytes of the first query and the time to rank once the engine and meta file are loaded.

Results are printed and written to bench/work/search-parts.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import search_bench as sb  # noqa: E402
import synth  # noqa: E402

from generator.model import Paper  # noqa: E402
from generator.search.export import export_index, record_export  # noqa: E402
from generator.search.index import update_index  # noqa: E402
from generator.search.related import update_related  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", type=int)
    parser.add_argument("--fresh", action="store_true", help="rebuild the Whoosh index from scratch")
    parser.add_argument("--adds", type=int, default=3, help="papers added one by one (median reported)")
    args = parser.parse_args()
    work = sb.WORK / f"parts-{args.size}"
    papers = list(synth.synthetic_papers(args.size))
    by_slug = {p.slug: p for p in papers}
    out: dict = {"papers": args.size, "date": dt.date.today().isoformat()}
    index_dir = work / "search"
    if args.fresh:
        shutil.rmtree(index_dir, ignore_errors=True)
    t = time.monotonic()
    update = update_index(index_dir, papers)  # from scratch, or back to exactly these papers
    out["index_s"] = time.monotonic() - t
    out["index_rebuilt"] = update.rebuilt
    out["index_mb"] = sb.folder_size(index_dir) / 1e6

    related = work / "related.sqlite"
    related.unlink(missing_ok=True)
    t = time.monotonic()
    update_related(index_dir, related, papers)
    out["related_s"] = time.monotonic() - t

    scratch = work / "output"
    state = work / "search-export.marshal"
    shutil.rmtree(scratch, ignore_errors=True)
    state.unlink(missing_ok=True)
    t = time.monotonic()
    export = export_index(index_dir, by_slug, {}, state_file=state, output=scratch)
    sb.write_files(scratch, export)
    record_export(state, export)
    out["export_s"] = time.monotonic() - t
    out["export_files"] = len(export.files)
    out["chunk_mb"] = sum(len(f.data) for f in export.files if "/t/" in f.path or "/p/" in f.path) / 1e6
    out["meta_kb"] = next(len(f.data) for f in export.files if f.path == export.meta_path) / 1e3
    meta_path = export.meta_path
    del export

    adds: dict[str, list[float]] = {"index": [], "export": [], "related": [], "files": []}
    day = max(p.date for p in papers)
    grown = list(papers)
    for n in range(1, args.adds + 1):
        new = Paper(
            title=f"A Brand New Paper on Diffusion Distillation, part {n}",
            abstract="We distil a diffusion model into a one-step generator and measure quality.",
            date=day + dt.timedelta(days=n),
            slug=f"brand-new-paper-{n}",
        )
        grown.append(new)
        t = time.monotonic()
        update_index(index_dir, grown)
        adds["index"].append(time.monotonic() - t)
        t = time.monotonic()
        export = export_index(index_dir, {p.slug: p for p in grown}, {}, state_file=state, output=scratch)
        adds["files"].append(sb.write_files(scratch, export))
        record_export(state, export)
        adds["export"].append(time.monotonic() - t)
        assert export.updated, "a paper joining on a new day should update the export in place"
        meta_path = export.meta_path
        t = time.monotonic()
        update_related(index_dir, related, grown)
        adds["related"].append(time.monotonic() - t)
    out["add_one"] = {k: statistics.median(v) for k, v in adds.items()}
    out["add_one_runs"] = adds

    # The browser: search.js served beside the export, as the site serves it.
    engine = scratch / "theme" / "js" / "search.js"
    engine.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "theme" / "static" / "js" / "search.js", engine)
    harness = scratch / "bench" / "index.html"
    harness.parent.mkdir(exist_ok=True)
    harness.write_text(sb.HARNESS % meta_path)
    out["browser"] = browser(scratch)
    out["machine_load"] = os.getloadavg()

    results_file = sb.WORK / "search-parts.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    results[str(args.size)] = out
    results_file.write_text(json.dumps(results, indent=1))
    print(json.dumps(out, indent=1))


def browser(output: Path) -> dict:
    from playwright.sync_api import sync_playwright

    ranks, totals, firsts = [], [], {}
    with sb.serve(output) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(sb.CHROMIUM), args=sb.CHROMIUM_ARGS)
        for query in sb.QUERIES:
            context = chromium.new_context()
            urls: list[str] = []
            context.on("request", lambda request, urls=urls: urls.append(request.url))
            page = context.new_page()
            page.goto(base + "bench/")
            page.wait_for_function("window.ready === true")
            answer = page.evaluate(sb.MEASURE, ["openPapershelf", query])
            context.close()
            ranks.append(answer["rankMs"])
            totals.append(answer["ms"])
            if query in (sb.ONE_WORD, sb.THREE_WORDS):
                raw, gz = sb.fetched_bytes(output, base, [u for u in urls if not u.endswith("/bench/")])
                firsts[query] = {"raw_kb": raw / 1e3, "gz_kb": gz / 1e3, "hits": answer["total"]}
        chromium.close()
    return {
        "queries": len(ranks),
        "rank_median_ms": statistics.median(ranks),
        "rank_p95_ms": sb.percentile(ranks, 95),
        "median_ms": statistics.median(totals),
        "p95_ms": sb.percentile(totals, 95),
        "first_query": firsts,
        "per_query_rank_ms": dict(zip(sb.QUERIES, ranks, strict=True)),
    }


if __name__ == "__main__":
    main()
