"""A step run in a forked child: its result and log come back, its failure becomes a build error."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.forked import report, run_forked, start_forked


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


def test_started_steps_run_beside_each_other_and_the_caller() -> None:
    # Each step waits for a file only the caller writes after starting both: run one
    # after another, or blocking the caller, they would never see it.
    with tempfile.TemporaryDirectory() as folder:
        go = Path(folder, "go")

        def wait_for_go(name: str) -> str:
            deadline = time.monotonic() + 20
            while not go.exists():
                if time.monotonic() > deadline:
                    raise TimeoutError("the caller never wrote the file")
                time.sleep(0.01)
            return name

        first = start_forked(lambda: wait_for_go("first"), "the first step")
        second = start_forked(lambda: wait_for_go("second"), "the second step")
        go.write_text("now")
        assert (second.result(), first.result()) == ("second", "first")


def test_a_step_is_done_once_its_answer_is_waiting_and_not_before() -> None:
    with tempfile.TemporaryDirectory() as folder:
        go = Path(folder, "go")

        def wait_for_go() -> str:
            while not go.exists():
                time.sleep(0.01)
            return "answer"

        step = start_forked(wait_for_go, "a step")
        time.sleep(0.2)
        assert not step.done()
        go.write_text("now")
        deadline = time.monotonic() + 20
        while not step.done():
            assert time.monotonic() < deadline, "the step never finished"
            time.sleep(0.01)
        assert step.result() == "answer"
        assert step.done()


def test_a_childs_log_records_are_logged_again_by_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    def step() -> int:
        logging.getLogger("generator.child").warning("a warning with %s", {"an": "argument"})
        logging.getLogger("generator.child").info("done in %.1f s", 1.25)
        return 7

    with caplog.at_level(logging.INFO):
        assert run_forked(step, "a logging step") == 7
    seen = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert ("generator.child", "WARNING", "a warning with {'an': 'argument'}") in seen
    assert ("generator.child", "INFO", "done in 1.2 s") in seen


def test_a_reported_first_result_arrives_while_the_step_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    with tempfile.TemporaryDirectory() as folder:
        go = Path(folder, "go")

        def two_parts() -> str:
            logging.getLogger("generator.test").warning("first part done")
            report({"first": 1})
            deadline = time.monotonic() + 20
            while not go.exists():  # written only once the caller has the first result
                if time.monotonic() > deadline:
                    raise TimeoutError("the caller never wrote the file")
                time.sleep(0.01)
            return "second"

        child = start_forked(two_parts, "a step in two parts")
        caplog.clear()
        with caplog.at_level(logging.INFO):
            assert child.early() == {"first": 1}
        assert [r.getMessage() for r in caplog.records] == ["first part done"]
        go.write_text("now")
        assert child.result() == "second"
        assert child.early() == {"first": 1}


def test_the_final_result_is_there_without_asking_for_the_first() -> None:
    def two_parts() -> int:
        report("first")
        return 2

    assert start_forked(two_parts, "a step").result() == 2


def test_a_step_that_fails_or_ends_before_reporting_has_no_first_result() -> None:
    def broken() -> None:
        raise ValueError("no index")

    with pytest.raises(BuildError, match="indexing failed: ValueError: no index"):
        start_forked(broken, "indexing").early()
    silent = start_forked(lambda: 3, "indexing")
    with pytest.raises(BuildError, match="indexing ended without its first result"):
        silent.early()
    assert silent.result() == 3


def test_report_is_for_a_forked_step_only() -> None:
    with pytest.raises(RuntimeError, match="forked child"):
        report("nowhere to go")
