"""What a request must be to reach a handler.  Each guard raises ``ApiError`` or returns.

The order follows the Zotero connector server, with Joplin's pairing token on writes:

1. ``check_host`` — every request, the preview included: a ``Host`` other than
   127.0.0.1 / localhost / [::1] means a DNS-rebinding page is talking to us (421).
2. ``check_api_version`` — a client speaking another API version gets 412, not a guess.
3. ``check_origin`` — a request that carries an ``Origin`` must come from the extension:
   the Chromium id pinned by the manifest's ``key`` (or one given with --extension-id),
   or any ``moz-extension://`` UUID (Firefox makes one per install, so it cannot be
   pinned; the token decides there).  Web pages are refused (403).
4. ``check_fetch_site`` — ``Sec-Fetch-Site``, when sent, must be ``none`` (the
   extension's service worker); a page's request says same-site or cross-site (403).
5. ``check_token`` — every write carries the pairing token (401).
6. ``check_json_body`` — writes are JSON, with a Content-Length under the limit
   (415 / 411 / 413).  A page's no-cors ``text/plain`` POST fails here too.

No response ever grants CORS, and OPTIONS is refused, so a page never gets a preflight
through: the guards above are the second line, not the only one.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from .protocol import API_VERSION, API_VERSION_HEADER, TOKEN_HEADER, ApiError, Request
from .token import matches

# The Chromium id of the extension in extension/, derived from the manifest's "key"
# (tests/test_extension_manifest.py holds the two together).
EXTENSION_ID = "higomafieajmbbhmncihmhadadfojdaf"

_LOOPBACK_HOST = re.compile(r"^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$", re.IGNORECASE)
_CHROME_ID = re.compile(r"^[a-p]{32}$")
_MOZ_ORIGIN = re.compile(r"^moz-extension://[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_JSON_TYPE = re.compile(r"^application/json\s*(?:;\s*charset\s*=\s*\"?utf-8\"?\s*)?$", re.IGNORECASE)


def is_extension_id(value: str) -> bool:
    return bool(_CHROME_ID.match(value))


def check_host(request: Request) -> None:
    host = request.header("host")
    if host is None:
        raise ApiError(400, "no-host", "the request has no Host header")
    if not _LOOPBACK_HOST.match(host):
        raise ApiError(
            421,
            "wrong-host",
            f"this server answers only to 127.0.0.1, localhost or [::1], not to {host[:100]!r}",
        )


def check_api_version(request: Request, path_version: int) -> None:
    """The version in the path (``/api/v1``) and in the optional header must both be ours."""
    header = request.header(API_VERSION_HEADER)
    if path_version != API_VERSION or (header is not None and header.strip() != str(API_VERSION)):
        raise ApiError(
            412,
            "api-version",
            f"this Papershelf speaks API version {API_VERSION}; update the extension or Papershelf "
            "so that both speak the same version",
        )


def check_origin(request: Request, extension_ids: Collection[str]) -> None:
    origin = request.header("origin")
    if origin is None:
        return
    if origin.startswith("chrome-extension://") and origin.removeprefix("chrome-extension://") in extension_ids:
        return
    if _MOZ_ORIGIN.match(origin):
        return
    raise ApiError(403, "origin", f"requests from {origin[:100]!r} are refused: only the Papershelf extension may call")


def check_fetch_site(request: Request) -> None:
    site = request.header("sec-fetch-site")
    if site is not None and site.strip().lower() != "none":
        raise ApiError(403, "fetch-site", f"requests made by a web page (Sec-Fetch-Site: {site[:30]}) are refused")


def check_token(request: Request, token: str) -> None:
    given = request.header(TOKEN_HEADER)
    if given is None:
        raise ApiError(
            401,
            "no-token",
            f"this request needs the {TOKEN_HEADER} header: run `papershelf token` and paste the token "
            "into the extension's options",
        )
    if not matches(token, given):
        raise ApiError(401, "wrong-token", "the token is not this backend's: run `papershelf token` for the right one")


def check_json_body(request: Request, max_body: int) -> None:
    content_type = request.header("content-type")
    if content_type is None or not _JSON_TYPE.match(content_type.strip()):
        raise ApiError(415, "not-json", "the body must be JSON (Content-Type: application/json)")
    length = request.header("content-length")
    if length is None or not length.isdigit():
        raise ApiError(411, "no-length", "the request needs a Content-Length header")
    if int(length) > max_body:
        raise ApiError(413, "too-large", f"the body is {int(length):,} bytes; the limit is {max_body:,}")
