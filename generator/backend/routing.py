"""Which handler answers a request, and which guards it passes first.

Paths under ``/api/v<N>/`` are the API; everything else is the preview of the site
(including the site's static JSON under ``/api/papers/`` and ``/api/lookup/``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import guards, handlers
from .handlers import Backend
from .protocol import ApiError, Request, Response
from .sitefiles import site_response

Handler = Callable[[Backend, Request], Response]
ReadBody = Callable[[int], bytes]


@dataclass(frozen=True, slots=True)
class Route:
    handler: Handler
    write: bool = False  # needs the token and a JSON body


ROUTES: dict[str, dict[str, Route]] = {
    "/ping": {"GET": Route(handlers.ping)},
    "/lookup": {"GET": Route(handlers.lookup)},
    "/collections": {"GET": Route(handlers.collections)},
    "/search": {"GET": Route(handlers.search)},
    "/clip": {"POST": Route(handlers.clip, write=True)},
    "/openapi.json": {"GET": Route(handlers.openapi)},
}
_API_PATH = re.compile(r"^/api/v(\d{1,6})(/.*)?$")


def dispatch(backend: Backend, request: Request, read_body: ReadBody) -> Response:
    """Run the guards, then the handler; ``read_body`` is called only once they have passed."""
    try:
        return _route(backend, request, read_body)
    except ApiError as exc:
        return exc.response()


def _route(backend: Backend, request: Request, read_body: ReadBody) -> Response:
    guards.check_host(request)
    if request.method == "OPTIONS":
        # No preflight is ever approved: a page's non-simple request dies here.
        raise ApiError(405, "method", "OPTIONS is not supported: this server grants no cross-origin access")
    api = _API_PATH.match(request.path)
    if api is None:
        return _site(backend, request)
    guards.check_api_version(request, int(api.group(1)))
    guards.check_origin(request, backend.extension_ids)
    guards.check_fetch_site(request)
    methods = ROUTES.get(api.group(2) or "")
    if methods is None:
        raise ApiError(404, "not-found", f"no endpoint {request.path[:100]!r}; see /api/v1/openapi.json")
    route = methods.get("GET" if request.method == "HEAD" else request.method)
    if route is None:
        raise ApiError(405, "method", f"{request.method} is not allowed here", {"Allow": ", ".join(methods)})
    if route.write:
        guards.check_token(request, backend.token)
        guards.check_json_body(request, backend.max_body)
        request = replace(request, body=read_body(int(request.header("content-length") or 0)))
    return route.handler(backend, request)


def _site(backend: Backend, request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        raise ApiError(405, "method", "the site preview is read-only", {"Allow": "GET, HEAD"})
    if backend.slots is None:
        raise ApiError(404, "not-found", "this backend serves no site")
    with backend.slots.reading() as root:
        return site_response(root, request.path)
