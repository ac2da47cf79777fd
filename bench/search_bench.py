"""Search benchmark: Papershelf's Whoosh index and static shards beside Pagefind, on one built site.

    .venv/bin/pip install -e '.[bench]'          # Pagefind (the binary ships in the wheel)
    .venv/bin/python bench/search_bench.py 1000 10000 [100000]

For each shelf size it writes a synthetic shelf (bench/synth.py), builds the site with
Papershelf, and then measures, on the same output folder:

- the Whoosh index built from scratch (time, size on disk), related papers from scratch,
  the export of the browser's shards (time, files, bytes), and adding one paper (joining
  on a new day) to the index and the shards, then to the related lists;
- Pagefind indexing the paper pages of the same site (title, abstract, links);
- in Chromium, for each query in a fresh browser (cold cache): the bytes fetched for the
  first query (library, index metadata, index chunks, and the data of the 10 results
  shown), and the time to answer once the library and index metadata are loaded.

Raw bytes are what the local server sent; "gz" estimates what GitHub Pages sends (it
gzips JS, JSON and HTML; Pagefind's own files are already compressed).  Results are
printed as Markdown and written to bench/work/search-results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import synth  # noqa: E402

from generator.build import build_site  # noqa: E402
from generator.model import Paper  # noqa: E402
from generator.search.export import export_index, record_export  # noqa: E402
from generator.search.index import update_index  # noqa: E402
from generator.search.related import update_related  # noqa: E402
from generator.site.loader import load_papers  # noqa: E402

WORK = REPO / "bench" / "work"
CHROMIUM = Path(os.environ.get("PAPERSHELF_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ONE_WORD = "diffusion"
THREE_WORDS = "domain adaptation benchmark"
QUERIES = [
    ONE_WORD,
    THREE_WORDS,
    "quantization",
    "robot",
    "speech",
    "transformer",
    "adaptation",
    "benchmark",
    "distillation",
    "segmentation",
    "pretraining",
    "contrastive",
    "hallucination",
    "federated",
    "pruning",
    "reinforcement",
    "graph",
    "domain adaptation",
    "vision transformer",
    "language model",
    "self-supervised learning",
    "knowledge distillation",
    "test-time adaptation",
    "diffusion model training",
    "large language models",
    "point cloud segmentation",
    "reinforcement learning policy",
    "few-shot classification",
    "masked image modeling",
    "neural network pruning",
    "data augmentation",
    "catastrophic forgetting",
]
HARNESS = """<!doctype html><meta charset="utf-8"><title>bench</title>
<script type="module">
window.openPapershelf = async () => {
  const engine = await import("../theme/js/search.js");
  const meta = document.querySelector("link[rel=search-meta]").href;
  const index = await engine.StaticIndex.open(meta);
  return async (q) => {
    const r = await engine.search(index, q, 10);
    const ranked = performance.now();
    await Promise.all(r.hits.map((h) => index.document(h.docnum)));
    return { total: r.total, ranked };
  };
};
window.openPagefind = async () => {
  const pagefind = await import("../pagefind/pagefind.js");
  await pagefind.init();
  return async (q) => {
    const r = await pagefind.search(q);
    const ranked = performance.now();
    await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
    return { total: r.results.length, ranked };
  };
};
window.ready = true;
</script>
<link rel="search-meta" href="../%s">
"""
MEASURE = """
async ([opener, query]) => {
  const run = await window[opener]();
  const t0 = performance.now();
  const { total, ranked } = await run(query);
  const ms = performance.now() - t0;
  return { ms, rankMs: ranked - t0, total };
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--queries", type=int, default=len(QUERIES), help="how many of the queries to time")
    parser.add_argument(
        "--only",
        choices=("index", "browser"),
        help="re-measure only the Whoosh index (from scratch, then adding one paper) or only the browser, "
        "reusing the rest of an earlier run of the same size",
    )
    args = parser.parse_args()
    results_file = WORK / "search-results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    for size in args.sizes:
        print(f"== {size:,} papers (load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
        if args.only == "index":
            results[str(size)].update(index_only(size))
        elif args.only == "browser":
            results[str(size)]["browser"] = browser_measurements(WORK / f"search-{size}" / "output", QUERIES)
        else:
            results[str(size)] = run(size, QUERIES[: args.queries])
        results[str(size)]["machine_load"] = os.getloadavg()
        results[str(size)]["date"] = dt.date.today().isoformat()
        WORK.mkdir(parents=True, exist_ok=True)
        results_file.write_text(json.dumps(results, indent=1))
        print(report(size, results[str(size)]), flush=True)


def run(size: int, queries: list[str]) -> dict:
    site = WORK / f"search-{size}"
    content = synth.write_shelf(size, site)
    out: dict = {"papers": size}
    papers, _ = load_papers(content / "papers")
    by_slug = {p.slug: p for p in papers}
    fresh = site / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)

    t = time.monotonic()
    update_index(fresh / "search", papers)
    out["whoosh_index_s"] = time.monotonic() - t
    out["whoosh_index_mb"] = folder_size(fresh / "search") / 1e6

    t = time.monotonic()
    update_related(fresh / "search", fresh / "related.sqlite", papers)
    out["related_s"] = time.monotonic() - t

    # The export is written to a scratch folder with its state, as a build keeps them,
    # so that adding a paper below can update it in place.
    scratch = fresh / "output"
    state = fresh / "search-export.marshal"
    t = time.monotonic()
    export = export_index(fresh / "search", by_slug, {}, state_file=state, output=scratch)
    write_files(scratch, export)
    record_export(state, export)
    out["export_s"] = time.monotonic() - t
    out["export_files"] = len(export.files)
    out["export_mb"] = sum(len(f.data) for f in export.files) / 1e6
    lexicon = [f for f in export.files if "/t/" in f.path or "/p/" in f.path or "/meta." in f.path]
    out["export_lexicon_mb"] = sum(len(f.data) for f in lexicon) / 1e6
    out["export_lexicon_gz_mb"] = sum(len(gzip.compress(f.data, 6)) for f in lexicon) / 1e6
    out["meta_kb"] = next(len(f.data) for f in export.files if f.path == export.meta_path) / 1e3
    del export

    # The page build reuses the index and related lists just built (the plugin only checks them).
    shutil.rmtree(site / "output", ignore_errors=True)
    cache = site / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    shutil.copytree(fresh / "search", cache / "search")
    shutil.copy(fresh / "related.sqlite", cache / "search-related.sqlite")
    # ... and the export just written, with its state: the build finds it current.
    shutil.copytree(scratch / "search", site / "output" / "search")
    shutil.copy(state, cache / "search-export.marshal")
    t = time.monotonic()
    build_site(
        REPO / "pelicanconf.py",
        overrides={
            "PATH": str(content),
            "OUTPUT_PATH": str(site / "output"),
            "CACHE_PATH": str(cache),
            "THEME": str(REPO / "theme"),
            "TOPICS": {},
        },
    )
    out["site_build_s"] = time.monotonic() - t

    # A new paper joins the shelf today, after every paper already on it.
    new = Paper(
        title="A Brand New Paper on Diffusion Distillation",
        abstract="We distil a diffusion model into a one-step generator and measure quality.",
        date=max(p.date for p in papers) + dt.timedelta(days=1),
        slug="brand-new-paper",
    )
    grown = [*papers, new]
    t = time.monotonic()
    update = update_index(fresh / "search", grown)
    out["add_one_index_s"] = time.monotonic() - t
    assert update.added == 1, update
    t = time.monotonic()
    export = export_index(fresh / "search", {**by_slug, new.slug: new}, {}, state_file=state, output=scratch)
    written = write_files(scratch, export)
    record_export(state, export)
    out["add_one_export_s"] = time.monotonic() - t
    assert export.updated, "adding a paper on a new day should update the export in place"
    out["add_one_export_files"] = written
    t = time.monotonic()
    update_related(fresh / "search", fresh / "related.sqlite", grown)
    out["add_one_related_s"] = time.monotonic() - t

    output = site / "output"
    shutil.rmtree(output / "pagefind", ignore_errors=True)
    t = time.monotonic()
    subprocess.run(
        [
            str(pagefind_binary()),
            "--site",
            str(output),
            "--glob",
            "papers/**/*.html",
            "--root-selector",
            "article.paper-page",
            "--exclude-selectors",
            "section[aria-labelledby=related-heading], section[aria-labelledby=cite-heading], dl.facts",
            "--output-subdir",
            "pagefind",
            "--quiet",
        ],
        check=True,
    )
    out["pagefind_index_s"] = time.monotonic() - t
    out["pagefind_mb"] = folder_size(output / "pagefind") / 1e6
    out["pagefind_files"] = sum(1 for _ in (output / "pagefind").rglob("*") if _.is_file())

    (meta_file,) = (output / "search" / "data").glob("meta.*.json")
    harness = output / "bench" / "index.html"
    harness.parent.mkdir(exist_ok=True)
    harness.write_text(HARNESS % meta_file.relative_to(output).as_posix())
    out["browser"] = browser_measurements(output, queries)
    return out


def index_only(size: int) -> dict:
    """The Whoosh index from scratch, then adding one paper (median of 3)."""
    site = WORK / f"search-{size}"
    papers, _ = load_papers(site / "content" / "papers")
    folder = site / "fresh" / "search"
    shutil.rmtree(folder, ignore_errors=True)
    t = time.monotonic()
    update_index(folder, papers)
    out = {"whoosh_index_s": time.monotonic() - t, "whoosh_index_mb": folder_size(folder) / 1e6}
    times = []
    for n in range(3):
        new = Paper(title=f"Another new paper {n}", abstract="On speech.", date=papers[-1].date, slug=f"new-{n}")
        papers = [*papers, new]
        t = time.monotonic()
        update = update_index(folder, papers)
        times.append(time.monotonic() - t)
        assert update.added == 1, update
    out["add_one_index_s"] = statistics.median(times)
    return out


def browser_measurements(output: Path, queries: list[str]) -> dict:
    from playwright.sync_api import sync_playwright

    measured: dict = {}
    with serve(output) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for tool, opener in (("papershelf", "openPapershelf"), ("pagefind", "openPagefind")):
            times, ranks, firsts = [], [], {}
            for query in queries:
                context = browser.new_context()
                urls: list[str] = []
                # Context-wide, so that requests made by Pagefind's web worker count too.
                context.on("request", lambda request, urls=urls: urls.append(request.url))
                page = context.new_page()
                page.goto(base + "bench/")
                page.wait_for_function("window.ready === true")
                answer = page.evaluate(MEASURE, [opener, query])
                context.close()
                times.append(answer["ms"])
                ranks.append(answer["rankMs"])
                if query in (ONE_WORD, THREE_WORDS):
                    raw, gz = fetched_bytes(output, base, [u for u in urls if not u.endswith("/bench/")])
                    firsts[query] = {"raw_kb": raw / 1e3, "gz_kb": gz / 1e3, "hits": answer["total"]}
            measured[tool] = {
                "queries": len(times),
                "median_ms": statistics.median(times),
                "p95_ms": percentile(times, 95),
                "rank_median_ms": statistics.median(ranks),
                "rank_p95_ms": percentile(ranks, 95),
                "first_query": firsts,
            }
        browser.close()
    return measured


def write_files(folder: Path, export: object) -> int:
    """Write an export's files whose bytes changed, as the build's writer does; how many."""
    written = 0
    for file in export.files:  # type: ignore[attr-defined]
        target = folder / file.path
        try:
            if target.read_bytes() == file.data:
                continue
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.data)
        written += 1
    return written


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(pct / 100 * len(ordered)) - 1)]


def fetched_bytes(output: Path, base: str, urls: list[str]) -> tuple[int, int]:
    raw = gz = 0
    for url in set(urls):
        path = output / unquote(urlparse(url).path).lstrip("/")  # the query string is a cache buster
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            continue  # the browser's own favicon.ico request
        data = path.read_bytes()
        raw += len(data)
        compressed = path.suffix in (".js", ".json", ".html", ".css")
        gz += len(gzip.compress(data, 6)) if compressed else len(data)
    return raw, gz


def pagefind_binary() -> Path:
    from pagefind_bin import get_executable

    return get_executable()


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class _Quiet(http.server.SimpleHTTPRequestHandler):
    # Keep-alive, as any real host has; HTTP/1.0 would add a connection per file.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle's algorithm and
    # delayed ACKs add 40 ms to every response on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class serve:  # a context manager, like tests.support.serve
    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_Quiet, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def report(size: int, r: dict) -> str:
    b = r["browser"]
    ours, pf = b["papershelf"], b["pagefind"]

    def first(tool: dict, query: str) -> str:
        f = tool["first_query"][query]
        return f"{f['raw_kb']:.0f} KB / {f['gz_kb']:.0f} KB gz"

    return "\n".join(
        [
            f"### {size:,} papers ({r['date']}, load average {r['machine_load'][0]:.1f})",
            "",
            "| | Papershelf (Whoosh + shards) | Pagefind 1.5.2 |",
            "|---|---|---|",
            f"| index build | Whoosh {r['whoosh_index_s']:.1f} s + shards {r['export_s']:.1f} s "
            f"(related papers {r['related_s']:.1f} s) | {r['pagefind_index_s']:.1f} s |",
            f"| index on disk | Whoosh {r['whoosh_index_mb']:.1f} MB; shards {r['export_mb']:.1f} MB in "
            f"{r['export_files']:,} files (lexicon {r['export_lexicon_mb']:.1f} MB, "
            f"{r['export_lexicon_gz_mb']:.1f} MB gz; meta {r['meta_kb']:.0f} KB) "
            f"| {r['pagefind_mb']:.1f} MB in {r['pagefind_files']:,} files |",
            f"| first query, 1 word ({ONE_WORD!r}) | {first(ours, ONE_WORD)} | {first(pf, ONE_WORD)} |",
            f"| first query, 3 words ({THREE_WORDS!r}) | {first(ours, THREE_WORDS)} | {first(pf, THREE_WORDS)} |",
            f"| query time after load: ranked, median / p95 ({ours['queries']} queries) "
            f"| {ours['rank_median_ms']:.0f} / {ours['rank_p95_ms']:.0f} ms "
            f"| {pf['rank_median_ms']:.0f} / {pf['rank_p95_ms']:.0f} ms |",
            f"| … and with the 10 results' data, median / p95 "
            f"| {ours['median_ms']:.0f} / {ours['p95_ms']:.0f} ms | {pf['median_ms']:.0f} / {pf['p95_ms']:.0f} ms |",
            f"| add one paper | index {r['add_one_index_s']:.2f} s + shards {r['add_one_export_s']:.2f} s "
            f"= {r['add_one_index_s'] + r['add_one_export_s']:.2f} s ({r.get('add_one_export_files', '?')} files "
            f"rewritten); related {r['add_one_related_s']:.2f} s | (full re-index) |",
            f"| page build (for context) | {r['site_build_s']:.0f} s | |",
            "",
        ]
    )


if __name__ == "__main__":
    main()
