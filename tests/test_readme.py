"""The README's commands, files and picture exist as it says."""

from __future__ import annotations

import re
import shlex

import pytest

from generator.cli import _parser

from .support import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
# Fenced blocks, opening and closing fences paired line by line; shell and plain ones only.
FENCES = re.findall(r"^```(\w*)\n(.*?)^```", README, re.DOTALL | re.MULTILINE)
CODE_BLOCKS = [body for language, body in FENCES if language in ("", "sh")]


def test_the_first_commands_shown_are_make_site_and_make_test() -> None:
    first = [line.split("#")[0].strip() for line in CODE_BLOCKS[0].splitlines()]
    assert first == ["make site", "make test"]


def test_every_make_target_named_exists() -> None:
    targets = set(re.findall(r"^([a-z][\w-]*):", (REPO / "Makefile").read_text(encoding="utf-8"), re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][\w-]*)`", README)) | {
        m for block in CODE_BLOCKS for m in re.findall(r"^make ([a-z][\w-]*)", block, re.MULTILINE)
    }
    assert named
    assert named <= targets


@pytest.mark.parametrize(
    "command",
    sorted(
        {line.split("#")[0].strip() for block in CODE_BLOCKS for line in block.splitlines() if "papershelf " in line}
    ),
)
def test_every_papershelf_command_shown_parses(command: str) -> None:
    args = shlex.split(command.split("papershelf", 1)[1])
    _parser().parse_args(args)  # exits (SystemExit) on an unknown command or option


def test_the_linked_files_and_the_screenshot_exist() -> None:
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith("http"):
            assert (REPO / target).exists(), target
    screenshot = REPO / "docs" / "screenshot.png"
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size < 300_000
