"""The HTTP server: ``BackendServer`` takes its dependencies (a ``Backend``), so tests run it
in-process on port 0; ``run`` wires up the real ones for ``papershelf serve``."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import logging
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import ConfigError, PapershelfError
from .guards import EXTENSION_ID
from .handlers import Backend
from .protocol import API_VERSION, API_VERSION_HEADER, VERSION_HEADER, ApiError, Request, Response, server_version
from .rebuild import Builder, BuildStatus, Rebuilder, SiteSlots
from .routing import dispatch
from .shelf import LiveShelf

logger = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"
_MAX_QUERY_FIELDS = 50  # no endpoint takes more than a few; parse_qs stops reading past this
# Headers a request may carry once only: two Hosts or two Origins is an attack, not a typo.
_SINGLE = ("host", "origin", "sec-fetch-site", "content-type", "content-length", "x-papershelf-token")


class RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Papershelf"
    sys_version = ""
    timeout = 30  # seconds a client may stall mid-request before its thread is freed
    server: BackendServer

    def __getattr__(self, name: str) -> Any:
        # Every method reaches the router, which answers 405 to the ones it does not serve
        # (the stdlib would answer 501 to a method without a do_ method).
        if name.startswith("do_"):
            return self._respond
        raise AttributeError(name)

    def _respond(self) -> None:
        body_read = False

        def read_body(length: int) -> bytes:
            nonlocal body_read
            body_read = True
            return self.rfile.read(length)

        try:
            request = self._request()
            response = dispatch(self.server.backend, request, read_body)
        except ApiError as exc:
            response = exc.response()
        except TimeoutError:
            # The client stalled in the middle of its body: say so, and close the connection,
            # since the socket cannot be read again (not a failure of ours worth a traceback).
            self.close_connection = True
            response = ApiError(408, "timeout", f"the body did not arrive within {self.timeout} s").response()
        except Exception:
            logger.exception("Unexpected error answering %s %s", self.command, self.path[:200])
            response = ApiError(500, "internal", "the backend failed; its log says why").response()
        if self.command in ("POST", "PUT", "PATCH") and not body_read:
            # The body was never read: close rather than parse it as the next request.
            self.close_connection = True
        self._send(response)

    def _request(self) -> Request:
        headers: dict[str, str] = {}
        for name in _SINGLE:
            values = self.headers.get_all(name) or []
            if len(values) > 1:
                raise ApiError(400, "duplicate-header", f"the {name} header is given more than once")
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), value)
        if "transfer-encoding" in headers:
            raise ApiError(411, "no-length", "chunked bodies are not accepted; send a Content-Length")
        parts = urlsplit(self.path)
        if self.path.startswith("//") or parts.scheme or parts.netloc:
            raise ApiError(400, "invalid", "the request target must be a path")
        try:
            query = parse_qs(parts.query, keep_blank_values=True, max_num_fields=_MAX_QUERY_FIELDS)
        except ValueError:  # parse_qs's way of saying there are too many fields
            raise ApiError(400, "invalid", f"the query has more than {_MAX_QUERY_FIELDS} fields") from None
        return Request(self.command, unquote(parts.path, errors="replace"), query, headers)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header(VERSION_HEADER, server_version())
        self.send_header(API_VERSION_HEADER, str(API_VERSION))
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if response.content_type.startswith("application/json"):
            self.send_header("Cache-Control", "no-store")
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Malformed request lines and headers: answer in the API's JSON, with its headers.
        self.close_connection = True
        self._send(ApiError(code, "bad-request", message or "the request cannot be read").response())

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


class BackendServer(http.server.ThreadingHTTPServer):
    """Loopback only: any other address is refused before a socket is opened."""

    daemon_threads = True

    def __init__(self, backend: Backend, port: int = 0, host: str = LOOPBACK) -> None:
        if host != LOOPBACK:
            raise ValueError(f"the backend binds {LOOPBACK} only, not {host!r}")
        self.backend = backend
        super().__init__((host, port), RequestHandler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can hang without a network.
        http.server.socketserver.TCPServer.server_bind(self)  # type: ignore[attr-defined]
        self.server_name, self.server_port = self.server_address[:2]


@dataclass
class Running:
    server: BackendServer
    rebuilder: Rebuilder | None


@contextmanager
def running(
    papers: Path,
    token: str,
    *,
    port: int = 0,
    build: Builder | None = None,
    watch: Path | None = None,
    state: Path | None = None,
    extension_ids: Collection[str] = (EXTENSION_ID,),
    today: Any = dt.date.today,
    quiet: float = 0.25,
) -> Iterator[Running]:
    """A backend serving ``papers`` (and, with ``build``, a preview rebuilt from ``watch``)."""
    slots = rebuilder = None
    if build is not None:
        if watch is None or state is None:
            raise ValueError("a backend that builds needs the folder to watch and a state folder")
        slots = SiteSlots(state)
        rebuilder = Rebuilder(slots, build, watch, quiet=quiet)
    backend = Backend(
        shelf=LiveShelf(papers),
        token=token,
        extension_ids=frozenset(extension_ids),
        slots=slots,
        build_status=(lambda: rebuilder.status) if rebuilder else BuildStatus,
        on_change=rebuilder.nudge if rebuilder else (lambda: None),
        today=today,
    )
    server = BackendServer(backend, port)
    thread = threading.Thread(target=server.serve_forever, name="papershelf-http", daemon=True)
    thread.start()
    if rebuilder:
        rebuilder.start()
    try:
        yield Running(server, rebuilder)
    finally:
        server.shutdown()
        server.server_close()
        if rebuilder:
            rebuilder.stop()


def pelican_builder(settings_file: Path, overrides: dict[str, Any]) -> Builder:
    """A builder that runs the real Pelican build into the folders the rebuilder picks."""
    from ..build import build_site

    def build(output: Path, cache: Path) -> None:
        build_site(settings_file, overrides={**overrides, "OUTPUT_PATH": str(output), "CACHE_PATH": str(cache)})

    return build


def run(settings_file: Path, *, port: int, extension_ids: Collection[str], token_file: Path) -> None:
    """``papershelf serve``: preview and API until interrupted."""
    from pelican.settings import read_settings

    from ..settings import site_config
    from .token import load_or_create

    if not settings_file.is_file():
        raise ConfigError(f"no settings file at {settings_file}; run from the project folder or pass -s FILE")
    config = site_config(read_settings(str(settings_file)))
    token = load_or_create(token_file)
    state = config.cache_path.resolve() / "serve"
    builder = pelican_builder(settings_file, {})
    with contextlib.ExitStack() as stack:
        try:
            backend = stack.enter_context(
                running(
                    config.papers_path.resolve(),
                    token,
                    port=port,
                    build=builder,
                    watch=config.content_path.resolve(),
                    state=state,
                    extension_ids=extension_ids,
                )
            )
        except OSError as exc:
            raise PapershelfError(f"cannot listen on {LOOPBACK}:{port} ({exc.strerror}); try --port N") from None
        print(f"Papershelf is serving {backend.server.url}/ (the API at {backend.server.url}/api/v1/)", flush=True)
        print(f"The extension's token is in {token_file} (`papershelf token` shows it). Ctrl-C stops.", flush=True)
        threading.Event().wait()
