"""The pre-commit hook as users run it: the real `pre-commit run` on a project's git repo.

The hook repository is a git snapshot of this working tree (tracked files as they are on disk
plus untracked, not-ignored ones: what the next commit would hold), so uncommitted changes to
``.pre-commit-hooks.yaml`` or the package are what gets tested.

Both ``pre-commit try-repo`` (the last test) and ``pre-commit run`` with a config. Why the
main test uses ``pre-commit run`` with a config: try-repo keeps its
hook environments in a store of its own that it deletes on exit (it ignores PRE_COMMIT_HOME),
so each call re-installs the hook, and its "uncommitted changes" shadow commit only carries
staged and modified tracked files, not new untracked ones. A config naming the snapshot repo
and its commit is exactly what a user writes, and both runs share one hook environment
(one ``pip install``) under a temporary PRE_COMMIT_HOME, so nothing leaks into ~/.cache.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from worktree import snapshot_worktree
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOOK_ID = "flake8-webframework"
DOC = ROOT / "docs" / "pre-commit.md"
# what the packaging build and the tests never need in a snapshot of the tree
# the per-hook keys of a .pre-commit-config.yaml that the docs may use
HOOK_KEYS = {"id", "alias", "name", "args", "additional_dependencies", "files", "exclude",
             "types", "types_or", "exclude_types", "stages", "language_version", "verbose",
             "require_serial", "pass_filenames", "always_run", "fail_fast", "log_file"}
# `path:line:col: CODE message`, as flake8 prints it
FLAKE8_LINE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):\d+: (?P<code>[A-Z]+\d+) ", re.M)

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed: pre-commit needs git"
)


def git_env(tmp: Path) -> dict[str, str]:
    """git that ignores the user's and the system's configuration (signing, hooks, templates)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    (tmp / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(tmp / "gitconfig"),
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
    )
    return env


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True, timeout=60
    ).stdout


def precommit(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color=never"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )


def findings(output: str) -> set[tuple[str, int, str]]:
    return {(m["path"], int(m["line"]), m["code"]) for m in FLAKE8_LINE.finditer(output)}


VULNERABLE = textwrap.dedent(
    """\
    import os,sys
    SECRET_KEY = "django-insecure-0123456789"
    SIGNING_KEY = "also-hardcoded"
    DEBUG = False
    """
)
# the same module fixed; the style errors on line 1 (E401, E231, F401) stay: the hook must
# report this plugin's codes only
FIXED = textwrap.dedent(
    """\
    import os,sys
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
    SIGNING_KEY = os.environ["SIGNING_KEY"]
    DEBUG = False
    """
)
DEV_SETTINGS = "from .settings import *\nDEBUG = True\n"


def test_manifest_is_valid_and_runs_flake8_with_only_our_codes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == HOOK_ID]
    # --select lives in the entry so that a user's `args:` add to it instead of replacing it
    assert hook["entry"].split() == ["flake8", "--select=WEB"]
    assert "args" not in hook
    assert (hook["language"], hook["types"]) == ("python", ["python"])


def test_hook_fails_on_a_hardcoded_secret_then_passes_once_fixed(tmp_path: Path) -> None:
    env = git_env(tmp_path)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env.pop("PRE_COMMIT", None)
    env.pop("VIRTUAL_ENV", None)

    hook_repo = snapshot_worktree(tmp_path / "hook-repo")
    git(hook_repo, env, "init", "-q")
    git(hook_repo, env, "add", "-A")
    git(hook_repo, env, "commit", "-q", "--no-verify", "-m", "snapshot")
    rev = git(hook_repo, env, "rev-parse", "HEAD").strip()

    project = tmp_path / "project"
    (project / "mysite").mkdir(parents=True)
    (project / "mysite" / "__init__.py").write_text("")
    (project / "mysite" / "settings.py").write_text(VULNERABLE)
    (project / "mysite" / "settings_dev.py").write_text(DEV_SETTINGS)
    # the project's own flake8 configuration reaches the hook
    (project / ".flake8").write_text("[flake8]\nwebframework-secret-names = SIGNING_KEY\n")
    # a user's args: they come after the hook's --select=WEB and keep it
    config = {
        "repos": [
            {
                "repo": str(hook_repo),
                "rev": rev,
                "hooks": [{"id": HOOK_ID, "args": ["--webframework-dev-files=settings_dev.py"]}],
            }
        ]
    }
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    git(project, env, "init", "-q")
    git(project, env, "add", "-A")
    git(project, env, "commit", "-q", "--no-verify", "-m", "vulnerable")

    failed = precommit(project, env)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "Installing environment for" in output, output
    assert re.search(rf"^{HOOK_ID}\.+Failed$", output, re.M), output
    assert f"- hook id: {HOOK_ID}" in output
    assert findings(output) == {
        ("mysite/settings.py", 2, "WEB101"),  # SECRET_KEY
        ("mysite/settings.py", 3, "WEB101"),  # SIGNING_KEY, a secret by the project's .flake8
    }, output

    (project / "mysite" / "settings.py").write_text(FIXED)
    git(project, env, "add", "-A")
    passed = precommit(project, env)
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert re.search(rf"^{HOOK_ID}\.+Passed$", output, re.M), output
    assert "Installing environment" not in output, "the second run must reuse the hook env"
    assert findings(output) == set()
    # one hook environment in the store for both runs
    store = Path(env["PRE_COMMIT_HOME"])
    assert len([p for p in store.iterdir() if p.is_dir() and p.name.startswith("repo")]) == 1

    # the user's --webframework-dev-files is what keeps settings_dev.py quiet: without it the
    # same flake8 reports its DEBUG = True
    direct = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=WEB", "mysite/settings_dev.py"],
        cwd=project, capture_output=True, text=True, timeout=120,
    )
    assert findings(direct.stdout) == {("mysite/settings_dev.py", 2, "WEB201")}, direct


def doc_yaml_blocks() -> list[dict]:
    """Every ```yaml block of docs/pre-commit.md, also those indented under a list item."""
    text = DOC.read_text(encoding="utf-8")
    found = re.findall(r"^( *)```yaml\n(.*?)^\1```", text, re.M | re.S)
    assert len(found) == text.count("```yaml"), "a yaml block the pattern does not see"
    return [yaml.safe_load(textwrap.dedent(block)) for _, block in found]


def test_every_config_in_the_docs_is_a_valid_pre_commit_config(tmp_path: Path) -> None:
    blocks = doc_yaml_blocks()
    assert len(blocks) >= 4
    hooks = {}
    for number, block in enumerate(blocks):
        path = tmp_path / f"config{number}.yaml"
        path.write_text(yaml.safe_dump(block))
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", "validate-config", str(path)],
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, (block, result.stdout + result.stderr)
        for repo in block["repos"]:
            # validate-config only warns about a misspelt key, and only at run time
            assert set(repo) <= {"repo", "rev", "hooks"}, repo
            for hook in repo["hooks"]:
                assert set(hook) <= HOOK_KEYS, hook
                hooks.setdefault(hook["id"], []).append((repo["repo"], hook))
    # this repository's hook, the upstream flake8 hook and pylint's hook, each with the plugin
    ours = [repo for repo, _ in hooks[HOOK_ID]]
    assert all(repo.endswith("/flake8-webframework") for repo in ours), ours
    ((flake8_repo, flake8_hook),) = hooks["flake8"]
    assert flake8_repo == "https://github.com/PyCQA/flake8"
    assert any(d.startswith("flake8-webframework") for d in flake8_hook["additional_dependencies"])
    pylint_uses = [hook for repo, hook in hooks["pylint"] if repo.endswith("/pylint")]
    assert pylint_uses
    for hook in pylint_uses:
        assert "--load-plugins=pylint_webframework" in hook["args"]
        assert any(
            d.startswith("flake8-webframework[pylint]") for d in hook["additional_dependencies"]
        )


def test_try_repo_fails_on_a_hardcoded_secret_then_passes_once_fixed(tmp_path: Path) -> None:
    """``pre-commit try-repo``, as a user trying the hook before adding it to a config.

    try-repo installs the hook afresh on each call (it keeps no store), so this test pays
    two installs; the hook repository is the committed snapshot of this working tree."""
    env = git_env(tmp_path)
    env.pop("PRE_COMMIT", None)
    env.pop("VIRTUAL_ENV", None)
    hook_repo = snapshot_worktree(tmp_path / "hook-repo")
    git(hook_repo, env, "init", "-q")
    git(hook_repo, env, "add", "-A")
    git(hook_repo, env, "commit", "-q", "--no-verify", "-m", "snapshot")

    project = tmp_path / "project"
    project.mkdir()
    (project / "settings.py").write_text(VULNERABLE)
    git(project, env, "init", "-q")
    git(project, env, "add", "-A")

    def try_repo() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), HOOK_ID,
             "--all-files", "--color=never"],
            cwd=project, env=env, capture_output=True, text=True, timeout=600,
        )

    failed = try_repo()
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert findings(output) == {("settings.py", 2, "WEB101")}, output

    (project / "settings.py").write_text(FIXED)
    git(project, env, "add", "-A")
    passed = try_repo()
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert findings(output) == set(), output
