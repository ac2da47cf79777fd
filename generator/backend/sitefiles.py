"""Serving the live build: URL path → file, with no way out of the build folder."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import quote

from .protocol import Response

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}
_HEADERS = {"Cache-Control": "no-cache"}  # a preview: always revalidate


def site_response(root: Path | None, path: str) -> Response:
    """The response for GET ``path`` (decoded, no query) from the build in ``root``."""
    if root is None:
        return Response(
            503,
            b"The first build of the site is still running; this page reloads when it is ready.\n",
            "text/plain; charset=utf-8",
            {"Retry-After": "1", "Refresh": "1"},
        )
    target = resolve(root, path)
    if target is None:
        return _not_found(root)
    if target.is_dir():
        # Rebuilt from the segments, so "//host" can never become a protocol-relative redirect.
        location = quote("/" + "/".join(p for p in path.split("/") if p) + "/")
        return Response(301, b"", "text/plain; charset=utf-8", {"Location": location})
    try:
        data = target.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return _not_found(root)
    return Response(200, data, content_type(target), _HEADERS)


def resolve(root: Path, path: str) -> Path | None:
    """The file or folder ``path`` names inside ``root``, or None for anything else.

    Refused: NUL and backslashes, ``..`` and hidden segments (the build's dotfiles), and
    anything whose real path (symlinks followed) is outside ``root``.
    """
    if not path.startswith("/") or "\x00" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p]
    if any(p.startswith(".") for p in parts):
        return None
    target = root.joinpath(*parts)
    if path.endswith("/") or not parts:
        target = target / "index.html"
    try:
        real = target.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError, OSError, RuntimeError):
        return None
    if not real.is_relative_to(root.resolve()):
        return None
    return real


def content_type(path: Path) -> str:
    return _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _not_found(root: Path) -> Response:
    page = root / "404.html"
    body = page.read_bytes() if page.is_file() else b"Not found\n"
    return Response(404, body, "text/html; charset=utf-8", _HEADERS)
