"""The backend's protocol: versions, header names, limits, and the one error type handlers raise.

Modelled on the Zotero connector protocol: every response names the server
(``X-Papershelf-Version``) so a client can tell Papershelf from another program on the
port, and a client that speaks another API version gets 412 instead of a guess.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata

API_VERSION = 1
API_PREFIX = f"/api/v{API_VERSION}"
DEFAULT_PORT = 8642
MAX_BODY = 1 << 20  # a clip is a page's metadata: an abstract of 200,000 characters fits

VERSION_HEADER = "X-Papershelf-Version"
API_VERSION_HEADER = "X-Papershelf-Api-Version"
TOKEN_HEADER = "X-Papershelf-Token"


def server_version() -> str:
    try:
        return metadata.version("papershelf")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


@dataclass(frozen=True, slots=True)
class Request:
    """What the handlers see of a request.  Header names are lower case."""

    method: str
    path: str  # decoded, without the query string
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)


def json_response(status: int, value: object, headers: Mapping[str, str] | None = None) -> Response:
    # "replace": a lone surrogate from a JSON escape in the input must not become a 500.
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", errors="replace")
    return Response(status, body, headers=dict(headers or {}))


class ApiError(Exception):
    """A request the backend refuses: an HTTP status, a stable code and a message for people."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def response(self) -> Response:
        return json_response(self.status, {"error": self.code, "message": self.message}, self.headers)
