"""The project's errors.  The CLI turns any of them into one line and exit status 1."""

from __future__ import annotations


class PapershelfError(Exception):
    """Base class: something the user can act on, described in one line."""


class ConfigError(PapershelfError):
    """A setting in pelicanconf.py / publishconf.py is missing, unknown or of the wrong type."""


class PaperFileError(PapershelfError):
    """A file in content/papers cannot be read as a paper."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class InputError(PapershelfError):
    """An input file as a whole cannot be read (missing, a directory, unreadable)."""


class BuildError(PapershelfError):
    """The site could not be built; the message says what failed."""
