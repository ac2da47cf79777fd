"""Properties that must hold for every input, checked with Hypothesis."""

from __future__ import annotations

import datetime as dt
import json
import math
import string
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.backend.pagemeta import META_NAME_MAX, page_fields, parse_page, source_label
from generator.backend.protocol import ApiError
from generator.identity import is_valid_slug, slugify, unique_slug
from generator.merge import merge
from generator.model import Paper
from generator.paperfile import format_paper, parse_paper
from generator.records import RecordError, make_paper
from generator.search import BadQuery, search
from generator.search.index import update_index
from generator.search.related import LIST_CAP, WordCounter, compute, update_related
from generator.search.schema import text_analyzer
from generator.sources.jsonl import parse_jsonl
from generator.sources.listing_dump import parse_listing_dump
from generator.text import clean_line

from .test_search_index import SHELF as SEARCH_SHELF
from .test_search_index import TOPICS as SEARCH_TOPICS

TODAY = dt.date(2026, 11, 23)
T = TypeVar("T")
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


# The backend's metadata normaliser: whatever a page sends.
page_texts = any_text | st.sampled_from(
    [
        "https://arxiv.org/abs/2101.00001v2",
        "https://huggingface.co/papers/2305.18290",
        "http://[::1",
        "javascript:alert(1)",
        "https://example.org/a b",
        "10.1000/x",
        "doi:10.5555/abc.",
        "10.1234/.",
        "2024-02-30",
        "2024/13/01",
        "0000-01-01",
        "Paper page - A Title",
        "Huang, Chenguang",
    ]
)
page_urls = st.sampled_from(
    ["https://arxiv.org/abs/2101.00001v2", "https://huggingface.co/papers/2305.18290", "https://example.org/p"]
)
meta_names = st.sampled_from(
    [
        "citation_title",
        "citation_abstract",
        "citation_author",
        "citation_date",
        "citation_publication_date",
        "citation_doi",
        "citation_arxiv_id",
        "citation_journal_title",
        "dc.identifier",
        "dc.date",
        "dc.creator",
        "prism.doi",
        "og:title",
        "og:description",
    ]
)
jsonld_keys = st.sampled_from(
    ["@type", "@graph", "@value", "name", "headline", "abstract", "author", "datePublished", "identifier", "sameAs"]
)
jsonld_values = st.recursive(
    st.none() | st.booleans() | st.integers() | page_texts | st.sampled_from(["ScholarlyArticle", "Person"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(jsonld_keys | any_text, inner, max_size=5),
    max_leaves=15,
)
# Well-formed: names within the parser's bound (raw_pages tries longer ones).
meta_name_texts = st.text(max_size=META_NAME_MAX)
metas = st.dictionaries(meta_names | meta_name_texts, st.lists(page_texts, max_size=3), max_size=6)
well_formed_pages = st.fixed_dictionaries(
    {"url": page_urls},
    optional={
        "canonical": page_texts,
        "title": page_texts,
        "arxiv_id": page_texts,
        "abstract": page_texts,
        "meta": metas,
        "jsonld": st.lists(jsonld_values, max_size=3),
    },
)
raw_pages = st.fixed_dictionaries(
    {"url": page_texts},
    optional={
        "canonical": page_texts,
        "title": page_texts,
        "arxiv_id": page_texts,
        "abstract": page_texts,
        "meta": metas | st.dictionaries(any_text, st.lists(page_texts, max_size=3), max_size=3) | jsonld_values,
        "jsonld": st.lists(jsonld_values, max_size=3) | jsonld_values,
        "extra": page_texts,
    },
)


def attempt(call: Callable[[], T], *errors: type[Exception]) -> tuple[T | None, Exception | None]:
    """``call()``'s value, or the expected error it raised (any other error propagates)."""
    try:
        return call(), None
    except errors as exc:
        return None, exc


@PROPERTY
@given(well_formed_pages | raw_pages | jsonld_values)
def test_any_page_is_refused_with_400_or_normalised_without_an_exception(raw: object) -> None:
    page, refused = attempt(lambda: parse_page(raw), ApiError)
    if refused is not None:
        assert refused.status == 400
        return
    fields = page_fields(page)
    assert source_label(page).startswith("clipped from ")
    assert isinstance(fields["title"], str)
    assert isinstance(fields["abstract"], str)
    if "url" in fields:
        assert str(fields["url"]).lower().startswith(("http://", "https://"))
    paper, error = attempt(lambda: make_paper(fields, joined=TODAY, source=source_label(page)), RecordError)
    if error is not None:
        # Only the title and the abstract may refuse a clip: a wrong optional field is dropped.
        assert str(error).startswith(("no title", "no abstract", "title is", "abstract is")), error
        return
    stored = paper.replace(slug="x")
    assert parse_paper(format_paper(stored)) == stored


@PROPERTY
@given(words, words, well_formed_pages)
def test_a_page_with_a_title_and_an_abstract_always_becomes_a_paper(title: str, abstract: str, raw: dict) -> None:
    raw["meta"] = {**raw.get("meta", {}), "citation_title": [title], "citation_abstract": [abstract + "."]}
    paper = make_paper(page_fields(parse_page(raw)), joined=TODAY)
    assert paper.title == clean_line(title)
    assert paper.abstract == clean_line(abstract + ".")


# The query parser, on a real index: any text gives results or BadQuery, never anything else.
QUERY_ATOMS = [
    *['"', "(", ")", "*", "?", ":", "~", "^2", "-", "+", "'", "\\", "[a", "{b}", "<", ">", "=", "/"],
    *["OR", "AND", "NOT", "title:", "abstract:", "author:", "collection:", "topic:", "joined:", "arxiv:", "venue:"],
    *["topic:efficiency", "topic:nope", "*:*", "diffusion", "robot*", "speech", "the", "of", "2026-03-13"],
    *["2210.05714", "é", "İ", "ﬃ", "\x00", "\u2028", "\u202e", "🧪"],
]
query_atoms = st.sampled_from(QUERY_ATOMS)
queries = st.text(max_size=80) | st.lists(query_atoms, max_size=12).map(" ".join) | st.lists(query_atoms).map("".join)


@pytest.fixture(scope="module")
def query_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("query") / "search"
    update_index(folder, SEARCH_SHELF, SEARCH_TOPICS)
    return folder


@PROPERTY
@given(text=queries)
def test_any_query_gives_results_or_a_clear_error_never_an_exception(query_index: Path, text: str) -> None:
    results, refused = attempt(lambda: search(query_index, text, limit=3), BadQuery)
    if refused is not None:
        assert str(refused).strip()
        assert "\n" not in str(refused)
        return
    slugs = {p.slug for p in SEARCH_SHELF}
    assert 0 <= len(results.hits) <= min(3, results.total)
    for hit in results.hits:
        assert hit.slug in slugs
        assert "".join(s.text for s in hit.title_segments) == hit.title


# Related papers: few words, so papers share many; every paper has "model", so its capped
# list is full and papers are evicted from it and come back as the shelf changes.
RELATED_WORDS = ("diffusion", "speech", "graph", "robot", "kernel", "sparse", "policy", "molecule", "camera")
paper_words = st.lists(st.sampled_from(RELATED_WORDS), min_size=1, max_size=6).map(lambda ws: ["model", *ws])
shelf_changes = st.lists(
    st.tuples(st.just("add"), st.integers(0), paper_words)
    | st.tuples(st.just("change"), st.integers(0), paper_words)
    | st.tuples(st.just("remove"), st.integers(0), st.just([])),
    min_size=1,
    max_size=5,
)


def words_paper(slug: str, words: list[str]) -> Paper:
    return Paper(title=" ".join(words[:2]), abstract=" ".join(words) + ".", date=TODAY, slug=slug)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paper_words, min_size=LIST_CAP, max_size=LIST_CAP + 12), shelf_changes)
def test_related_papers_updated_one_build_at_a_time_equal_related_papers_from_scratch(
    start: list[list[str]], changes: list[tuple[str, int, list[str]]]
) -> None:
    shelf = {f"p{n:02}": words_paper(f"p{n:02}", words) for n, words in enumerate(start)}
    with tempfile.TemporaryDirectory() as folder:
        index_dir, store = Path(folder) / "search", Path(folder) / "related.sqlite"
        for step, (kind, pick, words) in enumerate([("start", 0, []), *changes]):
            slug = sorted(shelf)[pick % len(shelf)]
            if kind == "add":
                shelf[f"new{step}"] = words_paper(f"new{step}", words)
            elif kind == "change":
                shelf[slug] = words_paper(slug, words)
            elif kind == "remove":
                del shelf[slug]
            papers = list(shelf.values())
            written = update_index(index_dir, papers)
            # Never computed afresh: every build after the first is an update of the last,
            # told what the index update wrote (as a build does) or, every third step,
            # left to find it by the papers' keys.
            since = written if step % 3 else None
            update = update_related(index_dir, store, papers, cold_share=math.inf, since=since)
            scratch = compute(papers)
            assert dict(update.related) == {s: tuple(o for o, _ in items) for s, items in scratch.related.items()}


@PROPERTY
@given(st.text(max_size=200) | abstracts)
def test_related_papers_count_exactly_the_words_the_index_holds(text: str) -> None:
    # The index tells which papers hold a word: both must cut and stem text alike.
    assert list(WordCounter().words(text)) == [token.text for token in text_analyzer()(text)]
