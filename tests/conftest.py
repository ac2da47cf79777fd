"""Fixtures shared by the whole suite."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.model import Paper

from .support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, REPO, build, serve, write_shelf


def sample_papers() -> list[Paper]:
    """A small shelf that exercises every page kind: two days, two collections, links."""
    return [
        Paper(
            title="Visual Language Maps for Robot Navigation",
            abstract=(
                "Grounding language to the visual observations of a navigating agent can be performed "
                "using off-the-shelf visual-language models.\n\nVideos are available at https://vlmaps.github.io."
            ),
            date=dt.date(2026, 3, 13),
            slug="visual-language-maps-for-robot-navigation",
            collections=("robotics",),
            arxiv_id="2210.05714",
            authors=("Chenguang Huang", "Oier Mees"),
            links=("https://vlmaps.github.io",),
        ),
        Paper(
            title="Elucidating The Design Space of Classifier-Guided Diffusion Generation",
            abstract="Guidance in conditional diffusion generation matters. Code: https://github.com/AlexMaOLS/EluCD.",
            date=dt.date(2026, 3, 13),
            slug="elucidating-the-design-space-of-classifier-guided-diffusion-generation",
            collections=("diffusion", "off-the-shelf"),
            code=("https://github.com/AlexMaOLS/EluCD",),
        ),
        Paper(
            title="Continual Test-Time Domain Adaptation",
            abstract="Test-time domain adaptation aims to adapt a source pre-trained model to a target domain.",
            date=dt.date(2026, 3, 11),
            slug="continual-test-time-domain-adaptation",
            collections=("off-the-shelf",),
        ),
    ]


@pytest.fixture
def small_site(tmp_path: Path) -> Path:
    """A real build of ``sample_papers()``; returns the folder holding content/ and output/."""
    write_shelf(tmp_path / "content", sample_papers())
    build(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own shelf, built with pelicanconf.py; returns its output folder."""
    site = tmp_path_factory.mktemp("sample")
    shutil.copytree(REPO / "content", site / "content", ignore=shutil.ignore_patterns(".*"))
    build(site)
    return site / "output"


@pytest.fixture(scope="session")
def sample_site(sample_output: Path) -> Iterator[str]:
    """The build of ``sample_output`` served on 127.0.0.1; yields the base URL."""
    with serve(sample_output) as base:
        yield base


def require_chromium() -> None:
    """Fail, never skip, when Chromium is missing: say how to install it."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need it. "
            "Install it with `sudo apt-get install chromium` (Debian/Ubuntu), "
            "or point PAPERSHELF_CHROMIUM at a Chromium binary.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def playwright() -> Iterator[object]:
    """The one Playwright driver of the session (a second sync_playwright cannot start)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright: object) -> Iterator[object]:
    """Debian's Chromium driven by Playwright.  Fails, never skips, when it is missing."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)  # type: ignore[attr-defined]
    yield browser
    browser.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """A git-ignored folder for this test's screenshots."""
    folder = ARTIFACTS / request.node.name.replace("/", "_").replace("[", "-").rstrip("]")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(autouse=True)
def _restore_global_state() -> Iterator[None]:
    """Pelican edits sys.path and loads settings modules into sys.modules; undo both."""
    path, modules = list(sys.path), set(sys.modules)
    yield
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        if name in ("pelicanconf", "publishconf"):
            del sys.modules[name]
