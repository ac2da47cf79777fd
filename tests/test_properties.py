"""Properties that must hold for every input, checked with Hypothesis."""

from __future__ import annotations

import datetime as dt
import json
import string
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.identity import is_valid_slug, slugify, unique_slug
from generator.merge import merge
from generator.model import Paper
from generator.paperfile import format_paper, parse_paper
from generator.records import RecordError, make_paper
from generator.sources.jsonl import parse_jsonl
from generator.sources.listing_dump import parse_listing_dump
from generator.text import clean_line

TODAY = dt.date(2026, 11, 23)
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(alphabet=string.ascii_letters + "éüßñ日本語αβ", min_size=1, max_size=12)
# Words have no digits, so a title can never read as a "Mar 13" day line.
titles = (
    st.lists(words, min_size=1, max_size=12)
    .map(" ".join)
    .filter(lambda t: clean_line(t).casefold() not in {"new", "subscribe", "daily papers", "trending papers"})
)
sentences = st.lists(words, min_size=3, max_size=20).map(lambda ws: " ".join(ws).capitalize() + ".")
abstracts = st.lists(sentences, min_size=2, max_size=8).map(" ".join)
any_text = st.text(max_size=300)


@PROPERTY
@given(
    st.lists(st.tuples(titles, abstracts), min_size=1, max_size=8),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_a_dump_of_any_papers_in_any_variant_reads_back_those_papers(pairs, blank_lines, header, day_line) -> None:
    separator = "\n\n" if blank_lines else "\n"
    lines = []
    if header:
        lines += ["new", "Get trending papers in your email inbox!", "Subscribe", "byAK and the research community"]
    if day_line:
        lines.append("Mar 13")
    for title, abstract in pairs:
        lines += [title, abstract]
    result = parse_listing_dump(separator.join(lines).encode(), "x.txt", today=TODAY)
    assert result.rejections == []
    assert [(r.paper.title, r.paper.abstract) for r in result.records] == [
        (clean_line(t), clean_line(a)) for t, a in pairs
    ]


@PROPERTY
@given(st.binary(max_size=2000))
def test_the_dump_parser_never_raises_on_any_bytes(data: bytes) -> None:
    result = parse_listing_dump(data, "x.txt", today=TODAY)
    for record in result.records:
        assert record.paper.title
        assert record.paper.abstract


@PROPERTY
@given(st.binary(max_size=2000))
def test_the_jsonl_reader_never_raises_on_any_bytes(data: bytes) -> None:
    parse_jsonl(data, "x.jsonl", today=TODAY)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=10,
)


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "title",
                "abstract",
                "authors",
                "url",
                "arxiv_id",
                "collections",
                "published",
                "doi",
                "code",
                "links",
                "upvotes",
                "date",
                "x",
            ]
        ),
        json_values,
    )
)
def test_any_json_object_becomes_a_valid_paper_or_one_rejection(fields: dict) -> None:
    line = json.dumps(fields).encode()
    result = parse_jsonl(line, "x.jsonl", today=TODAY)
    assert len(result.records) + len(result.rejections) == 1
    for record in result.records:
        assert parse_paper(format_paper(record.paper.replace(slug="x"))) == record.paper.replace(slug="x")


@st.composite
def papers(draw) -> Paper:
    fields = {
        "title": draw(titles),
        "abstract": draw(st.lists(abstracts, min_size=1, max_size=3).map("\n\n".join)),
        "collections": draw(st.lists(st.sampled_from(["robotics", "off-the-shelf", "speech", "llm"]), max_size=3)),
        "authors": draw(st.lists(st.lists(words, min_size=1, max_size=3).map(" ".join), max_size=4)),
        "code": draw(st.lists(st.sampled_from(["https://github.com/a/b", "https://gitlab.com/c/d"]), max_size=2)),
        "arxiv_id": draw(st.sampled_from(["", "2210.05714", "2301.00001"])),
        "published": draw(st.sampled_from([None, "2022-10-11", "2023-01-01"])),
        "upvotes": draw(st.sampled_from([None, 0, 5])),
    }
    joined = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=TODAY))
    try:
        return make_paper({k: v for k, v in fields.items() if v not in (None, "")}, joined=joined, source="test")
    except RecordError:
        assume(False)
        raise


@PROPERTY
@given(papers(), papers(), papers())
def test_merge_is_commutative_associative_and_idempotent(a: Paper, b: Paper, c: Paper) -> None:
    assert merge(a, b) == merge(b, a)
    assert merge(merge(a, b), c) == merge(a, merge(b, c))
    assert merge(a, a) == a
    assert merge(merge(a, b), b) == merge(a, b)


@PROPERTY
@given(papers(), papers())
def test_a_merge_keeps_every_collection_and_link_of_both(a: Paper, b: Paper) -> None:
    merged = merge(a, b)
    assert set(a.collections) | set(b.collections) == set(merged.collections)
    assert set(a.code) | set(b.code) <= set(merged.code)
    for field in ("arxiv_id", "doi", "url", "published", "upvotes", "title", "abstract"):
        if getattr(a, field) or getattr(b, field):
            assert getattr(merged, field)


@PROPERTY
@given(papers())
def test_every_clean_paper_survives_its_file_format(paper: Paper) -> None:
    stored = paper.replace(slug=slugify(paper.title))
    assert parse_paper(format_paper(stored)) == stored


@PROPERTY
@given(any_text, st.sets(st.text(alphabet="abc-", max_size=6), max_size=20))
def test_slugs_are_valid_stable_unique_and_stay_inside_their_folder(title: str, taken: set[str]) -> None:
    slug = unique_slug(title, taken)
    assert slug not in taken
    assert is_valid_slug(slug)
    assert slugify(title) == slugify(title)
    root = Path("/srv/site/content/papers")
    assert (root / f"{slug}.md").resolve().parent == root
    assert (Path("/srv/site/output/papers") / slug / "index.html").resolve().parent.parent == Path(
        "/srv/site/output/papers"
    )
