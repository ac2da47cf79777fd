"""Clip-to-page latency: from the click on "Clip" in the extension's popup to the paper's
page being served by the rebuilt preview.

    .venv/bin/python bench/clip_latency.py --runs 5            # the sample shelf (432 papers)
    .venv/bin/python bench/clip_latency.py --runs 3 --synthetic 5000

Debian's Chromium runs the real extension against a real `papershelf serve` backend (in
this process, with the real Pelican build) over a copy of the shelf.  Each run clips the
arXiv fixture page, waits for its page, then removes the paper and waits for the site to
be rebuilt without it, so every run creates the paper anew.  Then, side by side, what
the preview's rebuild is measured against: one `papershelf build` into a folder of its
own after the same paper file is added (the same real build, incremental), in each run
while the browser is open.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.backend.app import running  # noqa: E402
from generator.backend.rebuild import Rebuilder  # noqa: E402
from tests.backend_support import TOKEN, send, site_builder  # noqa: E402
from tests.extension_support import PAGES, chromium_with_extension, fixture_sites, wait_until  # noqa: E402

SLUG = "direct-preference-optimization-your-language-model-is-secretly-a-reward-model"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--synthetic", type=int, metavar="N", help="a synthetic shelf of N papers instead")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="papershelf-clip-bench-") as tmp:
        root = Path(tmp)
        content = root / "content"
        if args.synthetic:
            from bench.synth import write_shelf

            write_shelf(args.synthetic, root)
        else:
            shutil.copytree(REPO / "content", content, ignore=shutil.ignore_patterns(".*", "dumps"))
        papers = content / "papers"
        count = len(list(papers.glob("*.md")))
        build = site_builder(content)
        # The side-by-side build: a copy of the shelf, built into a folder of its own.
        reference = root / "reference"
        shutil.copytree(content, reference / "content")
        reference_build = site_builder(reference / "content")
        reference_build(reference / "output", reference / "cache")
        with (
            running(papers, TOKEN, build=build, watch=content, state=root / "state") as live,
            sync_playwright() as playwright,
            fixture_sites() as tls_port,
            chromium_with_extension(playwright, tls_port) as browser,
        ):
            first = live.rebuilder.wait_for_generation(1, timeout=1800)
            print(f"{count} papers; first build {first.seconds:.2f} s", file=sys.stderr)
            settle(live.rebuilder)
            browser.set_settings(backendUrl=live.server.url, token=TOKEN, siteUrl="")
            latencies, builds, incremental = [], [], []
            for run in range(args.runs):
                tab = browser.context.new_page()
                tab.goto(PAGES["arxiv"])
                tab_id, _ = browser.tab_for(PAGES["arxiv"])
                popup = browser.context.new_page()
                popup.goto(browser.url(f"popup.html?tab={tab_id}"))
                popup.wait_for_selector("body[data-state=ready]")
                generation = live.rebuilder.status.generation
                clicked = time.monotonic()
                popup.click("#clip-button")
                wait_until(lambda: send(live.server.port, "GET", f"/papers/{SLUG}/").status == 200, 1800, "the page")
                latencies.append(time.monotonic() - clicked)
                builds.append(live.rebuilder.wait_for_generation(generation + 1, 60).seconds)
                print(f"run {run + 1}: {latencies[-1]:.2f} s (build {builds[-1]:.2f} s)", file=sys.stderr)
                popup.close()
                tab.close()
                # The same paper file added to the copy, and one build of it.
                added = reference / "content" / "papers" / f"{SLUG}.md"
                shutil.copyfile(papers / f"{SLUG}.md", added)
                started = time.monotonic()
                reference_build(reference / "output", reference / "cache")
                incremental.append(time.monotonic() - started)
                print(f"  papershelf build after adding the paper: {incremental[-1]:.2f} s", file=sys.stderr)
                added.unlink()
                reference_build(reference / "output", reference / "cache")
                generation = live.rebuilder.status.generation
                (papers / f"{SLUG}.md").unlink()
                live.rebuilder.nudge()
                live.rebuilder.wait_for_generation(generation + 1, 1800)
                settle(live.rebuilder)
    print(
        f"| {count:,} | {args.runs} | {statistics.median(latencies):.2f} s | {min(latencies):.2f} s "
        f"| {max(latencies):.2f} s | {statistics.median(builds):.2f} s | {statistics.median(incremental):.2f} s |"
    )


def settle(rebuilder: Rebuilder) -> None:
    """Wait until the preview has copied the live build to its idle folder.

    A clip seconds after the previous change waits for that copy (see BENCHMARKS.md); the
    runs measure a clip on a settled preview, and this says how long settling took.
    """
    started = time.monotonic()
    if not rebuilder.wait_until_idle(1800):
        raise SystemExit("the preview did not settle")
    print(f"  settled {time.monotonic() - started:.2f} s after the build", file=sys.stderr)


if __name__ == "__main__":
    main()
