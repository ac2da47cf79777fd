"""Reading marshalled cache files through a map of the file."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from generator import cachefile


def test_a_cache_file_reads_back_what_was_marshalled(tmp_path: Path) -> None:
    value = (3, {"a": ("b", 1, None), "é": b"\x00"}, [1.5])
    (tmp_path / "c.marshal").write_bytes(marshal.dumps(value))
    assert cachefile.load(tmp_path / "c.marshal") == value


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"", EOFError), (b"\xff\xfe not marshal", ValueError), (marshal.dumps({"a": "b" * 100})[:-20], EOFError)],
    ids=["empty", "garbage", "cut short"],
)
def test_an_unreadable_cache_file_raises_what_a_caller_can_catch(
    tmp_path: Path, data: bytes, error: type[Exception]
) -> None:
    (tmp_path / "c.marshal").write_bytes(data)
    with pytest.raises(error):
        cachefile.load(tmp_path / "c.marshal")


def test_a_missing_cache_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        cachefile.load(tmp_path / "missing.marshal")
