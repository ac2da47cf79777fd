"""Making many long-lived objects at once without the cyclic garbage collector's help.

Reading a 100,000-paper shelf makes about a million objects (papers, their strings and
tuples, the model's lists), none of them garbage.  The collector runs every 700 new
objects and, as the heap grows, walks all of it again and again: with it running,
reading the shelf took twice as long.  Papers, tuples and strings make no reference
cycles, so nothing is lost by pausing it for that stretch; and once made, they are moved
out of the collector's sight (``gc.freeze``), so that the collections the rest of the
build triggers do not walk them either.  Frozen objects are still freed when nothing
refers to them any more: only cycles among them would outlive a build.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if it was on) for the ``with`` block, then
    freeze what exists, so later collections leave it alone."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()
