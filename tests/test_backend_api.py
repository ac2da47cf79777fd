"""The backend's endpoints against a real server on 127.0.0.1: ping, lookup, collections, clip."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import lxml.html
import pytest

from generator.backend.app import Running
from generator.paperfile import parse_paper

from .backend_support import JSON, TOKEN, arxiv_page, backend, clip, send
from .conftest import sample_papers

VLMAPS = "visual-language-maps-for-robot-navigation"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Running]:
    with backend(tmp_path, sample_papers(), preview=False, today=lambda: dt.date(2026, 11, 23)) as running:
        yield running


@pytest.fixture
def port(live: Running) -> int:
    return live.server.port


def stored(live: Running, slug: str) -> str:
    return (live.server.backend.shelf.folder / f"{slug}.md").read_text(encoding="utf-8")


def test_ping_identifies_papershelf_and_says_whether_the_token_is_right(port: int) -> None:
    reply = send(port, "GET", "/api/v1/ping")
    assert reply.json["name"] == "papershelf"
    assert reply.json["api"] == 1
    assert reply.json["token"] == "missing"
    assert send(port, "GET", "/api/v1/ping", headers={"X-Papershelf-Token": "nope"}).json["token"] == "invalid"


@pytest.mark.parametrize(
    ("query", "matched_by"),
    [
        ("arxiv=2210.05714", "arxiv"),
        ("arxiv=arXiv:2210.05714v4", "arxiv"),
        ("url=https://arxiv.org/abs/2210.05714v2", "arxiv"),
        ("url=https://huggingface.co/papers/2210.05714", "arxiv"),
        ("title=visual%20language%20MAPS%20for%20robot-navigation!", "title"),
    ],
)
def test_lookup_finds_a_paper_by_any_of_its_keys(port: int, query: str, matched_by: str) -> None:
    reply = send(port, "GET", f"/api/v1/lookup?{query}")
    assert reply.status == 200
    assert reply.json["found"] is True
    assert reply.json["matched_by"] == matched_by
    assert reply.json["paper"]["slug"] == VLMAPS
    assert reply.json["paper"]["collections"] == ["robotics"]
    assert reply.json["paper"]["page"] == f"papers/{VLMAPS}/"


def test_lookup_finds_a_paper_by_doi_and_by_its_page_url(port: int) -> None:
    page = {
        "url": "https://journal.example.org/articles/42",
        "meta": {
            "citation_title": ["A Journal Paper"],
            "citation_abstract": ["Text."],
            "citation_doi": ["10.1234/ABC.5"],
        },
    }
    assert clip(port, page).status == 201
    for query in ("doi=10.1234/abc.5", "doi=doi:10.1234/ABC.5", "url=https://doi.org/10.1234/abc.5"):
        assert send(port, "GET", f"/api/v1/lookup?{query}").json["matched_by"] == "doi"
    reply = send(port, "GET", "/api/v1/lookup?url=http://www.journal.example.org/articles/42/")
    assert reply.json["matched_by"] == "url"


def test_a_paper_with_another_arxiv_id_but_the_same_title_is_not_found(port: int) -> None:
    reply = send(
        port, "GET", "/api/v1/lookup?arxiv=2501.00001&title=Visual%20Language%20Maps%20for%20Robot%20Navigation"
    )
    assert reply.json == {"found": False}


@pytest.mark.parametrize(
    "query",
    [
        "",
        "arxiv=not-an-id",
        "doi=11.2/x",
        "url=javascript:alert(1)",
        "shelf=x",
        "title=a&title=b",
        "title=" + "a" * 3000,
    ],
)
def test_lookup_refuses_bad_queries_with_a_reason(port: int, query: str) -> None:
    reply = send(port, "GET", f"/api/v1/lookup?{query}")
    assert reply.status == 400
    assert reply.json["message"]


def test_a_new_paper_is_created_then_merged(live: Running, port: int) -> None:
    page = arxiv_page("2403.12345", "Fresh Paper On Clipping", "First abstract.", citation_author=["Doe, Jane"])
    first = clip(port, page, ["Reading Group"])
    assert first.status == 201
    assert first.json == {
        "status": "created",
        "slug": "fresh-paper-on-clipping",
        "page": "papers/fresh-paper-on-clipping/",
        "title": "Fresh Paper On Clipping",
        "collections": ["reading-group"],
    }
    second = clip(port, {**page, "url": "https://huggingface.co/papers/2403.12345"}, ["robotics"])
    assert second.status == 200
    assert second.json["status"] == "merged"
    assert second.json["collections"] == ["reading-group", "robotics"]
    again = clip(port, page, ["robotics"])
    assert (again.status, again.json["status"]) == (200, "unchanged")
    paper = parse_paper(stored(live, "fresh-paper-on-clipping"))
    assert paper.arxiv_id == "2403.12345"
    assert paper.authors == ("Jane Doe",)
    assert paper.date == dt.date(2026, 11, 23)
    assert paper.sources == ("clipped from arxiv.org", "clipped from huggingface.co")


def test_a_clip_of_a_paper_from_a_listing_dump_merges_into_it(live: Running, port: int) -> None:
    page = arxiv_page("2301.99999", "Continual Test-Time Domain Adaptation")
    reply = clip(port, page)
    assert reply.json["status"] == "merged"
    assert reply.json["slug"] == "continual-test-time-domain-adaptation"
    assert "Arxiv: 2301.99999" in stored(live, reply.json["slug"])


def test_the_collections_endpoint_counts_papers(port: int) -> None:
    reply = send(port, "GET", "/api/v1/collections")
    assert reply.json["collections"] == [
        {"slug": "diffusion", "papers": 1},
        {"slug": "off-the-shelf", "papers": 2},
        {"slug": "robotics", "papers": 1},
    ]


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ({"url": "https://example.org/x", "meta": {"citation_title": ["Only A Title"]}}, "no abstract"),
        ({"url": "https://example.org/x", "meta": {"description": ["Only an abstract"]}}, "no title"),
        (arxiv_page("2401.00009", "Long " * 300), "the limit is 1,000"),
    ],
)
def test_a_page_that_cannot_become_a_paper_gets_422_with_the_reason(port: int, page: dict, reason: str) -> None:
    reply = clip(port, page)
    assert reply.status == 422
    assert reason in reply.json["message"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"page": {"url": "javascript:alert(1)"}}, "http(s)"),
        ({"page": {"url": "file:///etc/passwd"}}, "http(s)"),
        ({"page": {"meta": {}}}, "page.url is required"),
        ({"page": {"url": "https://x.org", "meta": {"citation_title": "not a list"}}}, "list"),
        ({"page": {"url": "https://x.org", "meta": {f"k{i}": [] for i in range(501)}}}, "at most 500"),
        ({"page": {"url": "https://x.org", "title": 5}}, "must be text"),
        ({"page": {"url": "https://x.org"}, "collections": "robotics"}, "list"),
        ({"page": {"url": "https://x.org"}, "collections": ["!!!"]}, "letter or digit"),
        ({"page": {"url": "https://x.org"}, "path": "/etc"}, "unknown fields"),
        ({"collections": []}, "page is required"),
    ],
)
def test_every_field_is_validated(port: int, body: dict, reason: str) -> None:
    reply = send(port, "POST", "/api/v1/clip", headers={**JSON, "X-Papershelf-Token": TOKEN}, body=body)
    assert reply.status == 400
    assert reason in reply.json["message"]


def test_html_in_a_clip_is_stored_as_text_and_escaped_on_the_page(tmp_path: Path) -> None:
    with backend(tmp_path, sample_papers()) as live:
        title = 'Attention <script>alert("x")</script> Is All'
        reply = clip(live.server.port, arxiv_page("2405.00001", title, '<img src=x onerror="alert(1)"> abstract'))
        assert reply.status == 201
        live.rebuilder.wait_for_generation(2, timeout=120)
        html = send(live.server.port, "GET", "/" + reply.json["page"]).body
    doc = lxml.html.fromstring(html)
    assert not doc.xpath("//main//script | //main//img[@onerror]")
    assert title in doc.text_content()


def test_an_unknown_endpoint_is_404_and_a_wrong_method_405(port: int) -> None:
    assert send(port, "GET", "/api/v1/papers").status == 404
    reply = send(port, "GET", "/api/v1/clip")
    assert reply.status == 405
    assert reply.headers["allow"] == "POST"


def test_the_openapi_description_is_served(port: int) -> None:
    doc = send(port, "GET", "/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert {"/ping", "/lookup", "/clip", "/collections"} <= set(doc["paths"])


def test_search_answers_from_the_index_of_the_build_being_served(tmp_path: Path) -> None:
    from generator.search import search as whoosh_search

    with backend(tmp_path, sample_papers()) as live:
        port = live.server.port
        reply = send(port, "GET", "/api/v1/search?q=diffusion%20guidance&limit=5")
        assert reply.status == 200
        slugs = [hit["slug"] for hit in reply.json["results"]]
        assert slugs == ["elucidating-the-design-space-of-classifier-guided-diffusion-generation"]
        hit = reply.json["results"][0]
        assert hit["page"] == f"papers/{slugs[0]}/"
        assert any(part["matched"] for snippet in hit["snippets"] for part in snippet)
        index = live.server.backend.slots.cache_of(live.server.backend.slots.live) / "search"
        for query in ("adaptation", "language OR diffusion", 'title:"robot navigation"', "domain*"):
            reply = send(port, "GET", "/api/v1/search?" + urlencode({"q": query}))
            assert [h["slug"] for h in reply.json["results"]] == [h.slug for h in whoosh_search(index, query).hits]
        clip(port, arxiv_page("2406.00001", "Diffusion Guidance Revisited", "Classifier guidance for diffusion."))
        live.rebuilder.wait_for_generation(2, timeout=120)
        reply = send(port, "GET", "/api/v1/search?q=diffusion%20guidance")
        assert "diffusion-guidance-revisited" in [h["slug"] for h in reply.json["results"]]


@pytest.fixture(scope="module")
def previewed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with backend(tmp_path_factory.mktemp("search"), sample_papers()) as running:
        yield running


@pytest.mark.parametrize("query", ["q=", 'q="unclosed', "q=nosuchfield:x", "q=x&limit=0", "q=x&limit=101", "q=x&n=1"])
def test_a_search_that_cannot_run_is_400_with_a_reason(previewed: Running, query: str) -> None:
    reply = send(previewed.server.port, "GET", f"/api/v1/search?{query}")
    assert reply.status == 400
    assert reply.json["message"]


def test_search_without_a_preview_is_404(port: int) -> None:
    assert send(port, "GET", "/api/v1/search?q=robot").status == 404
