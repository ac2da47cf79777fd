"""Real Git repositories on disk for the publishing tests: a project clone and a bare remote."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .support import REPO

# A fixed identity, so the tests neither need nor use the machine's git configuration.
IDENTITY = {
    "GIT_AUTHOR_NAME": "Shelf Keeper",
    "GIT_AUTHOR_EMAIL": "keeper@shelf.invalid",
    "GIT_COMMITTER_NAME": "Shelf Keeper",
    "GIT_COMMITTER_EMAIL": "keeper@shelf.invalid",
}


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=False, env={**os.environ, **IDENTITY}
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def make_project(folder: Path, papers_from: Path | None = None) -> Path:
    """A copy of the project's settings, theme and content in a new Git repository.

    ``papers_from`` replaces the sample shelf's papers with those in that folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy2(REPO / name, folder / name)
    shutil.copytree(REPO / "theme", folder / "theme")
    shutil.copytree(REPO / "content" / "pages", folder / "content" / "pages")
    shutil.copytree(papers_from or REPO / "content" / "papers", folder / "content" / "papers")
    shutil.copy2(REPO / ".gitignore", folder / ".gitignore")
    git(folder, "init", "--quiet", "--initial-branch=main")
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "-m", "A shelf")
    return folder


def make_remote(folder: Path, project: Path, name: str = "origin") -> Path:
    """A bare repository, added to ``project`` as ``name`` and holding its main branch."""
    git(folder.parent, "init", "--quiet", "--bare", "--initial-branch=main", str(folder))
    git(project, "remote", "add", name, str(folder))
    git(project, "push", "--quiet", name, "main")
    return folder
