"""Helpers the tests share: a real build of a small shelf, a loopback HTTP server, Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from generator.build import BuildResult, build_site
from generator.model import Paper
from generator.paperfile import format_paper

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("PAPERSHELF_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = REPO / "tests" / "artifacts"  # git-ignored: screenshots and other things to look at


def write_shelf(content: Path, papers: Iterable[Paper]) -> None:
    """Write ``papers`` as paper files under ``content/papers`` (plus the repository's pages)."""
    folder = content / "papers"
    folder.mkdir(parents=True, exist_ok=True)
    for paper in papers:
        (folder / f"{paper.slug}.md").write_text(format_paper(paper), encoding="utf-8")
    shutil.copytree(REPO / "content" / "pages", content / "pages", dirs_exist_ok=True)


def build(
    site: Path,
    *,
    settings_file: str = "pelicanconf.py",
    overrides: dict[str, Any] | None = None,
    strict: bool = True,
) -> BuildResult:
    """A real Pelican build of ``site/content`` into ``site/output`` with the repository's theme."""
    settings = {
        "PATH": str(site / "content"),
        "OUTPUT_PATH": str(site / "output"),
        "CACHE_PATH": str(site / "cache"),
        "THEME": str(REPO / "theme"),
        **(overrides or {}),
    }
    return build_site(REPO / settings_file, overrides=settings, strict=strict)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class PrefixHandler(QuietHandler):
    """Serves the folder under a URL prefix only, as GitHub Pages serves a project site.

    With ``cors`` every response carries ``Access-Control-Allow-Origin: *``, as GitHub
    Pages sends it, so that pages on other origins may read the files (feeds, JSON).
    """

    prefix = ""
    cors = False

    def end_headers(self) -> None:
        if self.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix + "/"):
            return str(Path(self.directory) / "__outside_the_prefix__")
        return super().translate_path(path[len(self.prefix) :])


@contextlib.contextmanager
def serve(directory: Path, prefix: str = "", *, cors: bool = False) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port); yields the base URL, ending in "/"."""
    handler_class = type("Handler", (PrefixHandler,), {"prefix": prefix.rstrip("/"), "cors": cors})
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix.rstrip('/')}/"
    finally:
        server.shutdown()
        server.server_close()
