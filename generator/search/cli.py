"""``papershelf search``: the shelf's search, in a terminal."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TextIO

from .. import urls
from ..errors import ConfigError
from .query import SearchHit, SearchResults, search

BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def run_search(settings_file: Path, text: str, limit: int, out: TextIO) -> int:
    results = search(_index_dir(settings_file), text, limit)
    try:
        _print(text, results, out)
    except BrokenPipeError:
        # Piped into `head`: the reader has seen enough; say nothing more.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    return 0


def _print(text: str, results: SearchResults, out: TextIO) -> None:
    if not results.hits:
        print(f"No papers match {text!r}.", file=out)
        return
    shown = len(results.hits)
    total = f"{results.total:,} papers match" if results.total != 1 else "1 paper matches"
    print(f"{total}; the best {shown}:" if shown < results.total else f"{total}:", file=out)
    for rank, hit in enumerate(results.hits, start=1):
        print(file=out)
        print(_entry(rank, hit, out.isatty()), file=out)


def _entry(rank: int, hit: SearchHit, tty: bool) -> str:
    def marked(segments: tuple) -> str:
        return "".join((f"{BOLD}{s.text}{PLAIN}" if tty else f"*{s.text}*") if s.matched else s.text for s in segments)

    snippet = " … ".join(" ".join(marked(s).split()) for s in hit.snippets)
    lines = [
        f"{rank:>2}. {marked(hit.title_segments)}",
        f"    {hit.joined} · {urls.paper(hit.slug)} · score {hit.score:.2f}",
    ]
    if snippet:
        lines.append(f"    {snippet}")
    return "\n".join(lines)


def _index_dir(settings_file: Path) -> Path:
    if not settings_file.is_file():
        raise ConfigError(f"no settings file at {settings_file}; run from the project folder or pass -s FILE")
    from pelican.settings import read_settings

    settings = read_settings(str(settings_file))
    return Path(settings.get("CACHE_PATH") or "cache") / "search"
