"""Which entries of a mapping changed between two versions of it."""

from __future__ import annotations

from generator.mappings import changed_keys


def test_changed_keys_are_those_with_other_values_or_new_and_never_those_unchanged() -> None:
    then = {"a": "1", "b": ("x", "y"), "c": None, "gone": "9"}
    now = {"a": "1", "b": ("x", "z"), "c": None, "new": None, "d": "4"}
    assert changed_keys(now, then) == {"b", "new", "d"}
    assert changed_keys(then, then) == set()
    assert changed_keys({}, then) == set()
    # A key that holds None now and is missing then is new, not unchanged.
    assert changed_keys({"k": None}, {}) == {"k"}
