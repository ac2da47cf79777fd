"""Carrying files over from the last build, and which paper pages can be carried."""

from __future__ import annotations

import json
import marshal
import time
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.site.buildrecord import Record, made_under, read_record, write_record
from generator.site.output import OutputWriter, read_manifest
from generator.site.pagestate import PageState, unchanged_papers
from generator.site.sitemap import manifest_pages


def _writer(tmp_path: Path, previous: dict[str, str]) -> OutputWriter:
    manifest = tmp_path / "manifest.marshal"
    manifest.write_bytes(marshal.dumps(previous))
    return OutputWriter(tmp_path / "out", manifest=manifest)


def test_carry_each_claims_files_that_are_there_with_the_last_builds_keys(tmp_path: Path) -> None:
    for slug in ("a", "b", "c", "d"):
        (tmp_path / "out" / "papers" / slug).mkdir(parents=True)
        (tmp_path / "out" / "papers" / slug / "index.html").write_text(slug)
    out = _writer(
        tmp_path,
        {
            "papers/a/index.html": "ka",
            "papers/b/index.html": "kb",
            "papers/c/index.html": "",
            "papers/e/index.html": "ke",
        },
    )
    out.claim("papers/b/index.html", "new")
    # a: carried; b: already claimed; c: made without a key; d: not made last time; e: gone.
    missed = out.carry_each("papers", {"a", "b", "c", "d", "e"}, "/index.html")
    assert missed == {"b", "c", "d", "e"}
    assert out.kept == 1
    out.finish()
    assert read_manifest(tmp_path / "manifest.marshal") == {
        "papers/a/index.html": "ka",
        "papers/b/index.html": "new",
    }


def test_carry_each_checks_files_by_their_names_in_the_folder(tmp_path: Path) -> None:
    (tmp_path / "out" / "api" / "papers").mkdir(parents=True)
    (tmp_path / "out" / "api" / "papers" / "a.json").write_text("{}")
    out = _writer(tmp_path, {"api/papers/a.json": "ka", "api/papers/b.json": "kb"})
    assert out.carry_each("api/papers", ["a", "b"], ".json") == {"b"}
    assert out.kept == 1


def test_carry_each_refuses_a_folder_outside_the_output(tmp_path: Path) -> None:
    out = _writer(tmp_path, {})
    with pytest.raises(BuildError, match="outside the output folder"):
        out.carry_each("../elsewhere", {"a"})


PAGES = ("papers", "/index.html")


def _pages(tmp_path: Path, slugs: list[str]) -> None:
    for slug in slugs:
        (tmp_path / "out" / "papers" / slug).mkdir(parents=True, exist_ok=True)
        (tmp_path / "out" / "papers" / slug / "index.html").write_text(slug)


def _family_build(tmp_path: Path, keys: dict[str, str]) -> OutputWriter:
    """A build of a paper page per slug of ``keys``: carried when its key is the last build's."""
    out = OutputWriter(tmp_path / "out", manifest=tmp_path / "manifest.marshal", families=(PAGES,))
    for slug in out.carry_each("papers", set(keys), "/index.html"):
        out.write(f"papers/{slug}/index.html", slug, keys[slug])
    out.finish()
    return out


def test_a_family_is_carried_by_name_and_its_manifest_spells_out_its_paths(tmp_path: Path) -> None:
    first = _family_build(tmp_path, {"a": "ka", "b": "kb", "c": "kc"})
    assert (first.written, first.kept) == (3, 0)
    second = _family_build(tmp_path, {"a": "ka", "b": "kb"})
    assert (second.written, second.kept) == (0, 2)
    assert not (tmp_path / "out" / "papers" / "c").exists()  # stale: removed, folder and all
    assert read_manifest(tmp_path / "manifest.marshal") == {"papers/a/index.html": "ka", "papers/b/index.html": "kb"}
    assert second.previous_key("papers/a/index.html") == "ka"
    assert second.previous_key("papers/index.html") is None


def test_a_page_folder_removed_by_hand_from_a_family_folder_is_made_again(tmp_path: Path) -> None:
    _family_build(tmp_path, {"a": "ka", "b": "kb"})
    # Past the file system's clock tick, as any removal by hand is.
    time.sleep(0.05)
    (tmp_path / "out" / "papers" / "a" / "index.html").unlink()
    (tmp_path / "out" / "papers" / "a").rmdir()
    again = _family_build(tmp_path, {"a": "ka", "b": "kb"})
    assert (again.written, again.kept) == (1, 1)
    assert (tmp_path / "out" / "papers" / "a" / "index.html").read_text() == "a"


def test_a_family_file_claimed_already_is_not_carried(tmp_path: Path) -> None:
    _family_build(tmp_path, {"a": "ka", "b": "kb"})
    out = OutputWriter(tmp_path / "out", manifest=tmp_path / "manifest.marshal", families=(PAGES,))
    out.write("papers/a/index.html", "new a", "new")
    assert out.carry_each("papers", {"a", "b"}, "/index.html") == {"a"}
    with pytest.raises(BuildError, match="both be written"):
        out.write("papers/b/index.html", "b", "kb")


def test_a_manifest_of_paths_is_read_into_the_writers_families_without_losing_a_file(tmp_path: Path) -> None:
    # The manifest an older build wrote, before families: every file by its path.
    _pages(tmp_path, ["a", "b"])
    (tmp_path / "manifest.marshal").write_bytes(
        marshal.dumps({"papers/a/index.html": "ka", "papers/b/index.html": "kb", "index.html": ""})
    )
    (tmp_path / "out" / "index.html").write_text("home")
    out = OutputWriter(tmp_path / "out", manifest=tmp_path / "manifest.marshal", families=(PAGES,))
    assert out.carry_each("papers", {"a", "b"}, "/index.html") == set()
    out.write("index.html", "home")
    assert out.finish() == 0
    assert read_manifest(tmp_path / "manifest.marshal") == {
        "papers/a/index.html": "ka",
        "papers/b/index.html": "kb",
        "index.html": "",
    }
    # And back: a writer without the family still knows its files, and removes them as stale.
    plain = OutputWriter(tmp_path / "out", manifest=tmp_path / "manifest.marshal")
    assert plain.carry_each("papers", {"a"}, "/index.html") == set()
    plain.write("index.html", "home")
    assert plain.finish() == 1
    assert not (tmp_path / "out" / "papers" / "b").exists()


def test_the_sitemap_lists_family_pages_of_a_manifest_and_passes_over_other_families(tmp_path: Path) -> None:
    _family_build(tmp_path, {"a": "ka"})
    records = OutputWriter(tmp_path / "out", manifest=tmp_path / "api.marshal", families=(("api/papers", ".json"),))
    records.write("api/papers/a.json", "{}", "k")
    records.write("api/index.html", "<p>", "")
    records.finish()
    assert manifest_pages([tmp_path / "manifest.marshal", tmp_path / "api.marshal"]) == {
        "papers/a/index.html",
        "api/index.html",
    }


def test_files_claimed_as_a_family_in_one_step_stay_and_the_rest_go_as_stale(tmp_path: Path) -> None:
    docs = ("search/doc", ".json")
    folder = tmp_path / "out" / "search" / "doc"
    folder.mkdir(parents=True)
    for number in range(4):
        (folder / f"{number}.json").write_text("{}")
    first = OutputWriter(tmp_path / "out", manifest=tmp_path / "manifest.marshal", families=(docs,))
    first.claim_each("search/doc", map(str, range(4)), ".json")
    first.finish()
    second = OutputWriter(tmp_path / "out", manifest=tmp_path / "manifest.marshal", families=(docs,))
    second.claim_each("search/doc", ["0", "1"], ".json")
    with pytest.raises(BuildError, match=r"search/doc/1\.json"):
        second.claim_each("search/doc", ["1"], ".json")
    assert second.finish() == 2
    assert sorted(p.name for p in folder.iterdir()) == ["0.json", "1.json"]


def test_files_written_by_a_writer_that_stopped_before_finishing_are_vouched_for_by_no_key(tmp_path: Path) -> None:
    _family_build(tmp_path, {"a": "ka", "b": "kb"})
    out = OutputWriter(tmp_path / "out", manifest=tmp_path / "manifest.marshal", families=(PAGES,))
    out.write("papers/a/index.html", "a made from new input", "ka2")  # and then the build stops
    again = OutputWriter(tmp_path / "out", manifest=tmp_path / "manifest.marshal", families=(PAGES,))
    # Back to the old input: "a" must be made again, though the manifest still says "ka".
    assert again.carry_each("papers", {"a", "b"}, "/index.html") == {"a", "b"}
    assert not again.keep("papers/a/index.html", "ka")
    again.write("papers/a/index.html", "a", "ka")
    again.write("papers/b/index.html", "b", "kb")
    assert again.finish() == 0
    assert (tmp_path / "out" / "papers" / "a" / "index.html").read_text() == "a"
    # Finished: the next writer carries both by their keys again.
    last = OutputWriter(tmp_path / "out", manifest=tmp_path / "manifest.marshal", families=(PAGES,))
    assert last.carry_each("papers", {"a", "b"}, "/index.html") == set()


def test_the_json_manifest_of_an_older_build_beside_is_read_and_then_replaced(tmp_path: Path) -> None:
    _pages(tmp_path, ["a", "b"])
    (tmp_path / "manifest.json").write_text(json.dumps({"papers/a/index.html": "ka", "papers/b/index.html": "kb"}))
    out = OutputWriter(tmp_path / "out", manifest=tmp_path / "manifest.marshal", families=(PAGES,))
    assert out.carry_each("papers", {"a"}, "/index.html") == set()
    assert out.finish() == 1  # b: made by the older build, not by this one
    assert not (tmp_path / "out" / "papers" / "b").exists()
    assert not (tmp_path / "manifest.json").exists()
    assert read_manifest(tmp_path / "manifest.marshal") == {"papers/a/index.html": "ka"}


def test_an_unreadable_manifest_is_an_empty_one(tmp_path: Path) -> None:
    for data in (b"", b"\xff\x00 not marshal", marshal.dumps(("papershelf output manifest", 1, {1: 2}, {}, {}))):
        (tmp_path / "manifest.marshal").write_bytes(data)
        assert read_manifest(tmp_path / "manifest.marshal") == {}


def _state(digests: dict, related: dict | None = None, topics: dict | None = None) -> PageState:
    return PageState(digests, related or {}, topics or {})


def test_a_paper_page_is_unchanged_only_when_nothing_it_shows_changed() -> None:
    last = _state(
        {"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "g": "8", "gone": "6"},
        {"a": ("b",), "c": ("gone",), "d": ("e",)},
        {"t": ("a", "e")},
    )
    now = _state(
        # b's record changed (a shows b); e left topic t; gone left the shelf (c showed it);
        # d's related papers changed; f is new.
        {"a": "1", "b": "2*", "c": "3", "d": "4", "e": "5", "f": "7", "g": "8"},
        {"a": ("b",), "c": ("gone",), "d": ("f",)},
        {"t": ("a",)},
    )
    assert unchanged_papers(now, last) == {"g"}
    assert unchanged_papers(_state({"a": "1", "z": "9"}, {}, {}), _state({"a": "1", "z": "9"})) == {"a", "z"}


def test_without_a_record_of_the_last_build_no_page_is_unchanged() -> None:
    assert unchanged_papers(_state({"a": "1"}), PageState()) == set()


def test_a_build_record_is_read_back_only_under_its_version_salt_and_shape(tmp_path: Path) -> None:
    path = tmp_path / "record.marshal"
    write_record(path, 2, "salt", ({"a": "1"}, {"a": ("b",)}))
    assert _mappings(read_record(path, 2, "salt", 2)) == ({"a": "1"}, {"a": ("b",)})
    assert read_record(path, 3, "salt", 2) is None
    assert read_record(path, 2, "other salt", 2) is None
    assert read_record(path, 2, "salt", 3) is None
    path.write_bytes(b"not marshal")
    assert read_record(path, 2, "salt", 2) is None
    assert read_record(tmp_path / "missing.marshal", 2, "salt", 2) is None


def _mappings(record: Record | None) -> tuple[dict, ...] | None:
    return record.mappings if record is not None else None


def test_a_record_changed_in_a_few_entries_is_written_as_its_changes_and_read_back_whole(tmp_path: Path) -> None:
    path, beside = tmp_path / "record.marshal", tmp_path / "record.delta.marshal"
    digests = {f"paper-{n}": f"d{n}" for n in range(3000)}
    write_record(path, 2, "salt", (digests, {"t": ("paper-1",)}))
    whole = path.read_bytes()
    for round_ in range(3):  # changes on changes: each round's are kept with the earlier ones
        last = read_record(path, 2, "salt", 2)
        assert last is not None
        now = dict(last.mappings[0])
        now[f"new-{round_}"] = "n"
        now["paper-0"] = f"edited {round_}"
        del now[f"paper-{round_ + 1}"]
        topics = {"t": ("paper-1", f"new-{round_}")}
        touched = {f"new-{round_}", "paper-0", f"paper-{round_ + 1}"}
        write_record(path, 2, "salt", (now, topics), since=last, touched=(touched, None))
        assert path.read_bytes() == whole  # the record as written whole is left alone
        assert beside.is_file()
        assert _mappings(read_record(path, 2, "salt", 2)) == (now, topics)
    # Changes past the share of the record: written whole again, the changes removed.
    last = read_record(path, 2, "salt", 2)
    assert last is not None
    many = {**last.mappings[0], **{f"more-{n}": "m" for n in range(1500)}}
    write_record(path, 2, "salt", (many, {}), since=last, touched=(set(many), None))
    assert not beside.exists()
    assert _mappings(read_record(path, 2, "salt", 2)) == (many, {})


def test_changes_beside_another_record_than_the_one_there_are_not_applied(tmp_path: Path) -> None:
    path, beside = tmp_path / "record.marshal", tmp_path / "record.delta.marshal"
    write_record(path, 2, "salt", ({"a": "1"},))
    last = read_record(path, 2, "salt", 1)
    write_record(path, 2, "salt", ({"a": "2"},), since=last, touched=({"a"},))
    changes = beside.read_bytes()
    write_record(path, 2, "salt", ({"a": "3"},))  # written whole: the changes go
    beside.write_bytes(changes)  # as if a build had stopped before removing them
    assert _mappings(read_record(path, 2, "salt", 1)) == ({"a": "3"},)
    for damaged in (b"", b"\x00not marshal", changes[: len(changes) // 2]):
        beside.write_bytes(damaged)
        assert _mappings(read_record(path, 2, "salt", 1)) == ({"a": "3"},)


def test_a_record_whose_changes_cannot_be_written_is_removed_not_left_stale(tmp_path: Path) -> None:
    path, beside = tmp_path / "record.marshal", tmp_path / "record.delta.marshal"
    write_record(path, 2, "salt", ({"a": "1", "b": "2"},))
    last = read_record(path, 2, "salt", 1)
    (beside / "in the way").mkdir(parents=True)  # the changes cannot be renamed into place
    write_record(path, 2, "salt", ({"a": "1", "b": "3"},), since=last, touched=({"b"},))
    # Left as it was, the record would say "b" is still made from "2".
    assert read_record(path, 2, "salt", 1) is None


def test_a_records_salt_is_told_from_its_first_bytes_as_read_record_tells_it(tmp_path: Path) -> None:
    path = tmp_path / "record.marshal"
    assert not made_under(path, "a1b2c3")
    big = {f"paper-{n}": "d" * 32 for n in range(20_000)}
    write_record(path, 2, "a1b2c3", [big, {}])
    assert made_under(path, "a1b2c3")
    assert read_record(path, 2, "a1b2c3", 2) is not None
    assert not made_under(path, "ffffff")
    assert read_record(path, 2, "ffffff", 2) is None
