"""Rebuilding the preview when content/ changes, without ever serving a half-written site.

Two build folders take turns (``SiteSlots``): the site is served from the live one while
the next build writes into the other; when that build has succeeded, one assignment
under a lock makes it live.  A request pins the folder it started on until it has read
its file, and a build waits for the requests still pinning its target to finish before
writing there, so no request reads a file that a build is rewriting.  A failed build
leaves the last good site live and says why in ``status`` (ping shows it).

Each folder keeps its own cache (output manifests, search index), which describes that
folder.  Left alone, a folder would be two builds behind when its turn came, and the
second folder's first build would make the whole site from nothing.  So right after a
build goes live, the idle folder and its cache are made copies of the live ones
(``mirror``, while nothing else is happening), and the next build makes only what the
latest change touched, as ``papershelf build`` would.  A build whose folder is not level
(that copy failed, or a build into it failed) copies first.

``Rebuilder`` polls content/ for changes (stat only: names, sizes, mtimes) and is nudged
directly after each clip, then waits for a quiet spell (debounce) so that a burst of
clips costs one build, not one each.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .mirror import MirrorCount, mirror

logger = logging.getLogger(__name__)

Builder = Callable[[Path, Path], None]  # (output folder, cache folder) -> None; raises on failure


class SiteSlots:
    """Two build folders under ``root``; at most one is live."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._outputs = (root / "site-a", root / "site-b")
        self._caches = (root / "cache-a", root / "cache-b")
        self._live: int | None = None
        self._level: int | None = None  # the idle folder, once it is a copy of the live one
        self._readers = [0, 0]
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Path | None]:
        """Pin the live folder for the block (None before the first build has finished)."""
        with self._changed:
            live = self._live
            if live is not None:
                self._readers[live] += 1
        try:
            yield None if live is None else self._outputs[live]
        finally:
            if live is not None:
                with self._changed:
                    self._readers[live] -= 1
                    self._changed.notify_all()

    def cache_of(self, output: Path) -> Path:
        """The cache folder (search index included) of the build in ``output``."""
        return self._caches[self._outputs.index(output)]

    def next_target(self) -> tuple[int, Path, Path]:
        """The folder the next build writes to, once no request is reading from it."""
        with self._changed:
            target = 0 if self._live is None else 1 - self._live
            self._changed.wait_for(lambda: self._readers[target] == 0)
            return target, self._outputs[target], self._caches[target]

    def level(self, target: int, stop: Callable[[], bool] = lambda: False) -> MirrorCount:
        """Make folder ``target`` and its cache copies of the live ones (nothing before the first build).

        ``stop`` can end the copy early; the folder is then not taken as level.

        Only the build thread calls this, between ``next_target`` and ``publish``: the live
        folder is not written while it is live, and nobody reads ``target``.
        """
        count = MirrorCount()
        with self._changed:
            live = self._live
        if live is None or live == target or self._level == target:
            return count
        count.add(mirror(self._outputs[live], self._outputs[target], stop))
        if not count.stopped:
            count.add(mirror(self._caches[live], self._caches[target], stop))
        if not count.stopped:
            self._level = target
        return count

    def writing(self, target: int) -> None:
        """A build is about to write folder ``target``: it is no longer a copy of the live one."""
        if self._level == target:
            self._level = None

    def publish(self, target: int) -> None:
        with self._changed:
            self._live = target
            self._level = None

    @property
    def live(self) -> Path | None:
        with self._changed:
            return None if self._live is None else self._outputs[self._live]


@dataclass(frozen=True, slots=True)
class BuildStatus:
    state: str = "waiting"  # waiting (no build yet), building, ok, failed
    generation: int = 0  # successful builds so far
    seconds: float = 0.0  # how long the last build took
    error: str = ""  # why the last build failed

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "generation": self.generation,
            "seconds": round(self.seconds, 3),
            "error": self.error,
        }


def content_stamp(folder: Path) -> frozenset[tuple[str, int, int]]:
    """Names, sizes and mtimes of every file under ``folder`` except hidden ones (locks, temps)."""
    found: set[tuple[str, int, int]] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        with contextlib.suppress(FileNotFoundError, NotADirectoryError, PermissionError):
            for entry in os.scandir(current):
                if entry.name.startswith("."):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file():
                        stat = entry.stat()
                        found.add((entry.path, stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


class Rebuilder:
    """Builds once at start, then again after content/ changes and a quiet spell."""

    def __init__(
        self,
        slots: SiteSlots,
        build: Builder,
        watch: Path,
        *,
        quiet: float = 0.25,
        poll: float = 1.0,
        max_wait: float = 3.0,
    ) -> None:
        self.slots = slots
        self._build = build
        self._watch = watch
        self._quiet = quiet
        self._poll = poll
        self._max_wait = max_wait  # a steady stream of changes still gets a build this often
        self._status = BuildStatus()
        self._status_lock = threading.Condition()
        self._wake = threading.Event()
        self._idle = threading.Event()  # set while there is nothing to build or copy
        self._idle_lock = threading.Lock()  # a nudge and "nothing to do" must not cross
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="papershelf-rebuild", daemon=True)

    @property
    def status(self) -> BuildStatus:
        with self._status_lock:
            return self._status

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=60)

    def nudge(self) -> None:
        """Something changed content/ (a clip): rebuild after the quiet spell, without polling."""
        with self._idle_lock:
            self._idle.clear()
            self._wake.set()

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until no build is due or running and the idle folder is a copy of the live one."""
        return self._idle.wait(timeout=timeout)

    def wait_for_generation(self, generation: int, timeout: float) -> BuildStatus:
        """Block until ``generation`` builds have succeeded (or time out); return the status."""
        with self._status_lock:
            self._status_lock.wait_for(lambda: self._status.generation >= generation, timeout=timeout)
            return self._status

    def _run(self) -> None:
        built_stamp: frozenset[tuple[str, int, int]] | None = None
        dirty_since: float | None = time.monotonic()  # the first build
        last_seen = content_stamp(self._watch)
        while not self._stop.is_set():
            if dirty_since is None:
                with self._idle_lock:
                    if not self._wake.is_set():
                        self._idle.set()
            nudged = self._wake.wait(timeout=self._quiet if dirty_since is not None else self._poll)
            self._wake.clear()
            if self._stop.is_set():
                return
            stamp = content_stamp(self._watch)
            now = time.monotonic()
            if nudged or stamp != last_seen:
                self._idle.clear()
                # Still changing: wait for quiet, unless changes have gone on for too long.
                last_seen = stamp
                if dirty_since is None:
                    dirty_since = now
                if now - dirty_since < self._max_wait:
                    continue
            if dirty_since is None or stamp == built_stamp:
                dirty_since = None
                continue
            dirty_since = None
            self._run_build()
            built_stamp = stamp

    def _run_build(self) -> None:
        self._set(replace(self.status, state="building"))
        target, output, cache = self.slots.next_target()
        started = time.monotonic()
        try:
            # Inside the try: a copy that fails (a full disk) is a failed build like any other.
            self._level(target, output)
            self.slots.writing(target)
            self._build(output, cache)
        except Exception as exc:  # noqa: BLE001 -- any failure keeps the last good site live
            # The message says what failed; Pelican's traceback would bury it.
            logger.error("The site build failed; still serving the last good build: %s", exc)  # noqa: TRY400
            self._set(replace(self.status, state="failed", seconds=time.monotonic() - started, error=str(exc)))
            return
        self.slots.publish(target)
        status = self.status
        self._set(BuildStatus("ok", status.generation + 1, time.monotonic() - started, ""))
        logger.info("Rebuilt the site in %.2f s", time.monotonic() - started)
        # The folder that was live until now waits for its last readers, then becomes a
        # copy of the new live one, ready for the next change.
        idle, output, _ = self.slots.next_target()
        try:
            # Stopping the server does not wait for this copy (the whole site, the first time).
            self._level(idle, output, self._stop.is_set)
        except OSError as exc:
            logger.warning("Could not copy the live build to %s; the next build tries again: %s", output.name, exc)

    def _level(self, target: int, output: Path, stop: Callable[[], bool] = lambda: False) -> None:
        started = time.monotonic()
        count = self.slots.level(target, stop)
        if count.copied or count.removed:
            logger.info(
                "Brought %s level with the live build in %.2f s (%d files copied, %d removed, %d the same)",
                output.name,
                time.monotonic() - started,
                count.copied,
                count.removed,
                count.same,
            )

    def _set(self, status: BuildStatus) -> None:
        with self._status_lock:
            self._status = status
            self._status_lock.notify_all()
