"""The built sample site through real validators: the Nu HTML Checker (npm ``vnu-jar``, on
Java) on every page, and a crawl of every file with zero broken internal links."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import urls

from .crawl import crawl
from .support import REPO

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# One page of each kind the site has; every one of them must be among the checked pages.
PAGE_KINDS = {
    "front": "index.html",
    "day": "days/2026-03-13/index.html",
    "paper": "papers/visual-language-maps-for-robot-navigation/index.html",
    "collection": "collections/fine-tuning/index.html",
    "collections index": "collections/index.html",
    "archive": "archives/index.html",
    "about": "about/index.html",
    "not found": "404.html",
    "search": "search/index.html",
    "topic": "topics/diffusion-models/index.html",
    "topics index": "topics/index.html",
    "embed page": "embed/index.html",
    "embed frame": "embed/collections/fine-tuning.html",
}


def nu_check(paths: list[Path]) -> list[dict]:
    """Every error the Nu HTML Checker reports on ``paths`` (its JSON messages)."""
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "Java is not installed: the Nu HTML Checker needs it. Install it with "
            "`sudo apt-get install default-jre-headless` (Debian/Ubuntu).",
            pytrace=False,
        )
    if not VNU.is_file():
        pytest.fail(f"{VNU} is missing: run `npm ci` (make test does) to install vnu-jar.", pytrace=False)
    done = subprocess.run(
        # --stdout: Java itself may write notes to stderr (JAVA_TOOL_OPTIONS, say).
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(done.stdout)["messages"]
    assert (done.returncode != 0) == bool(messages), done.stderr[-2000:]
    return messages


def test_the_nu_checker_finds_no_error_on_any_page_of_the_sample_site(sample_output: Path) -> None:
    pages = sorted(sample_output.rglob("*.html"))
    checked = {p.relative_to(sample_output).as_posix() for p in pages}
    assert set(PAGE_KINDS.values()) <= checked
    assert len(pages) > 400
    errors = [f"{m.get('url', '?')}:{m.get('lastLine', '?')}: {m.get('message')}" for m in nu_check(pages)]
    assert errors == []


def test_the_nu_checker_reports_errors_when_there_are_some(tmp_path: Path) -> None:
    # Proof that the check above can fail: a page with two classic mistakes.
    page = tmp_path / "broken.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><title>x</title></head>'
        '<body><p id="a">one</p><p id="a">two</p><img src="x.png"></body></html>',
        encoding="utf-8",
    )
    messages = [m["message"] for m in nu_check([page])]
    assert any("Duplicate ID" in m for m in messages), messages
    assert any("alt" in m for m in messages), messages


def test_every_internal_link_of_the_sample_site_resolves(sample_output: Path, sample_site: str) -> None:
    files = sorted(p for p in sample_output.rglob("*") if p.is_file())
    seeds = [sample_site + urls.url_for(p.relative_to(sample_output).as_posix()) for p in files]
    report = crawl(sample_site, seeds)
    assert report.problems() == []
    assert len(report.fetched) >= len(files)
