"""Identity (arXiv ids, titles), slugs, and the clean-up every record goes through."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.identity import collection_slug, is_valid_slug, parse_arxiv_id, slugify, unique_slug
from generator.records import RecordError, make_paper
from generator.text import clean_line, clean_text, normalise_title

JOINED = dt.date(2026, 3, 13)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2210.05714", "2210.05714"),
        ("arXiv:2210.05714v2", "2210.05714"),
        ("https://arxiv.org/abs/2210.05714v3", "2210.05714"),
        ("https://arxiv.org/pdf/2210.05714.pdf", "2210.05714"),
        ("hep-th/9901001v1", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("x2210.05714", ""),
        ("2210.05714/../../etc", ""),
        ("", ""),
    ],
)
def test_arxiv_ids_are_recognised_without_their_version(raw: str, expected: str) -> None:
    assert parse_arxiv_id(raw) == expected


def test_titles_that_differ_in_case_punctuation_spacing_or_normalisation_are_one_title() -> None:
    forms = ["Visual Language Maps", "visual  language maps!", "VISUAL-LANGUAGE MAPS", "Visual Language Maps"]
    assert len({normalise_title(f) for f in forms}) == 1
    assert normalise_title("Caf\u00e9 Maps") == normalise_title("Cafe\u0301 Maps")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Visual Language Maps for Robot Navigation", "visual-language-maps-for-robot-navigation"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("Élan: über naïve café", "elan-uber-naive-cafe"),
        ("../../etc/passwd", "etc-passwd"),
        ("CON", "con-paper"),
        ("index", "index-paper"),
    ],
)
def test_slugs_are_lowercase_ascii_words(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert is_valid_slug(slug)


def test_a_title_without_latin_letters_gets_a_stable_hashed_slug() -> None:
    assert slugify("日本語") == slugify("日本語") != slugify("中文")
    assert slugify("日本語").startswith("paper-")


def test_long_titles_are_cut_at_a_word_under_80_characters() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80
    assert not slug.endswith("-")


def test_unique_slug_counts_up_past_taken_slugs() -> None:
    assert unique_slug("A b", {"a-b", "a-b-2"}) == "a-b-3"


def test_collection_names_become_url_safe_slugs() -> None:
    assert collection_slug("Robotics Reading List!") == "robotics-reading-list"
    assert collection_slug("../..") == ""


def test_control_characters_and_line_separators_never_survive_in_a_title() -> None:
    assert clean_line("A\x00B\u2028C\x1bD\x85E\ud800") == "A B C D E"


def test_abstract_paragraphs_are_kept_and_lines_within_them_joined() -> None:
    assert clean_text("one\r\ntwo\r\n\r\n\n three  ") == "one two\n\nthree"


def test_make_paper_rejects_non_http_urls_in_every_link_field() -> None:
    for field in ("url", "code", "links"):
        with pytest.raises(RecordError, match="is not an http"):
            make_paper({"title": "T", "abstract": "A.", field: "javascript:alert(1)"}, joined=JOINED)


def test_a_url_that_urlsplit_refuses_is_a_record_error_not_a_crash() -> None:
    # Found by the bounded fuzzing run: urlsplit raises ValueError on an unclosed "[".
    for field in ("url", "code", "links"):
        with pytest.raises(RecordError, match="is not an http"):
            make_paper({"title": "T", "abstract": "A.", field: "http://[::1/paper"}, joined=JOINED)


def test_make_paper_never_links_javascript_or_data_urls_in_abstracts() -> None:
    paper = make_paper(
        {"title": "T", "abstract": "See javascript:alert(1) and data:text/html,x and https://ok.example/x."},
        joined=JOINED,
    )
    assert paper.links == ("https://ok.example/x",)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"abstract": "A."}, "no title"),
        ({"title": "  \x00 ", "abstract": "A."}, "no title"),
        ({"title": "T"}, "no abstract"),
        ({"title": "T" * 1001, "abstract": "A."}, "title is 1,001 characters long"),
        ({"title": 5, "abstract": "A."}, "title must be text"),
        ({"title": "T", "abstract": "A.", "authors": [1]}, "authors must be text"),
        ({"title": "T", "abstract": "A.", "doi": "nope"}, "is not a DOI"),
        ({"title": "T", "abstract": "A.", "published": "last week"}, "is not a date"),
        ({"title": "T", "abstract": "A.", "upvotes": -1}, "upvotes"),
        ({"title": "T", "abstract": "A.", "url": "https://x.example/" + "a" * 3000}, "longer than"),
    ],
)
def test_make_paper_says_which_field_is_wrong(fields: dict, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        make_paper(fields, joined=JOINED)


def test_last_first_author_names_read_first_last() -> None:
    paper = make_paper({"title": "T", "abstract": "A.", "authors": ["Goulet, Nicolas", "Ada Lovelace"]}, joined=JOINED)
    assert paper.authors == ("Nicolas Goulet", "Ada Lovelace")


def test_a_doi_url_is_stored_as_the_bare_doi() -> None:
    paper = make_paper({"title": "T", "abstract": "A.", "doi": "https://doi.org/10.1000/xyz-1"}, joined=JOINED)
    assert paper.doi == "10.1000/xyz-1"
