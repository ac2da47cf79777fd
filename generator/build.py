"""``papershelf build``: run Pelican with the project's settings, as ``pelican content`` would,
and count the warnings so that a strict build can refuse to succeed after the fact."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from .errors import BuildError, ConfigError, PapershelfError

logger = logging.getLogger(__name__)
PLUGIN = "generator.pelican_plugin"


class WarningCollector(logging.Handler):
    """Keeps every warning of a build, so a strict build can list them all at the end."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class BuildResult:
    seconds: float
    output_path: Path
    warnings: list[str] = field(default_factory=list)
    # With ``build_site(keep=True)``: Pelican's generators, which hold the site model.
    kept: list[Any] = field(default_factory=list, repr=False)


def build_site(
    settings_file: Path, *, overrides: dict[str, Any] | None = None, strict: bool = False, keep: bool = False
) -> BuildResult:
    """Build the site described by ``settings_file``.

    With ``strict`` a build that logged any warning raises ``BuildError`` listing them
    (the output is still written, so the problems can be looked at).  With ``keep`` the
    result holds on to what the build made (``BuildResult.kept``), for a process that
    ends after the build and need not free a 100,000-paper model object by object.
    """
    if not settings_file.is_file():
        raise ConfigError(f"no settings file at {settings_file}; run from the project folder or pass -s FILE")
    # Imported here: Pelican's import sets up its logging classes, which the CLI's other
    # commands do not need.
    from pelican import Pelican, signals
    from pelican.log import LimitFilter
    from pelican.settings import read_settings

    # Pelican drops a log message it has seen before in this process (class-level state),
    # so a second build in one process — a test, or `papershelf serve` rebuilding — would
    # hide warnings that are still true.  Each build starts with a clean slate.
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()

    collector = WarningCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    kept: list[Any] = []
    if keep:
        signals.all_generators_finalized.connect(kept.extend, weak=False)
    started = time.monotonic()
    try:
        settings = read_settings(str(settings_file), override=dict(overrides or {}))
        # Pelican prints a summary that counts articles; the shelf has none (papers are
        # read by Papershelf), so its "0 articles" would only mislead.
        pelican = Pelican(settings)
        _check_plugin_loaded(pelican.settings, settings_file)
        with contextlib.redirect_stdout(io.StringIO()):
            pelican.run()
    except PapershelfError:
        raise
    except Exception as exc:
        raise BuildError(f"the build failed: {type(exc).__name__}: {exc}") from exc
    finally:
        root.removeHandler(collector)
        if keep:
            signals.all_generators_finalized.disconnect(kept.extend)
    result = BuildResult(time.monotonic() - started, Path(settings["OUTPUT_PATH"]), collector.messages, kept)
    if strict and result.warnings:
        shown = "\n  ".join(result.warnings[:20])
        more = f"\n  … and {len(result.warnings) - 20} more" if len(result.warnings) > 20 else ""
        raise BuildError(f"the build logged {len(result.warnings)} warning(s):\n  {shown}{more}")
    return result


def end_process(code: int) -> NoReturn:
    """End the process now, with exit status ``code``, after a ``build_site(keep=True)``.

    Freeing the build's million objects one by one, at the end of Pelican's run and again
    at the interpreter's exit, cost a quarter of a second at 100,000 papers; the
    operating system takes the memory back at once.  By the time ``build_site`` returns,
    every child process has been joined and every file written and closed; what is left
    to do is flushing the log and the standard streams.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _check_plugin_loaded(settings: dict[str, Any], settings_file: Path) -> None:
    # Pelican logs a plugin that fails to import and builds on without it; a shelf built
    # without its plugin would be an empty site, so stop here instead.
    if PLUGIN not in settings["PLUGINS"]:
        raise ConfigError(f'{settings_file.name}: PLUGINS must include "{PLUGIN}", and it must import without errors')
