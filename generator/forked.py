"""Running a step of the build in a forked child process: for its memory, or beside other work.

Two reasons to fork.  Computing related papers from nothing holds every paper's word
counts at once (about 700 MB at 100,000 papers); freed in the build's own process, that
memory stays with the process, and the page renderers forked after it copy it page by
page as they touch it.  In a child, it is gone when the child exits.  And on a rebuild,
the page stage and the browser's search index cost seconds of pure Python each, while
the build's own process has the JSON API and the feeds to write: in children they run
beside it, on the other core (``start_forked``, joined with ``Forked.result``).

Only the result travels back, pickled through a pipe, with the child's log records: they
are logged again in the build's process, so that a strict build counts the child's
warnings as its own and the log reads the same as when the step ran in place.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import traceback
from collections.abc import Callable
from typing import Generic, TypeVar

from .errors import BuildError

T = TypeVar("T")

# What the next child runs: set just before the fork, so that nothing but the result is pickled.
_STEP: Callable[[], object] | None = None


class Forked(Generic[T]):
    """A step running in a child process; ``result()`` waits for it."""

    def __init__(self, step: Callable[[], T], what: str) -> None:
        global _STEP
        self.what = what
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        _STEP = step
        try:
            self._child = context.Process(target=_child, args=(send,), name=f"papershelf {what}")
            self._child.start()
        finally:
            _STEP = None
            send.close()
        self._answer: tuple[bool, object, list[logging.LogRecord]] | None = None

    def done(self) -> bool:
        """Whether the step has finished (its answer is waiting), without waiting for it."""
        return self._answer is not None or self._receive.poll()

    def result(self) -> T:
        """The step's result, once it finished; a ``BuildError`` naming the step if it failed."""
        if self._answer is None:
            try:
                self._answer = self._receive.recv()
            except EOFError:
                self._answer = (False, "it stopped without an answer", [])
            finally:
                self._receive.close()
                self._child.join()
            for record in self._answer[2]:
                logging.getLogger(record.name).handle(record)
        ok, value, _records = self._answer
        if not ok:
            raise BuildError(f"{self.what} failed: {value}")
        return value  # type: ignore[return-value]


def start_forked(step: Callable[[], T], what: str) -> Forked[T]:
    """Start ``step()`` in a forked child process, and go on."""
    return Forked(step, what)


def run_forked(step: Callable[[], T], what: str) -> T:
    """``step()`` in a forked child process; its result, or a ``BuildError`` naming ``what``."""
    return start_forked(step, what).result()


class _Records(logging.Handler):
    """Keeps the child's log records, made plain enough to pickle."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)


def _child(send: object) -> None:
    assert _STEP is not None  # set by Forked before the fork
    # A child lives for one step and makes few reference cycles; a collection would walk
    # the objects it shares with the build's process, copying each memory page it touches.
    gc.disable()
    # The child's records go back to the build's process, which shows and counts them.
    records = _Records()
    root = logging.getLogger()
    root.handlers = [records]
    try:
        result: tuple[bool, object] = (True, _STEP())
    except BaseException as exc:  # noqa: BLE001 -- every failure goes back to the build, as text
        result = (False, "".join(traceback.format_exception_only(type(exc), exc)).strip())
    send.send((*result, records.records))  # type: ignore[attr-defined]
    send.close()  # type: ignore[attr-defined]
