"""The pairing token: a random secret every write to the backend must carry.

Made on first use, stored with mode 0600 outside the repository (under the user's config
folder, or wherever ``PAPERSHELF_TOKEN_FILE`` points), shown by ``papershelf token`` and
pasted once into the extension's options.  A web page cannot read it, so it cannot write.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from ..errors import PapershelfError

ENV_VAR = "PAPERSHELF_TOKEN_FILE"


def token_path(environ: Mapping[str, str] = os.environ) -> Path:
    if override := environ.get(ENV_VAR):
        return Path(override)
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "papershelf" / "token"


def load_or_create(path: Path) -> str:
    """The token in ``path``, made (random, mode 0600) if there is none yet."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    _create(path, exist_ok=True)
    return _read(path)


def reset(path: Path) -> str:
    """Replace the token with a new one; the old one stops working at the next start."""
    _create(path, exist_ok=False)
    return _read(path)


def matches(expected: str, given: str | None) -> bool:
    # Constant time, so the response time says nothing about how much of a guess was right.
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def _read(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PapershelfError(f"the token file {path} can be read by other users; run: chmod 600 {path}")
    token = path.read_text(encoding="ascii", errors="replace").strip()
    if len(token) < 32 or not token.isascii():
        raise PapershelfError(f"the token file {path} is damaged; make a new token with `papershelf token --reset`")
    return token


def _create(path: Path, *, exist_ok: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if exist_ok:
            # link() fails if the token appeared meanwhile: two first runs agree on one token.
            with contextlib.suppress(FileExistsError):
                os.link(temp, path)
        else:
            os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
