"""Take the README's screenshot of the sample site: `make site`, then
`.venv/bin/python docs/screenshot.py` (needs the test extras and Debian's Chromium)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PAPERSHELF_CHROMIUM", "/usr/bin/chromium")
TARGET = ROOT / "docs" / "screenshot.png"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    output = ROOT / "output"
    if not (output / "index.html").is_file():
        print("No site in output/: run `make site` first.", file=sys.stderr)
        return 1
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            with contextlib.closing(browser):
                page = browser.new_page(viewport={"width": 1100, "height": 760}, color_scheme="light")
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait_until="networkidle")
                page.screenshot(path=TARGET)
    finally:
        server.shutdown()
    print(f"Wrote {TARGET.relative_to(ROOT)} ({TARGET.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
