"""The papershelf command as a person runs it: summaries, clear errors, no tracebacks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .support import REPO

DUMPS = Path(__file__).parent / "data" / "dumps"


def papershelf(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


def test_ingest_prints_a_summary_and_every_rejection_with_file_and_line(tmp_path: Path) -> None:
    result = papershelf("ingest", str(DUMPS / "missing_abstract.txt"), str(DUMPS / "records.jsonl"), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "3 new, 1 merged, 0 unchanged, 8 rejected"
    assert "rejected missing_abstract.txt:1: title without an abstract" in lines
    assert "rejected records.jsonl:6: not valid JSON: Expecting value (column 37)" in lines
    assert "warning records.jsonl:10: ignored unknown field(s) 'mood'" in lines
    assert "Traceback" not in result.stderr
    assert len(list((tmp_path / "content" / "papers").glob("*.md"))) == 3


def test_ingest_of_clean_input_exits_zero_and_a_rerun_is_all_unchanged(tmp_path: Path) -> None:
    dump = str(DUMPS / "blank_lines_with_day.txt")
    assert papershelf("ingest", dump, "--collection", "Robotics", cwd=tmp_path).returncode == 0
    again = papershelf("ingest", dump, "--collection", "Robotics", cwd=tmp_path)
    assert again.stdout.splitlines()[0] == "0 new, 0 merged, 2 unchanged, 0 rejected"


def test_unreadable_inputs_are_reported_and_the_readable_ones_ingested(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = papershelf("ingest", "empty.txt", "nope.txt", str(tmp_path), str(DUMPS / "non_utf8.txt"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "2 new, 0 merged, 0 unchanged, 4 rejected"
    assert "rejected empty.txt: is empty" in result.stdout
    assert "rejected nope.txt: no such file" in result.stdout
    assert "is a folder, not a file" in result.stdout
    assert "not UTF-8 (byte 0xe9 at column 13)" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_bad_date_option_is_a_usage_error(tmp_path: Path) -> None:
    result = papershelf("ingest", "x.txt", "--date", "13/03/2026", cwd=tmp_path)
    assert result.returncode == 2
    assert "'13/03/2026' is not a date in the form YYYY-MM-DD" in result.stderr


def test_build_without_settings_says_where_to_run_it(tmp_path: Path) -> None:
    result = papershelf("build", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "papershelf: error: no settings file at pelicanconf.py; run from the project folder or pass -s FILE"
    )


def test_build_reports_a_broken_setting_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    shutil.copy(REPO / "pelicanconf.py", tmp_path / "pelicanconf.py")
    with (tmp_path / "pelicanconf.py").open("a", encoding="utf-8") as handle:
        handle.write('\nPAPERSHELF = {"front_page_paper": 10}\nTHEME = "%s"\n' % (REPO / "theme"))
    result = papershelf("build", cwd=tmp_path)
    assert result.returncode == 1
    assert "PAPERSHELF: unknown key 'front_page_paper'" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_prints_where_the_site_is_and_how_to_preview_it(tmp_path: Path) -> None:
    shutil.copytree(DUMPS.parent.parent.parent / "content" / "pages", tmp_path / "content" / "pages")
    papershelf("ingest", str(DUMPS / "two_days.txt"), cwd=tmp_path)
    shutil.copy(REPO / "pelicanconf.py", tmp_path / "pelicanconf.py")
    with (tmp_path / "pelicanconf.py").open("a", encoding="utf-8") as handle:
        handle.write('\nTHEME = "%s"\n' % (REPO / "theme"))
    result = papershelf("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{tmp_path / 'output' / 'index.html'}" in result.stdout
    assert "make serve" in result.stdout
    assert (tmp_path / "output" / "papers" / "visual-language-maps-for-robot-navigation" / "index.html").exists()
