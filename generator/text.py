"""Text clean-up shared by every source: one place decides what a title or an abstract may hold."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 control characters other than tab and newline carry no meaning in a title or an
# abstract, and NUL or ESC in a file would break editors and XML feeds alike.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Dropped outright: lone surrogates (they cannot be encoded as UTF-8 and only arrive
# through JSON escapes) and the two non-characters XML 1.0 forbids even when escaped.
_UNENCODABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
_BLANK_LINES = re.compile(r"\n\s*\n")


def clean_line(value: str) -> str:
    """Return ``value`` as one line: NFC, no control characters, whitespace collapsed.

    Line and paragraph separators (U+2028, U+2029, NEL) count as whitespace here, so a
    title can never span lines in a paper file.
    """
    value = _CONTROL.sub(" ", _UNENCODABLE.sub("", unicodedata.normalize("NFC", value)))
    return " ".join(value.split())


def clean_text(value: str) -> str:
    """Return ``value`` as paragraphs separated by one blank line, each paragraph one line.

    Abstracts copied from web pages wrap at arbitrary points; a single newline inside a
    paragraph is layout, a blank line is structure.
    """
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub(" ", _UNENCODABLE.sub("", value))
    paragraphs = (" ".join(p.split()) for p in _BLANK_LINES.split(value))
    return "\n\n".join(p for p in paragraphs if p)


def fold(value: str) -> str:
    """Fold case, compatibility forms and accents: the key two spellings of a title share."""
    value = unicodedata.normalize("NFKD", value.casefold())
    value = "".join(c for c in value if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", value).casefold()


_NON_WORD = re.compile(r"[\W_]+")


def normalise_title(title: str) -> str:
    """The title as an identity key: folded, punctuation and spacing removed.

    >>> normalise_title("Visual  Language Maps — for Robot-Navigation!")
    'visual language maps for robot navigation'
    """
    return " ".join(_NON_WORD.sub(" ", fold(clean_line(title))).split())


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"
