"""Coverage-guided fuzzing of every parser of outside input (atheris / libFuzzer).

    python tests/fuzz/fuzz_parsers.py -max_total_time=60 tests/fuzz/corpus

Any exception other than the parsers' own documented errors is a crash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys

import atheris

with atheris.instrument_imports():
    from generator.errors import PaperFileError
    from generator.paperfile import format_paper, parse_paper
    from generator.sources.jsonl import parse_jsonl
    from generator.sources.listing_dump import parse_listing_dump

TODAY = dt.date(2026, 11, 23)


def test_one_input(data: bytes) -> None:
    for parse in (parse_listing_dump, parse_jsonl):
        result = parse(data, "fuzz", today=TODAY)
        for record in result.records:
            paper = record.paper.replace(slug="fuzz")
            # Whatever a source accepts, the store must be able to write and read back.
            assert parse_paper(format_paper(paper)) == paper
    with contextlib.suppress(PaperFileError):
        parse_paper(data.decode("utf-8", errors="replace"), "fuzz.md")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
