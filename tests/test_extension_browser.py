"""The extension in Debian's Chromium, end to end: fixture paper pages on their real URLs,
the badge, the popup, a clip through the real backend, and the paper's page in the rebuilt
preview.  Also: what a hostile web page can do to the backend (nothing)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.backend.app import Running
from generator.backend.guards import EXTENSION_ID
from generator.model import Paper
from generator.paperfile import parse_paper

from .backend_support import TOKEN, backend, send
from .conftest import sample_papers
from .extension_support import PAGES, Browser, chromium_with_extension, fixture_sites, wait_until
from .support import REPO, build, serve, write_shelf

pytestmark = pytest.mark.browser

EXPECTED = {
    "arxiv": ("direct-preference-optimization-your-language-model-is-secretly-a-reward-model", "Arxiv: 2305.18290"),
    "huggingface": ("lora-low-rank-adaptation-of-large-language-models", "Arxiv: 2106.09685"),
    "jsonld": ("graph-networks-revisited-message-passing-at-scale", "Doi: 10.5555/jex.2024.0042"),
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with backend(tmp_path_factory.mktemp("browser"), sample_papers()) as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: object, live: Running) -> Iterator[Browser]:
    with fixture_sites() as tls_port, chromium_with_extension(playwright, tls_port) as b:
        b.set_settings(backendUrl=live.server.url, token=TOKEN, siteUrl="")
        yield b


def test_chromium_gives_the_extension_the_id_the_backend_accepts(browser: Browser) -> None:
    assert browser.extension_id == EXTENSION_ID


def test_the_options_page_saves_settings_and_tests_the_connection(browser: Browser, live: Running) -> None:
    page = browser.context.new_page()
    try:
        page.goto(browser.url("options.html"))
        page.fill("#backend-url", "http://evil.example:8642")
        page.click("button[type=submit]")
        page.wait_for_selector("#message:has-text('127.0.0.1')")
        page.fill("#backend-url", live.server.url)
        page.fill("#token", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_selector("#message:has-text('Saved.')")
        page.click("#test")
        page.wait_for_selector("#message:has-text('Connected to Papershelf')")
        page.fill("#token", "wrong")
        page.click("#test")
        page.wait_for_selector("#message:has-text('the token is invalid')")
    finally:
        page.close()
        browser.set_settings(backendUrl=live.server.url, token=TOKEN, siteUrl="")


@pytest.mark.parametrize("kind", ["arxiv", "huggingface", "jsonld"])
def test_a_clip_from_the_popup_reaches_the_rebuilt_site(
    browser: Browser, live: Running, kind: str, artifacts: Path
) -> None:
    slug, expected_line = EXPECTED[kind]
    tab = browser.context.new_page()
    popup = browser.context.new_page()
    try:
        tab.goto(PAGES[kind])
        tab_id, lookup = browser.tab_for(PAGES[kind])
        assert lookup["found"] is False
        assert browser.badge(tab_id) == "+"

        popup.goto(browser.url(f"popup.html?tab={tab_id}"))
        popup.wait_for_selector("body[data-state=ready]")
        assert "Not on your shelf yet." in popup.inner_text("#status")
        popup.select_option("#collection", "__new__")
        popup.fill("#new-collection", f"Clipped from {kind}")
        clicked = time.monotonic()
        popup.click("#clip-button")
        popup.wait_for_selector("body[data-clipped]")
        assert popup.get_attribute("body", "data-clipped") == slug
        served = wait_until(
            lambda: send(live.server.port, "GET", f"/papers/{slug}/").status == 200, 120, f"/papers/{slug}/"
        )
        latency = time.monotonic() - clicked
        (artifacts / "latency.json").write_text(json.dumps({"kind": kind, "click_to_page_s": latency}))
        popup.screenshot(path=str(artifacts / "popup.png"))
        assert served >= 0

        text = (live.server.backend.shelf.folder / f"{slug}.md").read_text()
        assert expected_line in text
        assert f"Collections: clipped-from-{kind}" in text
        page = send(live.server.port, "GET", f"/papers/{slug}/").body.decode()
        assert parse_paper(text).title in page.replace("&#39;", "'")

        wait_until(lambda: browser.badge(tab_id) == "✓", 10, "the badge to show the paper on the shelf")
        popup.wait_for_selector("body[data-state=on-shelf]")
        assert "On your shelf (in clipped-from-" in popup.inner_text("#status")
        popup.click("#preview-link")  # the link opens the paper's page in the preview
    finally:
        tab.close()
        popup.close()


def test_a_page_that_is_not_a_paper_reports_nothing(browser: Browser, live: Running) -> None:
    page = browser.context.new_page()
    try:
        page.goto(f"{live.server.url}/about/")
        time.sleep(1)
        states = browser.worker.evaluate("() => chrome.storage.session.get(null)")
        assert not [s for s in states.values() if s.get("page", {}).get("url", "").endswith("/about/")]
    finally:
        page.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_with_the_backend_down_the_popup_says_how_to_start_it_and_asks_the_published_site(
    browser: Browser, live: Running, tmp_path: Path, artifacts: Path
) -> None:
    dpo = Paper(
        title="Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
        abstract="An abstract.",
        date=dt.date(2026, 1, 5),
        slug="dpo",
        arxiv_id="2305.18290",
        collections=("alignment",),
    )
    write_shelf(tmp_path / "content", [*sample_papers(), dpo])
    build(tmp_path)
    down = f"http://127.0.0.1:{free_port()}"
    with serve(tmp_path / "output") as site:
        browser.set_settings(backendUrl=down, siteUrl=site.rstrip("/"))
        tab = browser.context.new_page()
        popup = browser.context.new_page()
        try:
            tab.goto(PAGES["arxiv"])
            tab_id, lookup = browser.tab_for(PAGES["arxiv"])
            assert lookup["source"] == "site"
            assert lookup["found"] is True
            assert lookup["paper"]["slug"] == "dpo"
            assert browser.badge(tab_id) == "✓"
            popup.goto(browser.url(f"popup.html?tab={tab_id}"))
            popup.wait_for_selector("body[data-state=backend-down]")
            status = popup.inner_text("#status")
            assert f"The Papershelf backend is not running at {down}." in status
            assert "papershelf serve" in status
            assert "On your published shelf (in alignment)." in status
            assert popup.is_hidden("#clip-form")
            popup.screenshot(path=str(artifacts / "popup-backend-down.png"))
        finally:
            tab.close()
            popup.close()
            browser.set_settings(backendUrl=live.server.url, siteUrl="")


def test_a_web_pages_no_cors_and_json_posts_are_refused(browser: Browser, live: Running) -> None:
    before = sorted(p.name for p in live.server.backend.shelf.folder.iterdir())
    statuses: dict[str, int] = {}
    with serve(REPO / "tests" / "fixtures" / "pages") as pages:
        page = browser.context.new_page()
        page.on(
            "response",
            lambda r: statuses.__setitem__(f"{r.request.method} {r.request.headers.get('content-type')}", r.status),
        )
        try:
            page.goto(pages + "csrf-page.html")
            outcome = page.evaluate("(url) => attack(url)", live.server.url)
        finally:
            page.close()
    # The simple request is delivered (no preflight) and refused by the Origin guard;
    # the JSON one needs a preflight, which is refused, so the POST is never sent.
    assert outcome["noCors"] == "opaque:opaque"
    assert statuses.get("POST text/plain") == 403
    assert outcome["json"] == "error:TypeError"
    assert "POST application/json" not in statuses
    assert sorted(p.name for p in live.server.backend.shelf.folder.iterdir()) == before
