"""The embed widget and iframe in Chromium, on a host page of another origin, and the
Subscribe control driven by keyboard.  The site is served on one 127.0.0.1 port under a
sub-path, the host page on another, as a blog embedding a GitHub Pages shelf would be."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from axe_playwright_python.sync_playwright import Axe
from lxml.html import builder as E

from generator import urls

from .conftest import sample_papers
from .support import build, serve
from .test_feeds import HOSTILE, TOPIC_OVERRIDES, build_shelf, shelf

pytestmark = pytest.mark.browser

TOPIC = "topics/diffusion-models"
TOPIC_PAPERS = [sample_papers()[1], HOSTILE]  # newest first
# Rules a host page might have; none may reach inside the widget.
HOST_CSS = "li { display: none !important; } a { color: rgb(255, 0, 0) !important; } time { opacity: 1; }"


def host_page(folder: Path, site_url: str, *, iframe: bool = True) -> None:
    """A page of another site that embeds the shelf twice with scripts, and once in an iframe."""
    body = [
        E.H1("A blog that embeds a shelf"),
        E.P(E.A("A link of the host page", href="#", id="host-link"), " ", E.TIME("today", id="host-time")),
        E.SCRIPT(src=f"{site_url}{urls.EMBED_SCRIPT}", **{"data-feed": TOPIC, "data-limit": "5", "async": ""}),
        E.SCRIPT(src=f"{site_url}{urls.EMBED_SCRIPT}", **{"data-feed": "all", "data-limit": "2", "async": ""}),
    ]
    if iframe:
        body.append(E.IFRAME(src=f"{site_url}{urls.embed_frame(TOPIC)}?limit=1", title="Papers", width="400"))
    page = E.HTML(E.HEAD(E.META(charset="utf-8"), E.TITLE("Host"), E.STYLE(HOST_CSS)), E.BODY(*body))
    (folder / "index.html").write_bytes(lxml.html.tostring(page, doctype="<!doctype html>"))


@contextlib.contextmanager
def shelf_and_host(tmp_path: Path, *, cors: bool) -> Iterator[tuple[str, str]]:
    """Build the shelf as published at the site server's own address, then serve a host page."""
    site, host = tmp_path / "site", tmp_path / "host"
    host.mkdir()
    (site / "output").mkdir(parents=True)
    with serve(site / "output", prefix="/shelf", cors=cors) as site_url:
        build_shelf(site, shelf(), settings_file="publishconf.py", overrides={"SITEURL": site_url.rstrip("/")})
        host_page(host, site_url)
        with serve(host) as host_url:
            yield site_url, host_url


def open_page(chromium: Any, url: str, dialogs: list[str], **context_options: Any) -> Any:
    context = chromium.new_context(**context_options)
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    return page


def test_the_widget_renders_a_listing_s_latest_papers_as_text_in_a_host_page(
    chromium: Any, tmp_path: Path, artifacts: Path
) -> None:
    dialogs: list[str] = []
    with shelf_and_host(tmp_path, cors=True) as (site_url, host_url):
        page = open_page(chromium, host_url, dialogs)
        topic = page.locator("div.papershelf-embed").nth(0)
        latest = page.locator("div.papershelf-embed").nth(1)
        topic.locator("li a").first.wait_for()
        latest.locator("li a").first.wait_for()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=artifacts / "host-page.png", full_page=True)

        links = topic.locator("li a")
        assert links.all_text_contents() == [p.title for p in TOPIC_PAPERS]
        assert [a.get_attribute("href") for a in links.all()] == [site_url + urls.paper(p.slug) for p in TOPIC_PAPERS]
        assert topic.locator(".title a").get_attribute("href") == site_url + urls.topic("diffusion-models")
        assert latest.locator("li a").count() == 2

        # The hostile title is text: no element was made from it and no script ran.
        assert links.nth(1).text_content() == "<img src=x onerror=alert(1)>"
        images = "[...document.querySelectorAll('div.papershelf-embed')].map(h => h.shadowRoot.querySelectorAll('img'))"
        assert page.evaluate(images + ".map(found => found.length)") == [0, 0]
        assert dialogs == []

        # Neither page's CSS reaches the other.
        assert links.first.is_visible()  # the host hides every li of its own
        assert links.first.evaluate("a => getComputedStyle(a).color") != "rgb(255, 0, 0)"
        assert page.locator("#host-time").evaluate("t => getComputedStyle(t).display") == "inline"

        # The iframe shows the same papers, one as asked, linking back to the shelf.
        frame = page.frame_locator("iframe")
        items = frame.locator("ol[data-limit-list] > li")
        assert items.count() == 2
        assert [items.nth(i).is_visible() for i in range(2)] == [True, False]
        assert items.locator("a").all_text_contents() == [p.title for p in TOPIC_PAPERS]
        assert items.locator("a").first.get_attribute("href") == site_url + urls.paper(TOPIC_PAPERS[0].slug)
        assert frame.locator("img").count() == 0

        links.first.click()
        page.wait_for_url(site_url + urls.paper(TOPIC_PAPERS[0].slug))
        assert page.locator("h1").text_content() == TOPIC_PAPERS[0].title
        assert dialogs == []
        page.context.close()


def test_without_cors_headers_the_widget_says_so_and_links_to_the_papers(chromium: Any, tmp_path: Path) -> None:
    dialogs: list[str] = []
    with shelf_and_host(tmp_path, cors=False) as (site_url, host_url):
        page = open_page(chromium, host_url, dialogs)
        status = page.locator("div.papershelf-embed").nth(0).locator(".status")
        status.locator("a").wait_for()
        assert status.text_content() == "Could not load the latest papers. See them on the site."
        assert status.locator("a").get_attribute("href") == site_url + urls.topic("diffusion-models")
        assert page.locator("div.papershelf-embed li").count() == 0
        # The iframe needs no CORS at all.
        assert page.frame_locator("iframe").locator("li a").count() == 2
        page.context.close()


def test_a_wrong_data_feed_is_reported_not_fetched(chromium: Any, tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    script = E.SCRIPT(src="embed.js", **{"data-feed": "../../secrets", "async": ""})
    page_html = E.HTML(E.HEAD(E.META(charset="utf-8")), E.BODY(script))
    (host / "index.html").write_bytes(lxml.html.tostring(page_html, doctype="<!doctype html>"))
    (host / "embed.js").write_bytes((Path(__file__).parent.parent / "theme/static/js/embed.js").read_bytes())
    with serve(host) as url:
        context = chromium.new_context()
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(url)
        status = page.locator("div.papershelf-embed .status")
        status.wait_for()
        assert "data-feed must be" in status.text_content()
        assert not [r for r in requests if "secrets" in r or "/feeds/" in r]
        context.close()


def test_the_subscribe_control_works_by_keyboard_and_copies_the_full_feed_address(
    chromium: Any, tmp_path: Path, artifacts: Path
) -> None:
    build_shelf(tmp_path, shelf())  # a local build: relative links, copied as full addresses
    with serve(tmp_path / "output") as site_url:
        origin = site_url.rstrip("/")
        dialogs: list[str] = []
        page = open_page(
            chromium,
            site_url + urls.topic("diffusion-models"),
            dialogs,
            permissions=["clipboard-read", "clipboard-write"],
        )
        control = page.locator("details.subscribe")
        assert control.get_attribute("open") is None
        page.locator("details.subscribe > summary").focus()
        page.keyboard.press("Enter")
        assert control.get_attribute("open") == ""
        page.keyboard.press("Tab")
        atom = f"{origin}/{urls.feed(TOPIC, 'atom')}"
        assert page.evaluate("document.activeElement.href") == atom
        assert page.evaluate("document.activeElement.textContent") == atom  # copy.js shows the full address
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Copy"
        page.keyboard.press("Enter")
        page.locator("details.subscribe .copy-status", has_text="Copied.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == atom
        page.screenshot(path=artifacts / "subscribe.png", full_page=True)
        # Open, with its copy buttons shown, the control passes axe-core too.
        violations = Axe().run(page).response["violations"]
        assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
        page.context.close()


def test_the_embed_page_previews_both_snippets_live(chromium: Any, tmp_path: Path, artifacts: Path) -> None:
    output = build_shelf(tmp_path, shelf())
    with serve(output) as site_url:
        dialogs: list[str] = []
        page = open_page(chromium, site_url + urls.EMBED, dialogs, color_scheme="dark")
        preview = page.locator(".embed-preview div.papershelf-embed li a")
        preview.first.wait_for()
        papers = shelf()
        assert preview.count() == len(papers)  # all of them: fewer than the snippet's limit of 5
        # The widget links to the site it came from, whatever address the feeds were built for.
        assert all(a.get_attribute("href").startswith(site_url + "papers/") for a in preview.all())
        assert page.frame_locator(".embed-preview iframe").locator("li a").count() == len(papers)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=artifacts / "embed-page-dark.png", full_page=True)
        assert dialogs == []
        page.context.close()


def test_a_rebuilt_site_serves_the_same_widget_script_it_documents(tmp_path: Path) -> None:
    output = build_shelf(tmp_path, shelf())
    source = Path(__file__).parent.parent / "theme" / "static" / "js" / "embed.js"
    assert (output / urls.EMBED_SCRIPT).read_bytes() == source.read_bytes()
    build(tmp_path, overrides=TOPIC_OVERRIDES)
    assert (output / urls.EMBED_SCRIPT).read_bytes() == source.read_bytes()
