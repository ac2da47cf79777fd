"""Raw page metadata from the extension → record fields: which source wins, what is dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.backend.pagemeta import page_fields, parse_page, scholarly_article
from generator.backend.protocol import ApiError
from generator.records import AUTHORS_MAX, make_paper


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


@pytest.mark.parametrize("date", ["Spring 2024", "2024-13-01", "yesterday", "2024-02-30", "0000-01-01"])
def test_a_date_the_page_gets_wrong_is_dropped_not_fatal(date: str) -> None:
    assert "published" not in fields(meta={"citation_title": ["T"], "citation_date": [date]})


@pytest.mark.parametrize("doi", ["doi: none", "10.1234/.", "10.1234/a\x00b", "10.1234/" + "x" * 300])
def test_a_malformed_doi_is_dropped(doi: str) -> None:
    assert "doi" not in fields(meta={"citation_doi": [doi]})


def test_a_wrong_optional_field_falls_back_to_the_next_source() -> None:
    got = fields(
        canonical="https://example.org/a paper",  # a space: not a URL the shelf keeps
        meta={
            "citation_publication_date": ["2024-02-30"],
            "citation_date": ["2024-02-03"],
            "citation_doi": ["10.1234/."],
            "prism.doi": ["10.1234/ok"],
        },
    )
    assert (got["published"], got["doi"], got["url"]) == ("2024-02-03", "10.1234/ok", "https://example.org/paper")


def test_a_page_s_wrong_optional_fields_never_refuse_the_clip() -> None:
    page = parse_page(
        {
            "url": "https://example.org/a b",
            "meta": {
                "citation_title": ["A Title"],
                "citation_abstract": ["An abstract."],
                "citation_author": ["x" * 301, "Ada Lovelace", *["Someone Else"] * 1500],
                "citation_date": ["2024-04-31"],
                "citation_doi": ["10.5555/\u0085"],
            },
        }
    )
    paper = make_paper(page_fields(page), joined=dt.date(2026, 11, 23))
    assert paper.title == "A Title"
    assert paper.authors[0] == "Ada Lovelace"
    assert len(paper.authors) == AUTHORS_MAX
    assert (paper.published, paper.doi, paper.url) == (None, "", "")


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
