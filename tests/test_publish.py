"""`papershelf publish`: what reaches the gh-pages branch, and what is refused before it does."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.cli import main
from generator.errors import ConfigError
from generator.model import Paper
from generator.paperfile import format_paper
from generator.publish import PublishError, pages_url, publish

from .conftest import sample_papers
from .gitrepo import IDENTITY, git, make_project, make_remote

SITEURL = "https://keeper.github.io/shelf"


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    for paper in sample_papers():
        (folder / f"{paper.slug}.md").write_text(format_paper(paper), encoding="utf-8")
    return folder


@pytest.fixture
def project(tmp_path: Path, papers: Path) -> Path:
    return make_project(tmp_path / "project", papers_from=papers)


def publish_project(project: Path, **kwargs: Any):
    overrides = {"SITEURL": SITEURL, **kwargs.pop("overrides", {})}
    return publish(project / "publishconf.py", overrides=overrides, **kwargs)


def branch_files(repo: Path, branch: str = "gh-pages") -> set[str]:
    return set(git(repo, "ls-tree", "-r", "--name-only", branch).split())


def has_branch(repo: Path, branch: str = "gh-pages") -> bool:
    done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", branch], cwd=repo, capture_output=True)
    return done.returncode == 0


def test_publish_commits_exactly_the_built_site_with_nojekyll(project: Path) -> None:
    result = publish_project(project)
    output = project / "output"
    built = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}
    assert branch_files(project) == built | {".nojekyll"}
    assert result.changed
    assert result.files == len(built)
    assert result.pushed_to is None
    assert git(project, "rev-parse", "gh-pages").strip() == result.commit
    # The site's pages carry the public address: its path on links, the whole of it as canonical.
    front = git(project, "show", "gh-pages:index.html")
    assert f'href="{urlsplit(SITEURL).path}/theme/css/site.css' in front
    assert f'<link rel="canonical" href="{SITEURL}/">' in front
    message = git(project, "log", "-1", "--format=%s", "gh-pages").strip()
    head = git(project, "rev-parse", "--short", "HEAD").strip()
    assert message == f"Publish {SITEURL}/ from {head}"


def test_a_configured_domain_is_written_to_cname(project: Path) -> None:
    publish_project(
        project,
        overrides={"SITEURL": "https://papers.shelf-lab.org", "PAPERSHELF": {"domain": "papers.shelf-lab.org"}},
    )
    assert git(project, "show", "gh-pages:CNAME").strip() == "papers.shelf-lab.org"
    assert ".nojekyll" in branch_files(project)


def test_a_build_that_logs_a_warning_is_not_published(project: Path) -> None:
    (project / "content" / "papers" / "broken.md").write_text("Title: no date, no abstract\n", encoding="utf-8")
    refusal = r"(?s)refusing to publish: the build logged 1 warning.*broken\.md: missing required field 'Date'"
    with pytest.raises(PublishError, match=refusal):
        publish_project(project)
    assert not has_branch(project)


def test_a_build_that_fails_is_not_published(project: Path) -> None:
    template = project / "theme" / "templates" / "paper.html"
    template.write_text(template.read_text() + "{% if %}", encoding="utf-8")
    with pytest.raises(PublishError, match="refusing to publish: the build failed: TemplateSyntaxError"):
        publish_project(project)
    assert not has_branch(project)


def test_publishing_an_unchanged_site_adds_no_commit(project: Path) -> None:
    first = publish_project(project)
    again = publish_project(project)
    assert not again.changed
    assert again.commit == first.commit
    assert git(project, "rev-list", "--count", "gh-pages").strip() == "1"


def test_push_sends_the_branch_and_builds_on_what_another_clone_published(project: Path, tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "remote.git", project)
    # A second clone made before anything was published: it knows of no gh-pages branch.
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(remote), str(other))

    first = publish_project(project, push=True)
    assert first.pushed_to == "origin"
    assert git(remote, "rev-parse", "gh-pages").strip() == first.commit

    # Publishing from the other clone fetches the remote's branch first, so its commit
    # follows the first one and the push is a fast-forward, not a rejection.
    paper = Paper(
        title="A Paper Added From Another Clone",
        abstract="It joins the shelf later.",
        date=sample_papers()[0].date,
        slug="a-paper-added-from-another-clone",
    )
    (other / "content" / "papers" / f"{paper.slug}.md").write_text(format_paper(paper), encoding="utf-8")
    second = publish_project(other, push=True)

    assert git(remote, "rev-parse", "gh-pages").strip() == second.commit
    assert git(remote, "rev-parse", "gh-pages^").strip() == first.commit
    assert f"papers/{paper.slug}/index.html" in branch_files(remote)


def test_outside_a_git_repository_publish_says_what_to_do(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-repo"
    shutil.copytree(make_project(tmp_path / "project"), folder, ignore=shutil.ignore_patterns(".git"))
    with pytest.raises(PublishError, match="is not in a Git repository"):
        publish_project(folder)


def test_push_to_a_missing_remote_fails_before_building(project: Path) -> None:
    with pytest.raises(PublishError, match=r"no Git remote named 'upstream'.*git remote add upstream"):
        publish_project(project, push=True, remote="upstream")
    assert not (project / "output").exists()


def test_the_example_siteurl_is_refused_with_the_address_github_would_serve(project: Path) -> None:
    git(project, "remote", "add", "origin", "git@github.com:keeper/paper-shelf.git")
    with pytest.raises(ConfigError, match=r"example address.*https://keeper\.github\.io/paper-shelf"):
        publish(project / "publishconf.py")  # publishconf.py's own placeholder
    assert not (project / "output").exists()


@pytest.mark.parametrize(
    ("siteurl", "domain", "error"),
    [
        ("https://keeper.github.io/shelf", "papers.shelf-lab.org", "make them agree"),
        ("https://papers.shelf-lab.org/shelf", "papers.shelf-lab.org", "make them agree"),
        ("https://papers.shelf-lab.org", "https://papers.shelf-lab.org/", "bare host name"),
        ("https://papers.shelf-lab.org", "papers shelf", "bare host name"),
    ],
)
def test_a_domain_that_does_not_match_siteurl_is_refused(project: Path, siteurl: str, domain: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        publish_project(project, overrides={"SITEURL": siteurl, "PAPERSHELF": {"domain": domain}})
    assert not has_branch(project)


@pytest.mark.parametrize(
    ("owner", "repo", "url"),
    [
        ("Keeper", "shelf", "https://keeper.github.io/shelf"),
        ("keeper", "keeper.github.io", "https://keeper.github.io"),
    ],
)
def test_pages_url_is_a_project_site_below_the_user_site(owner: str, repo: str, url: str) -> None:
    assert pages_url(owner, repo) == url


def test_the_command_reports_a_refusal_with_the_warnings(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("PAPERSHELF_SITEURL", SITEURL)
    (project / "content" / "papers" / "broken.md").write_text("no header at all\n", encoding="utf-8")
    assert main(["publish"]) == 1
    err = capsys.readouterr().err
    assert "papershelf: error: refusing to publish: the build logged 1 warning(s):\n  Skipped a paper file:" in err
    assert not has_branch(project)


def test_the_command_publishes_and_says_how_to_push(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("PAPERSHELF_SITEURL", SITEURL)
    assert main(["publish"]) == 0
    out = capsys.readouterr().out
    assert f"Building {SITEURL}/ with publishconf.py" in out
    assert "Committed it to the gh-pages branch" in out
    assert "`papershelf publish --push` (or `git push origin gh-pages`)" in out
    assert has_branch(project)
