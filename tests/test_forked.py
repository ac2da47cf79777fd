"""A step run in a forked child: its result comes back, its failure becomes a build error."""

from __future__ import annotations

import os

import pytest

from generator.errors import BuildError
from generator.forked import run_forked


def test_the_result_comes_back_from_another_process() -> None:
    parent = os.getpid()
    pid, data = run_forked(lambda: (os.getpid(), {"a": (1, 2)}), "a step")
    assert pid != parent
    assert data == {"a": (1, 2)}


def test_a_failing_step_is_a_build_error_that_names_it() -> None:
    def broken() -> None:
        raise ValueError("no such word")

    with pytest.raises(BuildError, match="counting words failed: ValueError: no such word"):
        run_forked(broken, "counting words")


def test_a_child_that_dies_is_a_build_error() -> None:
    with pytest.raises(BuildError, match="stopped without an answer"):
        run_forked(lambda: os._exit(3), "a step")
