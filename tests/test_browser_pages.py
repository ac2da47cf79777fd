"""The sample site in Chromium: it renders without errors, on a phone and a desktop, in light
and dark, by keyboard, and loads nothing from anywhere but itself."""

from __future__ import annotations

from pathlib import Path

import pytest

PAPER = "papers/elucidating-the-design-space-of-classifier-guided-diffusion-generation/"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def open_page(chromium, base: str, path: str, *, viewport: str = "desktop", scheme: str = "light"):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: problems.append(f"external request: {r.url}") if not r.url.startswith(base) else None)
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    return context, page, problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("path", ["", PAPER], ids=["front", "paper"])
def test_pages_render_cleanly_at_every_width_and_scheme(
    chromium, sample_site: str, artifacts: Path, path: str, viewport: str, scheme: str
) -> None:
    context, page, problems = open_page(chromium, sample_site, path, viewport=viewport, scheme=scheme)
    try:
        page.screenshot(path=artifacts / f"{viewport}-{scheme}.png", full_page=False)
        assert problems == []
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.locator("h1").first.is_visible() or path == ""
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(21, 22, 26)") == (scheme == "dark")
    finally:
        context.close()


def test_the_keyboard_reaches_the_skip_link_and_navigation_with_a_visible_focus(chromium, sample_site: str) -> None:
    context, page, problems = open_page(chromium, sample_site, PAPER)
    try:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        assert page.evaluate("document.activeElement.getBoundingClientRect().top >= 0")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"
        assert problems == []
    finally:
        context.close()


def test_the_copy_button_copies_the_bibtex_entry(chromium, sample_site: str) -> None:
    context, page, problems = open_page(chromium, sample_site, PAPER)
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sample_site.rstrip("/"))
        button = page.get_by_role("button", name="Copy BibTeX")
        button.focus()
        page.keyboard.press("Enter")
        page.get_by_role("status").filter(has_text="Copied.").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("#bibtex").inner_text()
        assert copied.startswith("@misc{paper2026elucidating,")
        assert problems == []
    finally:
        context.close()


def test_links_from_the_front_page_reach_a_paper_and_its_collection(chromium, sample_site: str) -> None:
    context, page, problems = open_page(chromium, sample_site, "")
    try:
        page.locator("ul.papers h3 a").first.click()
        page.wait_for_load_state()
        assert "/papers/" in page.url
        page.locator(".facts .chip").first.click()
        page.wait_for_load_state()
        assert "/collections/" in page.url
        assert page.locator("ul.papers > li").count() > 0
        assert problems == []
    finally:
        context.close()
