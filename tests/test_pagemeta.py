"""Raw page metadata from the extension → record fields: which source wins, what is dropped."""

from __future__ import annotations

import pytest

from generator.backend.pagemeta import page_fields, parse_page, scholarly_article
from generator.backend.protocol import ApiError


def fields(**page: object) -> dict[str, object]:
    return page_fields(parse_page({"url": "https://example.org/paper", **page}))


def test_highwire_tags_of_an_arxiv_page_give_every_field() -> None:
    got = fields(
        url="https://arxiv.org/abs/2210.05714v2",
        meta={
            "citation_title": ["Visual Language Maps for Robot Navigation"],
            "citation_author": ["Huang, Chenguang", "Mees, Oier"],
            "citation_date": ["2022/10/11"],
            "citation_abstract": ["Grounding language ..."],
            "citation_arxiv_id": ["2210.05714"],
            "og:title": ["Something else"],
        },
    )
    assert got == {
        "title": "Visual Language Maps for Robot Navigation",
        "abstract": "Grounding language ...",
        "arxiv_id": "2210.05714",
        "authors": ["Huang, Chenguang", "Mees, Oier"],
        "published": "2022-10-11",
    }


def test_a_hugging_face_page_gives_the_arxiv_id_from_its_url_and_loses_the_title_prefix() -> None:
    got = fields(
        url="https://huggingface.co/papers/2305.18290",
        meta={"og:title": ["Paper page - Direct Preference Optimization"], "og:description": ["Join the discussion"]},
        abstract="While large-scale unsupervised language models ...",
    )
    assert got["arxiv_id"] == "2305.18290"
    assert got["title"] == "Direct Preference Optimization"
    assert got["abstract"] == "While large-scale unsupervised language models ..."
    assert got["url"] == "https://huggingface.co/papers/2305.18290"


def test_a_json_ld_scholarly_article_inside_a_graph_is_found() -> None:
    article = {
        "@type": ["ScholarlyArticle"],
        "headline": "Graph Neural Networks Revisited",
        "abstract": "We revisit GNNs.",
        "author": [
            {"@type": "Person", "name": "Ada Lovelace"},
            {"givenName": "Alan", "familyName": "Turing"},
            "Grace Hopper",
        ],
        "datePublished": "2024-05",
        "identifier": {"@type": "PropertyValue", "propertyID": "DOI", "value": "https://doi.org/10.5555/gnn.2024.7"},
        "isPartOf": {"@type": "Periodical", "name": "Journal of Examples"},
    }
    got = fields(
        jsonld=[{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, article]}], title="Site title"
    )
    assert got == {
        "title": "Graph Neural Networks Revisited",
        "abstract": "We revisit GNNs.",
        "arxiv_id": "",
        "authors": ["Ada Lovelace", "Alan Turing", "Grace Hopper"],
        "published": "2024-05-01",
        "doi": "10.5555/gnn.2024.7",
        "venue": "Journal of Examples",
        "url": "https://example.org/paper",
    }


def test_opengraph_is_the_last_resort() -> None:
    got = fields(meta={"og:title": ["OG Title"], "og:description": ["OG description."]}, title="Doc title")
    assert (got["title"], got["abstract"]) == ("OG Title", "OG description.")


@pytest.mark.parametrize("date", ["Spring 2024", "2024-13-01", "yesterday"])
def test_a_date_the_page_gets_wrong_is_dropped_not_fatal(date: str) -> None:
    assert "published" not in fields(meta={"citation_title": ["T"], "citation_date": [date]})


def test_a_malformed_doi_is_dropped() -> None:
    assert "doi" not in fields(meta={"citation_doi": ["doi: none"]})


def test_very_deep_or_wide_json_ld_is_walked_within_bounds() -> None:
    deep: dict = {"@type": "ScholarlyArticle", "name": "Too deep"}
    for _ in range(50):
        deep = {"child": deep}
    assert scholarly_article((deep,)) == {}
    wide = [{"@type": "Thing"}] * 20_000 + [{"@type": "ScholarlyArticle", "name": "Far"}]
    assert scholarly_article((wide,)) == {}


@pytest.mark.parametrize(
    "page",
    [
        {"url": "http://[::1"},
        {"url": "ftp://example.org/x"},
        {"url": "https://x.org", "meta": {"a": ["x"] * 2001}},
        {"url": "https://x.org", "jsonld": [{}] * 33},
        {"url": "https://x.org", "canonical": "https://x.org/" + "a" * 3000},
    ],
)
def test_malformed_or_oversized_pages_are_refused(page: dict) -> None:
    with pytest.raises(ApiError) as caught:
        parse_page(page)
    assert caught.value.status == 400
