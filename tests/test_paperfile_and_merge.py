"""The paper file format round-trips, and merging is order-free and loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.errors import PaperFileError
from generator.merge import merge
from generator.model import Paper
from generator.paperfile import format_paper, parse_paper

FULL = Paper(
    title="Visual Language Maps for Robot Navigation",
    abstract="First paragraph with \u2028 kept.\n\nSecond paragraph.",
    date=dt.date(2026, 3, 13),
    slug="visual-language-maps-for-robot-navigation",
    collections=("off-the-shelf", "robotics"),
    arxiv_id="2210.05714",
    doi="10.48550/arXiv.2210.05714",
    url="https://arxiv.org/abs/2210.05714",
    authors=("Chenguang Huang", "Mees, Oier"),
    published=dt.date(2022, 10, 11),
    venue="ICRA 2023",
    upvotes=12,
    code=("https://github.com/vlmaps/vlmaps",),
    links=("https://vlmaps.github.io",),
    sources=("listing dump 000.txt",),
    extra=(("Note", "read this first"),),
)


def test_every_field_survives_format_then_parse() -> None:
    assert parse_paper(format_paper(FULL)) == FULL


def test_the_file_reads_like_pelican_metadata() -> None:
    text = format_paper(FULL)
    assert text.startswith("Title: Visual Language Maps for Robot Navigation\nDate: 2026-03-13\nSlug: ")
    assert "\n\nFirst paragraph" in text
    assert text.endswith("Second paragraph.\n")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Date: 2026-03-13\nSlug: a\n\nx", "missing required field 'Title'"),
        ("Title: T\nDate: yesterday\nSlug: a\n\nx", "'Date' is not a date"),
        ("Title: T\nDate: 2026-03-13\nSlug: ../../etc\n\nx", "is not a valid slug"),
        ("Title: T\nTitle: U\nDate: 2026-03-13\nSlug: a\n\nx", "'Title' appears twice"),
        ("Title: T\nnot metadata\n\nx", "line 2 is not 'Key: value'"),
        ("Title: T\nDate: 2026-03-13\nSlug: a\nUpvotes: many\n\nx", "'Upvotes' is not a whole number"),
    ],
)
def test_a_broken_file_names_the_field_at_fault(text: str, reason: str) -> None:
    with pytest.raises(PaperFileError, match=reason):
        parse_paper(text, "content/papers/a.md")


A = Paper(title="Visual Language Maps", abstract="Short.", date=dt.date(2026, 3, 13), collections=("robotics",))
B = Paper(
    title="Visual language maps",
    abstract="A longer abstract.",
    date=dt.date(2026, 3, 11),
    collections=("off-the-shelf",),
    arxiv_id="2210.05714",
    code=("https://github.com/x/y",),
)


def test_merge_keeps_the_union_of_collections_and_links_and_every_field() -> None:
    merged = merge(A, B)
    assert merged.collections == ("off-the-shelf", "robotics")
    assert merged.arxiv_id == "2210.05714"
    assert merged.code == ("https://github.com/x/y",)
    assert merged.abstract == "A longer abstract."
    assert merged.date == dt.date(2026, 3, 11)


def test_merge_is_symmetric_and_idempotent() -> None:
    assert merge(A, B) == merge(B, A)
    assert merge(merge(A, B), B) == merge(A, B)
    assert merge(A, A) == A
