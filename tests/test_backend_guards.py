"""Every guard of the backend, each pinned by the hostile request it stops, sent over loopback."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.backend.app import BackendServer, RequestHandler, Running
from generator.backend.guards import EXTENSION_ID
from generator.backend.protocol import MAX_BODY

from .backend_support import JSON, TOKEN, arxiv_page, backend, clip, raw, send
from .conftest import sample_papers

PAGE_ORIGIN = "http://127.0.0.1:9999"  # any web page, the loopback ones included
FIREFOX_ORIGIN = "moz-extension://0f5a8c7e-3b1d-4e6a-9c2f-7d8e9a0b1c2d"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with backend(tmp_path_factory.mktemp("guards"), sample_papers()) as running:
        yield running


@pytest.fixture
def port(live: Running) -> int:
    return live.server.port


def papers_on_disk(live: Running) -> set[str]:
    return {p.name for p in live.server.backend.shelf.folder.glob("*.md")}


def assert_no_cors(headers: dict[str, str]) -> None:
    assert not [h for h in headers if h.startswith("access-control-")]


def test_the_server_binds_loopback_only(live: Running) -> None:
    assert live.server.server_address[0] == "127.0.0.1"
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        BackendServer(live.server.backend, host="0.0.0.0")


@pytest.mark.parametrize("path", ["/api/v1/ping", "/", "/papers/continual-test-time-domain-adaptation/"])
def test_a_rebinding_host_is_misdirected(port: int, path: str) -> None:
    reply = send(port, "GET", path, headers={"Host": f"evil.example:{port}"})
    assert reply.status == 421
    assert reply.json["error"] == "wrong-host"


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LOCALHOST", "127.0.0.1"])
def test_loopback_hosts_are_served(port: int, host: str) -> None:
    assert send(port, "GET", "/api/v1/ping", headers={"Host": host.format(port=port)}).status == 200


@pytest.mark.parametrize("host", ["127.0.0.1.evil.example", "localhost.evil.example", "127.0.0.2", "0.0.0.0", ""])
def test_hosts_that_only_look_like_loopback_are_misdirected(port: int, host: str) -> None:
    assert send(port, "GET", "/api/v1/ping", headers={"Host": host}).status in (400, 421)


def test_a_request_without_a_host_is_refused(port: int) -> None:
    assert raw(port, b"GET /api/v1/ping HTTP/1.0\r\n\r\n").status == 400


def test_two_host_headers_are_refused(port: int) -> None:
    request = f"GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    assert raw(port, request.encode()).status == 400


def test_a_clip_without_the_token_is_refused_and_writes_nothing(live: Running, port: int) -> None:
    before = papers_on_disk(live)
    reply = send(port, "POST", "/api/v1/clip", headers=JSON, body={"page": arxiv_page("2401.00002", "No Token")})
    assert reply.status == 401
    assert reply.json["error"] == "no-token"
    assert "papershelf token" in reply.json["message"]
    assert papers_on_disk(live) == before


def test_a_clip_with_a_wrong_token_is_refused(live: Running, port: int) -> None:
    before = papers_on_disk(live)
    reply = clip(port, arxiv_page("2401.00003", "Wrong Token"), **{"X-Papershelf-Token": TOKEN[:-1] + "y"})
    assert reply.status == 401
    assert papers_on_disk(live) == before


@pytest.mark.parametrize("origin", [PAGE_ORIGIN, "https://evil.example", "null", "chrome-extension://" + "a" * 32])
def test_a_request_from_any_other_origin_is_refused_even_with_the_token(live: Running, port: int, origin: str) -> None:
    before = papers_on_disk(live)
    assert clip(port, arxiv_page("2401.00004", "From A Page"), Origin=origin).status == 403
    assert send(port, "GET", "/api/v1/lookup?arxiv=2210.05714", headers={"Origin": origin}).status == 403
    assert papers_on_disk(live) == before


@pytest.mark.parametrize("origin", [f"chrome-extension://{EXTENSION_ID}", FIREFOX_ORIGIN])
def test_the_extension_origin_passes(port: int, origin: str) -> None:
    reply = clip(port, arxiv_page("2401.00005", "From The Extension"), Origin=origin)
    assert reply.status in (200, 201), reply.json


@pytest.mark.parametrize("site", ["same-origin", "same-site", "cross-site"])
def test_a_request_a_web_page_made_is_refused_by_sec_fetch_site(port: int, site: str) -> None:
    assert clip(port, arxiv_page("2401.00006", "Fetch Site"), **{"Sec-Fetch-Site": site}).status == 403
    assert send(port, "GET", "/api/v1/ping", headers={"Sec-Fetch-Site": site}).status == 403


def test_sec_fetch_site_none_is_the_extension(port: int) -> None:
    assert send(port, "GET", "/api/v1/ping", headers={"Sec-Fetch-Site": "none"}).status == 200


def test_a_pages_no_cors_text_plain_post_is_refused(live: Running, port: int) -> None:
    # The CSRF shape: a simple request needs no preflight, so the browser delivers it.
    before = papers_on_disk(live)
    body = '{"page": {"url": "https://arxiv.org/abs/2401.00007", "meta": {}}}'
    headers = {"Content-Type": "text/plain;charset=UTF-8", "Origin": PAGE_ORIGIN, "Sec-Fetch-Site": "cross-site"}
    reply = send(port, "POST", "/api/v1/clip", headers=headers, body=body)
    assert reply.status == 403
    assert_no_cors(reply.headers)
    # Even with the token and no browser headers at all, text/plain is not JSON.
    headers = {"Content-Type": "text/plain", "X-Papershelf-Token": TOKEN}
    assert send(port, "POST", "/api/v1/clip", headers=headers, body=body).status == 415
    assert papers_on_disk(live) == before


def test_a_preflight_is_refused_without_cors_grants(port: int) -> None:
    headers = {
        "Origin": PAGE_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-papershelf-token",
    }
    reply = send(port, "OPTIONS", "/api/v1/clip", headers=headers)
    assert reply.status == 405
    assert_no_cors(reply.headers)


def test_no_response_grants_cors(port: int) -> None:
    for path in ("/api/v1/ping", "/api/v1/openapi.json", "/", "/api/v1/nowhere"):
        assert_no_cors(send(port, "GET", path, headers={"Origin": f"chrome-extension://{EXTENSION_ID}"}).headers)


def test_every_response_names_papershelf_and_its_api_version(port: int) -> None:
    replies = [
        send(port, "GET", "/api/v1/ping"),
        send(port, "GET", "/no/such/page/"),
        send(port, "GET", "/api/v1/ping", headers={"Host": "evil.example"}),
        send(port, "DELETE", "/api/v1/clip"),
        raw(port, b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n"),  # malformed
    ]
    for reply in replies:
        assert reply.headers["x-papershelf-version"]
        assert reply.headers["x-papershelf-api-version"] == "1"


def test_responses_are_never_sniffed_and_api_answers_are_never_cached(port: int) -> None:
    for path in ("/api/v1/ping", "/api/v1/openapi.json", "/", "/api/v1/nowhere"):
        reply = send(port, "GET", path)
        assert reply.headers["x-content-type-options"] == "nosniff"
        if reply.headers["content-type"].startswith("application/json"):
            assert reply.headers["cache-control"] == "no-store"


def test_an_overlong_request_line_or_query_is_refused(port: int) -> None:
    line = b"GET /api/v1/lookup?title=" + b"a" * 70_000 + b" HTTP/1.1\r\n"
    assert raw(port, line + b"Host: 127.0.0.1\r\n\r\n").status == 414
    many = "&".join(f"title={n}" for n in range(60))
    assert send(port, "GET", "/api/v1/lookup?" + many).status == 400


def test_another_api_version_gets_412(port: int) -> None:
    assert send(port, "GET", "/api/v2/ping").status == 412
    reply = send(port, "GET", "/api/v1/ping", headers={"X-Papershelf-Api-Version": "2"})
    assert reply.status == 412
    assert "version" in reply.json["message"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(port: int) -> None:
    headers = {**JSON, "X-Papershelf-Token": TOKEN, "Content-Length": str(MAX_BODY + 1)}
    # Only the head is sent: the server must answer without waiting for the megabyte.
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    reply = raw(port, f"POST /api/v1/clip HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())
    assert reply.status == 413


def test_a_client_that_stalls_is_cut_off_and_the_server_serves_on(
    port: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(RequestHandler, "timeout", 0.5)  # 30 s in earnest
    head = (
        "POST /api/v1/clip HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Papershelf-Token: {TOKEN}\r\nContent-Length: 100\r\n\r\n"
    )
    for stalled in (head + '{"page": ', "GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(stalled.encode())
            started = time.monotonic()
            answer = b"".join(iter(lambda: sock.recv(65536), b""))  # until the server closes
            assert time.monotonic() - started < 5
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408 "), answer[:100]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert send(port, "GET", "/api/v1/ping").status == 200


def test_a_body_without_a_length_is_refused(port: int) -> None:
    head = (
        "POST /api/v1/clip HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nX-Papershelf-Token: {TOKEN}\r\n"
    )
    assert raw(port, (head + "\r\n").encode()).status == 411
    chunked = head + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    assert raw(port, chunked.encode()).status == 411


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe{}", b"[1, 2]", b'"page"', b"[" * 100_000 + b"]" * 100_000, b"1" * 5000],
    ids=["malformed", "not-utf8", "array", "string", "deeply-nested", "huge-integer"],
)
def test_bodies_that_are_not_a_json_object_are_refused(port: int, body: bytes) -> None:
    reply = send(port, "POST", "/api/v1/clip", headers={**JSON, "X-Papershelf-Token": TOKEN}, body=body)
    assert reply.status == 400
    assert reply.json["error"] in ("invalid-json", "invalid")


def test_the_client_never_names_a_path(live: Running, port: int) -> None:
    page = arxiv_page("2401.00008", "../../../etc/passwd")
    page["slug"] = "../../escape"
    assert clip(port, page).status == 400  # unknown field
    del page["slug"]
    reply = clip(port, page)
    assert reply.status == 201
    assert reply.json["slug"] == "etc-passwd"
    folder = live.server.backend.shelf.folder
    assert (folder / "etc-passwd.md").is_file()
    assert not list(folder.parent.parent.glob("etc*"))


@pytest.mark.parametrize(
    "path",
    ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/papers/..%2f..%2f..%2fetc/passwd", "/.hidden", "/%00"],
)
def test_the_preview_never_serves_outside_the_build(port: int, path: str) -> None:
    reply = send(port, "GET", path)
    assert reply.status == 404
    assert b"root:" not in reply.body


def test_a_symlink_out_of_the_build_is_not_followed(live: Running, port: int, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, live.server.backend.slots.live / "leak.txt")
    assert send(port, "GET", "/leak.txt").status == 404


def test_a_protocol_relative_redirect_cannot_be_made(port: int) -> None:
    reply = send(port, "GET", "//papers")
    assert reply.status in (301, 400, 404)
    assert not reply.headers.get("location", "/").startswith("//")


def test_writes_to_the_preview_are_refused(port: int) -> None:
    assert send(port, "POST", "/index.html", headers=JSON, body={}).status == 405
