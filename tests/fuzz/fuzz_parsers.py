"""Coverage-guided fuzzing of every parser of outside input (atheris / libFuzzer).

    python tests/fuzz/fuzz_parsers.py -max_total_time=60 tests/fuzz/corpus

Each input goes through the listing-dump parser, the JSON Lines reader and the paper-file
parser; as JSON, through the backend's page-metadata normaliser (the body of a clip);
and as text, through the search query parser and a search of a small in-memory index.
Any exception other than the parsers' own documented errors is a crash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys

import atheris

with atheris.instrument_imports():
    from whoosh.filedb.filestore import RamStorage

    from generator.backend.pagemeta import page_fields, parse_page, source_label
    from generator.backend.protocol import ApiError
    from generator.errors import PaperFileError
    from generator.model import Paper
    from generator.paperfile import format_paper, parse_paper
    from generator.records import RecordError, make_paper
    from generator.search.index import content_hash, document
    from generator.search.query import BadQuery, parse, top
    from generator.search.schema import make_parser, make_schema, weighting
    from generator.sources.jsonl import parse_jsonl
    from generator.sources.listing_dump import parse_listing_dump

TODAY = dt.date(2026, 11, 23)
SHELF = [
    Paper("Diffusion Policies for Robot Manipulation", "We train diffusion models. Denoising.", TODAY, "a"),
    Paper("Self-Supervised Speech", "Pretraining on unlabeled speech.", TODAY, "b", collections=("speech",)),
]
TOPICS = {"diffusion-models": '"diffusion model" OR denoising', "speech": "title:speech"}


def _index() -> object:
    ix = RamStorage().create_index(make_schema())
    with ix.writer() as writer:
        for paper in SHELF:
            writer.add_document(**document(paper, content_hash(paper)))
    return ix


INDEX = _index()
PARSER = make_parser(INDEX.schema)


def test_one_input(data: bytes) -> None:
    for parse_source in (parse_listing_dump, parse_jsonl):
        result = parse_source(data, "fuzz", today=TODAY)
        for record in result.records:
            paper = record.paper.replace(slug="fuzz")
            # Whatever a source accepts, the store must be able to write and read back.
            assert parse_paper(format_paper(paper)) == paper
    text = data.decode("utf-8", errors="replace")
    with contextlib.suppress(PaperFileError):
        parse_paper(text, "fuzz.md")
    clip_page(data)
    search(text)


def clip_page(data: bytes) -> None:
    """The clip endpoint's path from a JSON body to a paper: 400, 422 or a paper."""
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError):
        return
    try:
        page = parse_page(raw)
    except ApiError as exc:
        if exc.status != 400:
            raise AssertionError(f"a malformed page got {exc.status}, not 400") from exc
        return
    fields = page_fields(page)
    try:
        paper = make_paper(fields, joined=TODAY, source=source_label(page))
    except RecordError as exc:
        # A page's wrong optional field is dropped: only the title or abstract refuse a clip.
        if not str(exc).startswith(("no title", "no abstract", "title is", "abstract is")):
            raise AssertionError(f"an optional field refused the clip: {exc}") from exc
        return
    stored = paper.replace(slug="fuzz")
    assert parse_paper(format_paper(stored)) == stored


def search(text: str) -> None:
    try:
        q = parse(text, PARSER, TOPICS)
    except BadQuery as exc:
        if not str(exc).strip():
            raise AssertionError("BadQuery without a message") from exc
        return
    with INDEX.searcher(weighting=weighting()) as searcher:
        assert len(top(searcher, q, 3)) <= 3


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
