"""SECURITY.md names the tests that pin each guard: every one of them exists, and README links the file."""

from __future__ import annotations

import ast
import re

from .support import REPO

SECURITY = (REPO / "SECURITY.md").read_text(encoding="utf-8")
NAMED = sorted(set(re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", SECURITY)))


def defined_tests(path: str) -> set[str]:
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_test_security_md_names_exists() -> None:
    assert len(NAMED) >= 40
    missing = [f"{path}::{name}" for path, name in NAMED if name not in defined_tests(path)]
    assert missing == []


def test_every_guard_of_the_backend_is_in_security_md() -> None:
    guards = re.findall(r"^def (check_\w+)", (REPO / "generator/backend/guards.py").read_text(), re.MULTILINE)
    assert len(guards) >= 6
    assert [g for g in guards if f"`{g}`" not in SECURITY] == []


def test_the_readme_links_security_md() -> None:
    assert "](SECURITY.md)" in (REPO / "README.md").read_text(encoding="utf-8")
