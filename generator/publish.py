"""``papershelf publish``: build the site for its public address and commit it to the
``gh-pages`` branch, from where GitHub Pages serves it.

The steps, in order, each refusing to go on with a message that says what to do:

1. the repository, the committer identity and (with ``push``) the remote are checked,
   so a mistake there does not cost a whole build first;
2. the settings are read and SITEURL checked (not an example address; matching the
   custom domain when one is set);
3. the site is built strictly: a build that fails or logs any warning is not published;
4. ghp-import commits the output folder, with ``.nojekyll`` and ``CNAME``, as the only
   content of the branch, and the branch is checked to hold exactly those files;
5. with ``push``, the branch is pushed (after fetching the remote's, so that a publish
   from another clone is built upon, not rejected).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .build import build_site
from .errors import BuildError, ConfigError, PapershelfError
from .settings import SiteConfig, site_config

logger = logging.getLogger(__name__)

# RFC 2606 names: a SITEURL on one of them is the sample configuration, not a real site.
EXAMPLE_HOST = re.compile(r"(^|\.)(example\.(com|org|net)|example\.github\.io|[^.]+\.example)$", re.IGNORECASE)
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)
GITHUB_REMOTE = re.compile(r"github\.com[:/](?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(\.git)?/?$")


class PublishError(PapershelfError):
    """The site was not published; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class PublishResult:
    siteurl: str
    output_path: Path
    files: int
    build_seconds: float
    branch: str
    commit: str  # the branch's commit after publishing
    changed: bool  # False when the site is byte-identical to the branch's last commit
    pushed_to: str | None  # the remote, when pushed


def publish(
    settings_file: Path,
    *,
    repo: Path | None = None,
    branch: str = "gh-pages",
    push: bool = False,
    remote: str = "origin",
    message: str | None = None,
    overrides: dict[str, Any] | None = None,
    announce: Callable[[str], None] = lambda _line: None,
) -> PublishResult:
    """Build with ``settings_file`` and commit the output to ``branch`` of the Git repository
    at ``repo`` (default: the settings file's folder); push it to ``remote`` with ``push``.

    ``announce`` receives a line before each long step, for the command line to show.
    """
    git = Git(repo or settings_file.resolve().parent)
    git.check_repository()
    git.check_identity()
    if push:
        git.check_remote(remote)

    config = read_config(settings_file, overrides)
    check_siteurl(config, git.github_remote(remote))
    announce(f"Building {config.siteurl}/ with {settings_file.name} …")
    try:
        build = build_site(settings_file, overrides=overrides, strict=True)
    except BuildError as exc:
        raise PublishError(f"refusing to publish: {exc}") from exc
    output = build.output_path
    if not (output / "index.html").is_file():
        raise PublishError(f"refusing to publish: the build wrote no {output / 'index.html'}")
    built = site_files(output)
    expected = built | {".nojekyll"} | ({"CNAME"} if config.options.domain else set())

    if push and git.remote_has_branch(remote, branch):
        # ghp-import builds on the remote-tracking branch: make it current, or the push
        # of a commit made on a stale parent would be rejected.
        git.fetch_branch(remote, branch)
    before = git.branch_commit(branch)
    git.ghp_import(
        output,
        branch=branch,
        remote=remote,
        message=message or git.default_message(config.siteurl),
        cname=config.options.domain or None,
    )
    commit = git.branch_commit(branch)
    if commit is None or commit == before:
        raise PublishError(f"ghp-import did not commit the site to {branch}; nothing was published")
    committed = git.branch_files(branch)
    if committed != expected:
        missing, extra = sorted(expected - committed), sorted(committed - expected)
        raise PublishError(
            f"the {branch} branch does not hold the site that was built "
            f"(missing: {missing[:5]}, unexpected: {extra[:5]}); nothing was pushed"
        )
    changed = git.undo_if_unchanged(branch, commit)
    commit = git.branch_commit(branch) or commit
    if push:
        git.push(remote, branch)
    return PublishResult(
        siteurl=config.siteurl,
        output_path=output,
        files=len(built),
        build_seconds=build.seconds,
        branch=branch,
        commit=commit,
        changed=changed,
        pushed_to=remote if push else None,
    )


def read_config(settings_file: Path, overrides: dict[str, Any] | None = None) -> SiteConfig:
    """The validated settings of ``settings_file``, read before building to fail early."""
    if not settings_file.is_file():
        raise ConfigError(f"no settings file at {settings_file}; run from the project folder or pass -s FILE")
    from pelican.settings import read_settings

    try:
        settings = read_settings(str(settings_file), override=dict(overrides or {}))
    except Exception as exc:
        raise ConfigError(f"{settings_file.name} cannot be read: {type(exc).__name__}: {exc}") from exc
    return site_config(settings)


def check_siteurl(config: SiteConfig, github: tuple[str, str] | None = None) -> None:
    """Refuse a SITEURL that cannot be where the site is served.

    ``github`` is the (owner, repository) of the GitHub remote, used to suggest the address.
    """
    if not config.siteurl:
        raise ConfigError("SITEURL is empty: publishing needs the address the site is served from")
    parts = urlsplit(config.siteurl)
    host = parts.hostname or ""
    domain = config.options.domain
    if EXAMPLE_HOST.search(host):
        hint = f" — for this repository that is {pages_url(*github)}" if github else ""
        raise ConfigError(
            f"SITEURL is still the example address {config.siteurl}: set it in publishconf.py, or in the "
            f"PAPERSHELF_SITEURL environment variable, to where GitHub Pages serves your site{hint}"
        )
    if domain:
        if not HOSTNAME.match(domain):
            raise ConfigError(
                f"PAPERSHELF['domain'] must be a bare host name such as papers.example.org, not {domain!r}"
            )
        if host != domain.lower() or parts.path not in ("", "/"):
            raise ConfigError(
                f"PAPERSHELF['domain'] is {domain}, so GitHub Pages serves the site at https://{domain}/, "
                f"but SITEURL is {config.siteurl}: make them agree"
            )
    elif not host.endswith(".github.io") and parts.scheme == "https":
        logger.warning(
            "SITEURL is on %s but PAPERSHELF['domain'] is not set: publishing replaces the branch's CNAME file, "
            "so if GitHub Pages serves this custom domain, set PAPERSHELF['domain'] = %r to keep it",
            host,
            host,
        )


def pages_url(owner: str, repo: str) -> str:
    """Where GitHub Pages serves ``owner/repo``: a user site at the root, a project site below it."""
    if repo.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io"
    return f"https://{owner.lower()}.github.io/{repo}"


def site_files(output: Path) -> set[str]:
    """Every file under ``output`` as a "/"-separated relative path, as ghp-import commits them."""
    return {Path(root, name).relative_to(output).as_posix() for root, _dirs, names in os.walk(output) for name in names}


class Git:
    """The Git commands publishing needs, run in ``folder``; failures become ``PublishError``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        try:
            done = subprocess.run(
                ["git", *args], cwd=self.folder, capture_output=True, text=True, encoding="utf-8", check=False
            )
        except FileNotFoundError:
            raise PublishError("git is not installed; publishing commits the site with git") from None
        if check and done.returncode != 0:
            raise PublishError(f"`git {' '.join(args)}` failed: {_last_lines(done.stderr or done.stdout)}")
        return done

    def check_repository(self) -> None:
        if self.run("rev-parse", "--git-dir", check=False).returncode != 0:
            raise PublishError(
                f"{self.folder} is not in a Git repository: publishing commits the site to a branch, "
                "so run it in a clone of your shelf (git init, or clone your fork)"
            )

    def check_identity(self) -> None:
        if self.run("var", "GIT_COMMITTER_IDENT", check=False).returncode != 0:
            raise PublishError(
                "git does not know who is committing: set it with "
                '`git config user.name "Your Name"` and `git config user.email you@example.org`'
            )

    def check_remote(self, remote: str) -> None:
        if self.run("remote", "get-url", remote, check=False).returncode != 0:
            raise PublishError(
                f"there is no Git remote named {remote!r} to push to: add it with "
                f"`git remote add {remote} URL`, or name another with --remote"
            )

    def github_remote(self, remote: str) -> tuple[str, str] | None:
        done = self.run("remote", "get-url", remote, check=False)
        match = GITHUB_REMOTE.search(done.stdout.strip()) if done.returncode == 0 else None
        return (match["owner"], match["repo"]) if match else None

    def remote_has_branch(self, remote: str, branch: str) -> bool:
        done = self.run("ls-remote", "--exit-code", "--heads", remote, branch, check=False)
        if done.returncode not in (0, 2):  # 2: the remote has no such branch yet
            raise PublishError(f"cannot reach the remote {remote!r}: {_last_lines(done.stderr)}")
        return done.returncode == 0

    def fetch_branch(self, remote: str, branch: str) -> None:
        self.run("fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")

    def branch_commit(self, branch: str) -> str | None:
        done = self.run("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}", check=False)
        return done.stdout.strip() or None

    def branch_files(self, branch: str) -> set[str]:
        listing = self.run("ls-tree", "-r", "-z", "--name-only", f"refs/heads/{branch}").stdout
        return {name for name in listing.split("\0") if name}

    def default_message(self, siteurl: str) -> str:
        described = self.run("describe", "--always", "--dirty", check=False)
        source = f" from {described.stdout.strip()}" if described.returncode == 0 else ""
        return f"Publish {siteurl}/{source}"

    def ghp_import(self, output: Path, *, branch: str, remote: str, message: str, cname: str | None) -> None:
        # ghp-import's command line, run in the repository: its Python API works on the
        # current directory, which a library should not change under its caller.
        command = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--branch", branch, "--remote", remote]
        command += ["--message", message] + (["--cname", cname] if cname else []) + [str(output)]
        done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PublishError(f"ghp-import failed: {_last_lines(done.stderr or done.stdout)}")

    def undo_if_unchanged(self, branch: str, commit: str) -> bool:
        """Drop ``commit`` when it changes nothing, so the branch's history is only real changes."""
        parent = self.run("rev-parse", "--verify", "--quiet", f"{commit}^", check=False).stdout.strip()
        if not parent:
            return True
        if self.run("diff-tree", "--quiet", parent, commit, check=False).returncode != 0:
            return True
        self.run("update-ref", f"refs/heads/{branch}", parent, commit)
        return False

    def push(self, remote: str, branch: str) -> None:
        started = time.monotonic()
        self.run("push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}")
        logger.debug("Pushed %s to %s in %.1f s", branch, remote, time.monotonic() - started)


def _last_lines(text: str, count: int = 3) -> str:
    # Git's "hint:" lines are advice for its own command line; the error is above them.
    lines = [line.strip() for line in text.strip().splitlines() if line.strip() and not line.startswith("hint:")]
    return " / ".join(lines[-count:]) or "no message"
