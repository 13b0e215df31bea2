"""A copy of this checkout as its next commit would hold it, for tests that build or install
the project from a clean tree (packaging, pre-commit)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: what a build or a hook repository never needs from the tree
JUNK = (".git", ".nox", ".venv*", "build", "dist", "*.egg-info", "__pycache__", "*.py[cod]",
        ".pytest_cache", ".hypothesis")


def snapshot_worktree(dest: Path) -> Path:
    """Copy what the next commit of this checkout would hold into ``dest``."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, timeout=60,
        )
    except FileNotFoundError:  # no git: copy the tree minus build and cache directories
        listed = None
    if listed is None or listed.returncode != 0 or not (ROOT / ".git").exists():
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(*JUNK))
        return dest
    for name in sorted(set(listed.stdout.decode().split("\0")) - {""}):
        source = ROOT / name
        if source.is_file():  # tracked files deleted on disk are not in the next commit
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest
