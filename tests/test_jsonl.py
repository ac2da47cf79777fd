"""JSON Lines records: every optional field, and every way a line can be wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.sources import read_input

DATA = Path(__file__).parent / "data" / "dumps"
TODAY = dt.date(2026, 11, 23)


def test_fields_are_read_and_normalised() -> None:
    result = read_input(DATA / "records.jsonl", today=TODAY)
    vlmaps, cotta, _extra = (r.paper for r in result.records)
    assert vlmaps.arxiv_id == "2210.05714"
    assert vlmaps.authors == ("Chenguang Huang", "Oier Mees")
    assert vlmaps.url == "https://arxiv.org/abs/2210.05714v2"
    assert vlmaps.published == dt.date(2022, 10, 11)
    assert vlmaps.collections == ("robotics",)
    assert vlmaps.date == TODAY
    assert cotta.authors == ("Qin Wang", "Olga Fink")
    assert cotta.collections == ("domain-adaptation", "off-the-shelf")


def test_bad_lines_are_rejected_with_line_numbers_and_reasons() -> None:
    result = read_input(DATA / "records.jsonl", today=TODAY)
    assert [(r.line, r.reason) for r in result.rejections] == [
        (4, "no abstract"),
        (5, "no title"),
        (6, "not valid JSON: Expecting value (column 37)"),
        (7, "expected a JSON object, got list"),
        (8, "url 'javascript:alert(1)' is not an http(s) URL"),
        (9, "arxiv_id 'not-an-id' is not an arXiv identifier"),
    ]


def test_unknown_fields_are_a_warning_and_the_paper_is_kept() -> None:
    result = read_input(DATA / "records.jsonl", today=TODAY)
    assert [r.paper.title for r in result.records][-1] == "Extra field"
    assert [(w.line, w.reason) for w in result.warnings] == [(10, "ignored unknown field(s) 'mood'")]


def test_an_arxiv_id_is_found_in_the_url_when_not_given(tmp_path: Path) -> None:
    source = tmp_path / "x.jsonl"
    source.write_text(
        '{"title": "T", "abstract": "An abstract. Two.", "url": "https://huggingface.co/papers/2401.01234"}\n',
        encoding="utf-8",
    )
    assert read_input(source, today=TODAY).records[0].paper.arxiv_id == "2401.01234"


def test_deeply_nested_json_is_a_rejection(tmp_path: Path) -> None:
    source = tmp_path / "deep.jsonl"
    source.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    (rejection,) = read_input(source, today=TODAY).rejections
    assert rejection.reason.startswith("not valid JSON")


def test_a_jsonl_file_is_recognised_by_content_whatever_its_name(tmp_path: Path) -> None:
    source = tmp_path / "export.txt"
    source.write_text('{"title": "T", "abstract": "An abstract. Two."}\n', encoding="utf-8")
    assert [r.paper.title for r in read_input(source, today=TODAY).records] == ["T"]
