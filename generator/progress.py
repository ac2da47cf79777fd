"""Progress on a terminal for long work; silence in CI logs and pipes."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Rewrites one status line on a terminal: count, rate and, with a total, time left."""

    def __init__(self, what: str, total: int | None, stream: TextIO | None = None) -> None:
        self.what = what
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0
        self._shown = False

    def update(self, count: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        elapsed = max(now - self.started, 1e-6)
        rate = count / elapsed
        line = f"{self.what}: {count:,}"
        if self.total:
            left = (self.total - count) / rate if rate else 0
            line += f"/{self.total:,} ({rate:,.0f}/s, about {left:,.0f} s left)"
        else:
            line += f" ({rate:,.0f}/s)"
        self.stream.write("\r\x1b[K" + line)
        self.stream.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
