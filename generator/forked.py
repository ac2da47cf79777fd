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
warnings as its own and the log reads the same as when the step ran in place.  A step
may also send one value before it ends (``report``, received with ``Forked.early``), for
a build that needs a first part of the step's work and can leave the rest to it.
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
# In a child: its end of the pipe and its log records so far, for ``report``.
_SENDING: tuple[object, _Records] | None = None
_EARLY, _FINAL = "early", "final"
Message = tuple[str, bool, object, list[logging.LogRecord]]  # (kind, ok, value, log records)


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
        self._early: Message | None = None
        self._answer: Message | None = None

    def done(self) -> bool:
        """Whether the step has finished (its answer is waiting), without waiting for it.

        For a step that does not ``report``: a report waiting counts as done too.
        """
        return self._answer is not None or self._receive.poll()

    def early(self) -> object:
        """What the step sent with ``report``, once it did (the step goes on meanwhile); a
        ``BuildError`` naming the step if it failed or ended before reporting."""
        if self._early is None:
            if self._answer is None:
                message = self._next()
                if message[0] == _EARLY:
                    self._early = message
                    return message[2]
                self._end(message)
            self._check()
            raise BuildError(f"{self.what} ended without its first result")
        return self._early[2]

    def result(self) -> T:
        """The step's result, once it finished; a ``BuildError`` naming the step if it failed."""
        if self._answer is None:
            message = self._next()
            if message[0] == _EARLY:
                self._early = message
                message = self._next()
            self._end(message)
        return self._check()  # type: ignore[return-value]

    def _next(self) -> Message:
        try:
            message: Message = self._receive.recv()
        except EOFError:
            message = (_FINAL, False, "it stopped without an answer", [])
        for record in message[3]:
            logging.getLogger(record.name).handle(record)
        return message

    def _end(self, message: Message) -> None:
        self._answer = message
        self._receive.close()
        self._child.join()

    def _check(self) -> object:
        assert self._answer is not None
        _kind, ok, value, _records = self._answer
        if not ok:
            raise BuildError(f"{self.what} failed: {value}")
        return value


def report(value: object) -> None:
    """From a step running in a child: send ``value`` to the build's process now
    (``Forked.early``), with the log so far, and go on with the step."""
    if _SENDING is None:
        raise RuntimeError("report() is for a step running in a forked child")
    send, records = _SENDING
    send.send((_EARLY, True, value, records.take()))  # type: ignore[attr-defined]


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

    def take(self) -> list[logging.LogRecord]:
        taken, self.records = self.records, []
        return taken


def _child(send: object) -> None:
    global _SENDING
    assert _STEP is not None  # set by Forked before the fork
    # A child lives for one step and makes few reference cycles; a collection would walk
    # the objects it shares with the build's process, copying each memory page it touches.
    gc.disable()
    # The child's records go back to the build's process, which shows and counts them.
    records = _Records()
    root = logging.getLogger()
    root.handlers = [records]
    _SENDING = (send, records)
    try:
        result: tuple[bool, object] = (True, _STEP())
    except BaseException as exc:  # noqa: BLE001 -- every failure goes back to the build, as text
        result = (False, "".join(traceback.format_exception_only(type(exc), exc)).strip())
    send.send((_FINAL, *result, records.take()))  # type: ignore[attr-defined]
    send.close()  # type: ignore[attr-defined]
