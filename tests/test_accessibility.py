"""axe-core in Chromium: no serious or critical accessibility violation, in light or dark."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

PAGES = {
    "front": "",
    "paper": "papers/visual-language-maps-for-robot-navigation/",
    "day": "days/2026-03-13/",
    "collection": "collections/fine-tuning/",
    "archive": "archives/",
    "about": "about/",
    "not-found": "404.html",
    "embed": "embed/",
    "embed-frame": "embed/collections/fine-tuning.html",
    "topic": "topics/diffusion-models/",
    "search": "search/?q=diffusion%20models",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_or_critical_violations(chromium, sample_site: str, name: str, scheme: str) -> None:
    context = chromium.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(sample_site + PAGES[name])
        if name == "search":  # check the page with its results on it
            page.wait_for_function("document.querySelector('[data-search-results]').ariaBusy === 'false'")
        violations = Axe().run(page).response["violations"]
        serious = [
            (v["id"], v["impact"], v["help"], len(v["nodes"]))
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == []
    finally:
        context.close()
