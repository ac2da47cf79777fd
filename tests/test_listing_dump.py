"""Listing dumps in every variant the sample dumps show, and the ways they go wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.sources import read_input
from generator.sources.listing_dump import parse_listing_dump

DATA = Path(__file__).parent / "data" / "dumps"
TODAY = dt.date(2026, 11, 23)
VLMAPS = "Visual Language Maps for Robot Navigation"
COTTA = "Continual Test-Time Domain Adaptation"


def read(name: str, **options):
    return read_input(DATA / name, today=TODAY, **options)


def titles(result) -> list[str]:
    return [r.paper.title for r in result.records]


def test_header_furniture_and_blank_lines_are_skipped_and_the_day_line_dates_papers() -> None:
    result = read("blank_lines_with_day.txt")
    assert titles(result) == [VLMAPS, COTTA]
    assert result.rejections == []
    assert {r.paper.date for r in result.records} == {dt.date(2026, 3, 13)}
    assert result.records[0].line == 11


def test_a_title_glued_to_subscribe_is_recovered_without_blank_lines() -> None:
    result = read("no_blank_lines_glued_subscribe.txt")
    assert titles(result) == [VLMAPS, COTTA]
    assert result.rejections == []


def test_without_a_day_line_papers_join_today() -> None:
    result = read("no_blank_lines_glued_subscribe.txt")
    assert {r.paper.date for r in result.records} == {TODAY}


def test_each_day_line_dates_the_papers_after_it() -> None:
    result = read("two_days.txt")
    assert [(r.paper.title[:6], r.paper.date) for r in result.records] == [
        ("Visual", dt.date(2026, 3, 13)),
        ("Elucid", dt.date(2026, 3, 11)),
    ]


def test_date_option_overrides_day_lines() -> None:
    result = read("two_days.txt", date=dt.date(2025, 1, 2))
    assert {r.paper.date for r in result.records} == {dt.date(2025, 1, 2)}


def test_a_day_line_means_the_latest_such_day_not_after_today() -> None:
    dump = b"Dec 24\nA Title\nAn abstract sentence here. And another one.\n"
    result = parse_listing_dump(dump, "x.txt", today=dt.date(2026, 11, 23))
    assert result.records[0].paper.date == dt.date(2025, 12, 24)
    leap = parse_listing_dump(b"Feb 29\n" + dump[7:], "x.txt", today=dt.date(2026, 11, 23))
    assert leap.records[0].paper.date == dt.date(2024, 2, 29)


def test_collections_are_given_to_every_paper_as_slugs() -> None:
    result = read("blank_lines_with_day.txt", collections=["Robotics Reading List", "off-the-shelf"])
    assert {r.paper.collections for r in result.records} == {("off-the-shelf", "robotics-reading-list")}


def test_links_in_abstracts_become_code_and_project_links() -> None:
    result = read("two_days.txt")
    vlmaps, elucid = (r.paper for r in result.records)
    assert vlmaps.links == ("https://vlmaps.github.io",)
    assert vlmaps.code == ()
    assert elucid.code == ("https://github.com/AlexMaOLS/EluCD/tree/main",)


def test_crlf_line_ends_and_a_byte_order_mark_are_read() -> None:
    result = read("crlf_and_bom.txt")
    assert titles(result) == [VLMAPS, COTTA]
    assert not any("\r" in r.paper.abstract or "\ufeff" in r.paper.title for r in result.records)


def test_a_title_without_an_abstract_is_rejected_with_its_line_and_the_rest_read() -> None:
    result = read("missing_abstract.txt")
    assert titles(result) == [COTTA]
    assert [(r.line, r.reason) for r in result.rejections] == [
        (1, "title without an abstract"),
        (3, "title without an abstract"),
    ]


def test_a_non_utf8_line_rejects_only_its_record() -> None:
    result = read("non_utf8.txt")
    assert titles(result) == [VLMAPS, COTTA]
    (rejection,) = result.rejections
    assert rejection.line == 3
    assert "line 4" in rejection.reason
    assert "not UTF-8 (byte 0xe9" in rejection.reason


def test_an_empty_file_is_one_clear_rejection(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"\n \n")
    result = read_input(empty, today=TODAY)
    assert result.records == []
    assert [str(r) for r in result.rejections] == ["empty.txt: is empty"]


def test_missing_and_directory_inputs_are_rejections_not_exceptions(tmp_path: Path) -> None:
    assert "no such file" in str(read_input(tmp_path / "nope.txt", today=TODAY).rejections[0])
    assert "is a folder" in str(read_input(tmp_path, today=TODAY).rejections[0])


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    binary = tmp_path / "paper.pdf"
    binary.write_bytes(b"%PDF-1.7\x00\x01\x02" * 100)
    assert "binary" in str(read_input(binary, today=TODAY).rejections[0])


def test_a_50_mb_dump_is_read_in_full(tmp_path: Path) -> None:
    record = (
        "A Paper Title Number {n}\n\nWe study a problem at length. "
        + "The method is described in detail and evaluated carefully. " * 40
        + "\n\n"
    )
    big = tmp_path / "big.txt"
    with big.open("w", encoding="utf-8") as handle:
        n = 0
        while handle.tell() < 50 * 2**20:
            handle.write(record.format(n=n))
            n += 1
    result = read_input(big, today=TODAY)
    assert len(result.records) == n
    assert result.rejections == []


def test_a_single_huge_abstract_is_rejected_with_the_limit(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_text("A Title\n\n" + "Word and more words. " * 20_000 + "\n", encoding="utf-8")
    (rejection,) = read_input(huge, today=TODAY).rejections
    assert "abstract is 419,999 characters long (the limit is 200,000)" in rejection.reason


def test_an_abstract_without_a_title_is_rejected() -> None:
    abstract = "A long paragraph. " * 30
    result = parse_listing_dump(f"{abstract}\nA Title\nAn abstract. Two sentences.\n".encode(), "x", today=TODAY)
    assert titles(result) == ["A Title"]
    assert result.rejections[0].reason.startswith("abstract without a title")


def test_the_four_sample_dumps_hold_476_records_of_432_papers() -> None:
    folder = Path(__file__).parent.parent / "content" / "dumps"
    results = [read_input(p, today=TODAY) for p in sorted(folder.glob("*.txt"))]
    assert [len(r.records) for r in results] == [33, 81, 194, 168]
    assert all(r.rejections == [] for r in results)
    from generator.text import normalise_title

    assert len({normalise_title(rec.paper.title) for r in results for rec in r.records}) == 432
