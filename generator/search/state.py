"""What the build records beside the index: the schema version and the topics.

``papershelf-index.json`` lets every front end that opens the index (the command line,
the local backend) know the topics that ``topic:slug`` names, without the site settings.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path

from ..atomic import write_atomic
from ..settings import Topic
from .schema import SCHEMA_VERSION

STATE_FILE = "papershelf-index.json"


def read_topics(index_dir: Path) -> dict[str, str]:
    """The topics recorded beside the index: topic slug -> query."""
    topics = read_state(index_dir).get("topics", {})
    return {str(k): str(v) for k, v in topics.items()} if isinstance(topics, dict) else {}


def write_state(index_dir: Path, topics: Sequence[Topic]) -> None:
    state = {"schema": SCHEMA_VERSION, "topics": {t.slug: t.query for t in topics}}
    data = json.dumps(state, indent=1, sort_keys=True).encode()
    with contextlib.suppress(FileNotFoundError):
        if (index_dir / STATE_FILE).read_bytes() == data:
            return
    write_atomic(index_dir / STATE_FILE, data)


def read_state(index_dir: Path) -> dict[str, object]:
    with contextlib.suppress(FileNotFoundError, ValueError, OSError):
        data = json.loads((index_dir / STATE_FILE).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    return {}
