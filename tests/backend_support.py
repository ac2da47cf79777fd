"""Helpers for the backend tests: a real backend on 127.0.0.1 and ways to talk to it over loopback."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.backend.app import Running, running
from generator.backend.rebuild import Builder
from generator.build import build_site
from generator.model import Paper

from .support import REPO, write_shelf

TOKEN = "test-token-" + "x" * 40
JSON = {"Content-Type": "application/json"}


def site_builder(content: Path) -> Builder:
    """The real Pelican build of ``content`` with the repository's settings and theme."""

    def build(output: Path, cache: Path) -> None:
        overrides = {
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(cache),
            "THEME": str(REPO / "theme"),
        }
        build_site(REPO / "pelicanconf.py", overrides=overrides, strict=True)

    return build


@contextlib.contextmanager
def backend(root: Path, papers: list[Paper], *, preview: bool = True, **kwargs: Any) -> Iterator[Running]:
    """A backend on 127.0.0.1:<free port> over a shelf of ``papers`` in ``root/content``."""
    content = root / "content"
    write_shelf(content, papers)
    if preview:
        kwargs.update(build=site_builder(content), watch=content, state=root / "state")
    with running(content / "papers", TOKEN, **kwargs) as live:
        if live.rebuilder:
            status = live.rebuilder.wait_for_generation(1, timeout=120)
            assert status.state == "ok", status
        yield live


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def send(
    port: int,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | str | dict | None = None,
) -> Reply:
    """One request through http.client; ``headers`` replace the defaults (Host included)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload = json.dumps(body).encode() if isinstance(body, dict) else body.encode() if isinstance(body, str) else body
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        merged = {"Host": f"127.0.0.1:{port}", **(headers or {})}
        if payload is not None and "Content-Length" not in merged:
            merged["Content-Length"] = str(len(payload))
        for name, value in merged.items():
            if value is not None:
                connection.putheader(name, value)
        connection.endheaders(payload)
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def clip(port: int, page: dict, collections: list[str] | None = None, **headers: str) -> Reply:
    body: dict[str, Any] = {"page": page}
    if collections is not None:
        body["collections"] = collections
    return send(port, "POST", "/api/v1/clip", headers={**JSON, "X-Papershelf-Token": TOKEN, **headers}, body=body)


def raw(port: int, data: bytes) -> Reply:
    """Send bytes exactly as given (for requests http.client will not make) and read the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Reply(int(lines[0].split()[1]), headers, body)


def arxiv_page(arxiv_id: str, title: str, abstract: str = "An abstract.", **meta: list[str]) -> dict[str, Any]:
    """A clip of an arXiv abs page as the content script sends it."""
    return {
        "url": f"https://arxiv.org/abs/{arxiv_id}",
        "title": f"[{arxiv_id}] {title}",
        "meta": {"citation_title": [title], "citation_abstract": [abstract], "citation_arxiv_id": [arxiv_id], **meta},
    }


@contextlib.contextmanager
def serve_process(root: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """`papershelf serve` on a free loopback port over ``root/content``, with the test token."""
    settings = root / "pelicanconf.py"
    if not settings.exists():
        settings.write_text((REPO / "pelicanconf.py").read_text() + f"\nTHEME = {str(REPO / 'theme')!r}\n")
    token_file = root / "config" / "token"
    if not token_file.exists():
        token_file.parent.mkdir(mode=0o700)
        token_file.write_text(TOKEN + "\n")
        token_file.chmod(0o600)
    env = {**os.environ, "PAPERSHELF_TOKEN_FILE": str(token_file)}
    command = [sys.executable, "-m", "generator.cli", "serve", "-s", str(settings), "--port", "0"]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        match = re.search(r"127\.0\.0\.1:(\d+)", line)
        assert match, f"serve did not start: {line!r}"
        yield server, int(match.group(1))
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(timeout=30)
        server.stdout.close()
