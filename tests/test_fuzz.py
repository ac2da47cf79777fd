"""Run the parser fuzzer for a bounded time: any crash it finds fails the suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .support import REPO

FUZZ_SECONDS = int(os.environ.get("PAPERSHELF_FUZZ_SECONDS", "15"))


def test_the_parsers_survive_a_bounded_fuzzing_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "tests" / "fuzz" / "corpus", corpus)
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "tests" / "fuzz" / "fuzz_parsers.py"),
            f"-max_total_time={FUZZ_SECONDS}",
            "-rss_limit_mb=2048",
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=FUZZ_SECONDS + 120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    crashes = sorted(p.name for p in tmp_path.glob("crash-*"))
    assert result.returncode == 0, f"fuzzer found {crashes}:\n{result.stderr[-3000:]}"
    assert "Done" in result.stderr
