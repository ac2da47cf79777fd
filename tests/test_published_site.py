"""The whole way to GitHub Pages, on this machine: `papershelf publish --push` into a bare
repository, a checkout of its gh-pages branch served under /REPO/ as a project site is,
and a crawl of every file in it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import lxml.etree
import pytest

from generator import urls

from .crawl import crawl, html_references
from .gitrepo import IDENTITY, git, make_project, make_remote
from .support import serve

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def papershelf(project: Path, *args: str, siteurl: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **IDENTITY, "PAPERSHELF_SITEURL": siteurl}
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args], cwd=project, env=env, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory):
    """The sample shelf published with `papershelf publish --push` and served from a
    checkout of the remote's gh-pages branch under /REPO/; yields (base URL, checkout)."""
    root = tmp_path_factory.mktemp("published")
    project = make_project(root / "project")
    remote = make_remote(root / "remote.git", project)
    checkout = root / "checkout"
    checkout.mkdir()
    # The server starts first: the build needs its port for SITEURL.
    with serve(checkout, prefix="/REPO") as base:
        done = papershelf(project, "publish", "--push", siteurl=base.rstrip("/"))
        assert done.returncode == 0, done.stderr
        assert "Pushed gh-pages to origin" in done.stdout
        git(checkout, "clone", "--quiet", "--branch", "gh-pages", str(remote), ".")
        yield base, checkout


def site_files(checkout: Path) -> list[Path]:
    return sorted(p for p in checkout.rglob("*") if p.is_file() and ".git" not in p.relative_to(checkout).parts)


def test_the_published_branch_holds_the_site_and_nojekyll(published) -> None:
    base, checkout = published
    assert (checkout / "index.html").is_file()
    assert (checkout / ".nojekyll").read_bytes() == b""
    assert not (checkout / "CNAME").exists()  # no domain configured
    assert (checkout / "sitemap.xml").is_file()
    assert (checkout / "robots.txt").is_file()
    assert git(checkout, "log", "--format=%s", "gh-pages").startswith(f"Publish {base}")


def test_every_link_asset_and_url_resolves_under_the_sub_path(published) -> None:
    base, checkout = published
    files = site_files(checkout)
    seeds = [base + urls.url_for(p.relative_to(checkout).as_posix()) for p in files if p.name != ".nojekyll"]
    report = crawl(base, seeds)
    assert report.problems() == []
    # The crawl read every file of the site, and the pages reference each other plenty.
    assert len(report.fetched) >= len(files) - 1
    assert {u.rsplit(".", 1)[-1] for u in report.fetched if "." in u.rsplit("/", 1)[-1]} >= {"xml", "json", "opml"}
    html = [u for u in report.fetched if u.endswith("/") or u.endswith(".html")]
    assert len(html) > 400
    # Links to other sites are links to papers' homes, never to a SITEURL left at an example.
    assert not {host for host in report.external if "example" in host or host.startswith("127.0.0.1")}


def test_the_sitemap_lists_every_page_with_absolute_urls_under_the_prefix(published) -> None:
    base, checkout = published
    tree = lxml.etree.parse(str(checkout / "sitemap.xml"))
    locs = [loc.text for loc in tree.iterfind("s:url/s:loc", SITEMAP_NS)]
    pages = [p.relative_to(checkout).as_posix() for p in site_files(checkout) if p.suffix == ".html"]
    expected = sorted(
        base + (page[: -len("index.html")] if page.endswith("index.html") else page)
        for page in pages
        if page != "404.html"
    )
    assert locs == expected
    robots = (checkout / "robots.txt").read_text()
    assert f"Sitemap: {base}sitemap.xml" in robots.splitlines()


def test_the_not_found_page_works_at_any_depth(published) -> None:
    # GitHub Pages answers every missing URL with 404.html, whatever its depth, so the
    # page's links must not be relative to where the file is.
    base, checkout = published
    origin = base[: base.index("/REPO/")]
    refs, _ids = html_references((checkout / "404.html").read_bytes(), origin)
    deep = base + "papers/no-such-paper/"
    seeds = sorted({urljoin(deep, ref) for ref in refs if not ref.startswith("#")})
    report = crawl(base, seeds)
    assert report.problems() == []
    assert base + "theme/css/site.css" in "".join(report.fetched)


@pytest.mark.browser
def test_pages_load_in_chromium_under_the_sub_path_without_a_failed_request(published, chromium) -> None:
    # What scripts fetch only shows in a browser: every request a page makes, and its
    # status, for one page of each kind.
    base, checkout = published
    paper = next(p for p in sorted((checkout / "papers").iterdir()) if p.is_dir()).name
    collection = next(p for p in sorted((checkout / "collections").iterdir()) if p.is_dir()).name
    embed = sorted((checkout / "embed").glob("*.html"))[0].name
    pages = ["", f"papers/{paper}/", f"collections/{collection}/", "archives/", "about/", f"embed/{embed}"]
    context = chromium.new_context()
    problems: list[str] = []
    requested: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on(
            "response",
            lambda response: (
                problems.append(f"HTTP {response.status}: {response.url}") if response.status >= 400 else None
            ),
        )
        for path in pages:
            page.goto(base + path, wait_until="networkidle")
    finally:
        context.close()
    assert problems == []
    assert [url for url in requested if not url.startswith(base)] == []
    assert any(".css?v=" in url for url in requested)
