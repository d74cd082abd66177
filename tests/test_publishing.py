"""Publishing and contributor tooling that cannot run here: the GitHub workflows and pre-commit."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, copy_items
from .test_workflow import REPO_ITEMS

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(action + "@")]


def test_publish_workflow_builds_main_and_deploys_pages_with_least_permissions():
    wf = workflow("pages.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"] == {}
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read"}
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert steps_using(build, "actions/upload-pages-artifact")[0]["with"]["path"] == "_build/html"
    assert steps_using(deploy, "actions/deploy-pages")
    cache = steps_using(build, "actions/cache")[0]["with"]
    assert cache["path"] == "_build/.jupyter_cache" and "issues/**" in cache["key"]
    run = " && ".join(s["run"] for s in build["steps"] if "run" in s)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = readme.split("```bash\n", 1)[1].split("\n", 1)[0]
    install = quickstart.split(" && .venv/bin/jupyter-book")[0]
    assert install in run and ".venv/bin/jupyter-book build ." in run and "newsletter validate" in run
    python = steps_using(build, "actions/setup-python")[0]["with"]["python-version"]
    assert python == "3.11"


def test_pull_request_workflow_checks_without_deploying():
    wf = workflow("pull-request.yml")
    assert "pull_request" in wf["on"] and "push" not in wf["on"]
    assert wf["permissions"] == {} and wf["jobs"]["check"]["permissions"] == {"contents": "read"}
    text = (WORKFLOWS / "pull-request.yml").read_text(encoding="utf-8")
    assert "deploy-pages" not in text and "pages: write" not in text
    assert any(".ci/run" in s.get("run", "") for s in wf["jobs"]["check"]["steps"])


#: `uses: owner/action@<40 hex> # vX.Y.Z`: a commit cannot be moved the way a tag can
PINNED = re.compile(r"^\s*(?:- )?uses: (?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # (?P<tag>v\d+\.\d+\.\d+)$")
#: what a job may be given; the deploy job alone writes (to Pages, with an OIDC token to prove it)
ALLOWED = {"contents": {"read"}, "pages": {"write"}, "id-token": {"write"}}


def test_every_action_is_pinned_by_commit_with_its_version():
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if re.match(r"\s*(- )?uses:", line)]
        steps = [s for job in workflow(path.name)["jobs"].values() for s in job["steps"] if "uses" in s]
        assert lines and len(lines) == len(steps), path.name  # every uses: is on a line of its own
        for line in lines:
            match = PINNED.match(line)
            assert match, f"{path.name}: not pinned to a commit with its version: {line.strip()}"
            assert match["action"].startswith("actions/"), line  # GitHub's own actions only
            pins.setdefault(match["action"], set()).add((match["sha"], match["tag"]))
        for step in steps:
            if step["uses"].startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, path.name  # no token left behind
    # one action, one commit, in every workflow
    assert all(len(versions) == 1 for versions in pins.values()), pins
    assert {"actions/checkout", "actions/setup-python", "actions/cache", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= set(pins)


def test_workflows_grant_nothing_by_default_and_each_job_only_what_it_needs():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        wf = workflow(path.name)
        assert wf["permissions"] == {}, path.name
        for name, job in wf["jobs"].items():
            granted = job.get("permissions")
            assert isinstance(granted, dict) and granted, (path.name, name)  # never read-all / write-all
            for scope, level in granted.items():
                assert level in ALLOWED.get(scope, set()), (path.name, name, scope, level)
            writes = {scope for scope, level in granted.items() if level == "write"}
            assert not writes or (writes == {"pages", "id-token"} and job.get("environment", {}).get("name")
                                  == "github-pages" and "steps" in job and all(
                                      s["uses"].startswith("actions/deploy-pages@") for s in job["steps"])), \
                (path.name, name, writes)


@pytest.mark.slow
def test_pre_commit_runs_the_validator_ruff_and_notebook_checks(tmp_path):
    if not shutil.which("git"):
        hint = "install git (sudo apt-get install git)"
        if os.environ.get("CI"):
            pytest.fail(f"git is required in CI for the pre-commit test; {hint}")
        pytest.skip(f"git is not installed: {hint}")
    copy_items((*REPO_ITEMS, "charts", "newsletter", ".pre-commit-config.yaml", "pyproject.toml"), tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(tmp_path / ".cache"), "GIT_CONFIG_GLOBAL": os.devnull}

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", "-A")

    def pre_commit():
        return subprocess.run([str(Path(sys.executable).with_name("pre-commit")), "run", "--all-files"],
                              cwd=tmp_path, capture_output=True, text=True, env=env)

    ok = pre_commit()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    for hook in ("validate issues", "valid MyST notebooks", "ruff"):
        assert hook in ok.stdout
    issue = tmp_path / "issues" / "001-2025-11.md"
    issue.write_text(issue.read_text(encoding="utf-8").replace(":tags: employment", ":tags: employment, crypto"),
                     encoding="utf-8")
    (tmp_path / "newsletter_bad.py").write_text("import os\n", encoding="utf-8")
    git("add", "-A")
    bad = pre_commit()
    assert bad.returncode != 0
    assert "tag(s) 'crypto' that tags.yml does not list" in bad.stdout and "F401" in bad.stdout
