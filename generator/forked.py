"""Running one memory-hungry step in a forked child, so its memory goes back to the system.

Computing related papers from nothing holds every paper's word counts at once (about
700 MB at 100,000 papers).  Freed in the build's own process, that memory stays with
the process, and the page renderers forked after it copy it page by page as they touch
it: a cold build's peak memory came to over 3 GB.  In a child, it is gone when the
child exits; only the result travels back, pickled through a pipe.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import TypeVar

from .errors import BuildError

T = TypeVar("T")

# What the child runs: set just before the fork, so that nothing but the result is pickled.
_STEP: Callable[[], object] | None = None


def run_forked(step: Callable[[], T], what: str) -> T:
    """``step()`` in a forked child process; its result, or a ``BuildError`` naming ``what``."""
    global _STEP
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    _STEP = step
    try:
        child = context.Process(target=_child, args=(send,), name=f"papershelf {what}")
        child.start()
        send.close()
        try:
            ok, value = receive.recv()
        except EOFError:
            ok, value = False, "it stopped without an answer"
        child.join()
    finally:
        _STEP = None
        receive.close()
    if not ok:
        raise BuildError(f"{what} failed: {value}")
    return value  # type: ignore[return-value]


def _child(send: object) -> None:
    assert _STEP is not None  # set by run_forked before the fork
    try:
        result: tuple[bool, object] = (True, _STEP())
    except BaseException as exc:  # noqa: BLE001 -- every failure goes back to the build, as text
        result = (False, "".join(traceback.format_exception_only(type(exc), exc)).strip())
    send.send(result)  # type: ignore[attr-defined]
    send.close()  # type: ignore[attr-defined]
