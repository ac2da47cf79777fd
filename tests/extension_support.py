"""Driving the real extension in Debian's Chromium, on the real URLs it ships for.

Chromium resolves arxiv.org, huggingface.co and journal.example.org to a TLS server on
127.0.0.1 (``--host-resolver-rules``; every other name fails to resolve), which serves the
fixture pages in ``tests/fixtures/pages``.  So the manifest's match patterns and the
content script's URL rules are tested as they ship, and no request leaves the machine.
"""

from __future__ import annotations

import contextlib
import http.server
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .support import CHROMIUM, CHROMIUM_ARGS, REPO

EXTENSION = REPO / "extension"
FIXTURES = REPO / "tests" / "fixtures"
# (host, path prefix) → fixture page
ROUTES = {
    ("arxiv.org", "/abs/"): "arxiv-abs.html",
    ("huggingface.co", "/papers/"): "hf-paper.html",
    ("journal.example.org", "/articles/"): "jsonld-only.html",
}
PAGES = {
    "arxiv": "https://arxiv.org/abs/2305.18290v3",
    "huggingface": "https://huggingface.co/papers/2106.09685",
    "jsonld": "https://journal.example.org/articles/graph-networks-revisited",
}


class FixtureHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        name = next((page for (h, prefix), page in ROUTES.items() if h == host and self.path.startswith(prefix)), None)
        body = (FIXTURES / "pages" / name).read_bytes() if name else b"not a fixture"
        self.send_response(200 if name else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def fixture_sites() -> Iterator[int]:
    """The fixture pages over TLS on 127.0.0.1; yields the port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FixtureHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(FIXTURES / "tls" / "fixture.crt", FIXTURES / "tls" / "fixture.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Browser:
    context: Any  # playwright BrowserContext (persistent, with the extension)
    worker: Any  # the extension's service worker
    extension_id: str

    def url(self, page: str) -> str:
        return f"chrome-extension://{self.extension_id}/{page}"

    def tab_for(self, url: str, timeout: float = 30) -> tuple[int, dict]:
        """The tab id the service worker holds ``url``'s page under, once its lookup is done."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.worker.evaluate(
                """async (url) => {
                    const all = await chrome.storage.session.get(null);
                    for (const [key, state] of Object.entries(all)) {
                        const ready = state.page && state.page.url === url && state.lookup;
                        if (ready) return [Number(key.slice(4)), state.lookup];
                    }
                    return null;
                }""",
                url,
            )
            if found:
                return found[0], found[1]
            time.sleep(0.1)
        raise AssertionError(f"the extension never reported {url}")

    def badge(self, tab_id: int) -> str:
        return self.worker.evaluate("(tabId) => chrome.action.getBadgeText({tabId})", tab_id)

    def set_settings(self, **settings: str) -> None:
        self.worker.evaluate("(settings) => chrome.storage.local.set(settings)", settings)


@contextlib.contextmanager
def chromium_with_extension(playwright: Any, tls_port: int) -> Iterator[Browser]:
    """A persistent Chromium profile with the unpacked extension loaded."""
    rules = ",".join(f"MAP {host} 127.0.0.1:{tls_port}" for host, _ in ROUTES)
    with tempfile.TemporaryDirectory(prefix="papershelf-profile-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=False,  # ... because the flag below chooses the headless mode itself
            ignore_https_errors=True,
            args=[
                "--headless=new",
                # Playwright always passes --disable-extensions; only this flag lets ours load.
                f"--disable-extensions-except={EXTENSION}",
                f"--load-extension={EXTENSION}",
                f"--host-resolver-rules={rules},MAP * ~NOTFOUND,EXCLUDE 127.0.0.1,EXCLUDE localhost",
                *CHROMIUM_ARGS,
            ],
        )
        try:
            worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
            yield Browser(context, worker, worker.url.split("/")[2])
        finally:
            context.close()


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``check`` until it is true; return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
