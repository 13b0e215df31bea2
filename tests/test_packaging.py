"""The distribution as users get it: build the sdist and wheel, check them, install the wheel.

The build runs on a copy of what the next commit of this checkout would hold (tracked files
as on disk plus untracked, not-ignored ones), never in the checkout: setuptools writes
``*.egg-info`` and ``build/`` next to the sources, and a stale ``*.egg-info`` left by an
editable install would otherwise be packed into the sdist. The copy also makes the test see
uncommitted changes, which a ``git archive`` of HEAD would miss. ``python -m build`` without
``--sdist``/``--wheel`` builds the sdist and then the wheel *from the sdist*, so a file the
wheel needs but the sdist lacks fails the build.

The wheel is installed with its ``pylint`` extra into a fresh venv, dependencies resolved
from the package index as a user's ``pip install`` would, and both front-ends are run from
that venv's own ``flake8`` and ``pylint`` commands.
"""

from __future__ import annotations

import configparser
import email.parser
import os
import re
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest
from worktree import snapshot_worktree
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("flake8_webframework", "pylint_webframework")
# directories and files that must never be packed
JUNK_IN_ARCHIVE = re.compile(r"(^|/)(\.git|\.nox|\.venv[^/]*|__pycache__|\.pytest_cache|"
                             r"\.hypothesis)(/|$)|\.py[cod]$")
# What an sdist carries besides the packages: everything the test suite needs to run from the
# unpacked sdist (its fixtures, the docs and examples it checks, the hook manifest).
SDIST_FILES = ("PKG-INFO", "pyproject.toml", "setup.cfg", "README.md", "LICENSE", "CHANGELOG.md",
               ".pre-commit-hooks.yaml")
SDIST_TREES = (*PACKAGES, "tests", "docs", "examples")

SETTINGS = textwrap.dedent(
    """\
    INSTALLED_APPS = ["django.contrib.auth"]
    SECRET_KEY = "not-so-secret"
    DEBUG = True
    """
)


def source_files(src: Path, top: str) -> set[str]:
    return {
        p.relative_to(src).as_posix()
        for p in (src / top).rglob("*")
        if p.is_file() and not JUNK_IN_ARCHIVE.search(p.relative_to(src).as_posix())
    }


def clean_env() -> dict[str, str]:
    """The environment without anything that would make the fresh venv see the checkout."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONUSERBASE"}
    return {k: v for k, v in os.environ.items() if k not in drop}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("packaging")
    src = snapshot_worktree(base / "src")
    out = base / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(src)],
        capture_output=True, text=True, timeout=600, env=clean_env(),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return {"base": base, "src": src, "sdist": sdist, "wheel": wheel}


def version_of(src: Path) -> str:
    text = (src / "flake8_webframework" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"$', text, re.M).group(1)


def wheel_metadata(wheel: Path, version: str) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"flake8_webframework-{version}.dist-info/METADATA").decode()
    return email.parser.Parser().parsestr(text)


def test_twine_check_passes_on_both_artifacts(built: dict[str, Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(built["sdist"]),
         str(built["wheel"])],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_wheel_holds_both_packages_entry_point_and_license(built: dict[str, Path]) -> None:
    src, version = built["src"], version_of(built["src"])
    assert built["wheel"].name == f"flake8_webframework-{version}-py3-none-any.whl"
    dist_info = f"flake8_webframework-{version}.dist-info"
    with zipfile.ZipFile(built["wheel"]) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
        license_text = archive.read(f"{dist_info}/licenses/LICENSE").decode()

    assert {name.split("/")[0] for name in names} == {*PACKAGES, dist_info}
    modules = {name for name in names if not name.startswith(dist_info)}
    # every module of both packages, checks/ included, and nothing else
    assert modules == source_files(src, PACKAGES[0]) | source_files(src, PACKAGES[1])
    assert {n for n in modules if n.startswith("flake8_webframework/checks/")} == {
        p.relative_to(src).as_posix() for p in (src / "flake8_webframework/checks").glob("*.py")
    }
    assert "pylint_webframework/__init__.py" in modules

    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # entry point names are case-sensitive
    parser.read_string(entry_points)
    assert dict(parser["flake8.extension"]) == {
        "WEB": "flake8_webframework.flake8_plugin:WebFrameworkPlugin"
    }
    for section in parser.sections():  # every entry point names a module the wheel holds
        for name, target in parser[section].items():
            module = target.split(":")[0].replace(".", "/")
            assert {f"{module}.py", f"{module}/__init__.py"} & modules, (section, name, target)
    assert license_text == (src / "LICENSE").read_text(encoding="utf-8")


def test_wheel_metadata_matches_what_the_readme_promises(built: dict[str, Path]) -> None:
    src, version = built["src"], version_of(built["src"])
    meta = wheel_metadata(built["wheel"], version)
    assert (meta["Name"], meta["Version"]) == ("flake8-webframework", version)
    assert tuple(map(int, meta["Metadata-Version"].split("."))) >= (2, 4)
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().strip() == (src / "README.md").read_text(encoding="utf-8").strip()
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Documentation", "Changelog", "Issues"} <= set(urls), urls

    classifiers = meta.get_all("Classifier")
    assert "Framework :: Flake8" in classifiers
    assert "Topic :: Security" in classifiers
    for framework in ("Django", "Flask", "FastAPI", "Pyramid"):
        assert f"Framework :: {framework}" in classifiers

    # README: "Python 3.10 to 3.13; flake8 7; pylint 4 (with astroid 4) through the `pylint`
    # extra" and "flake8 is the one runtime dependency".
    readme = (src / "README.md").read_text(encoding="utf-8")
    claim = re.search(
        r"Python (3\.\d+) to (3\.\d+); flake8 (\d+); pylint (\d+) \(with astroid (\d+)\) "
        r"through the `pylint` extra", readme,
    )
    assert claim, "README no longer states the supported Python, flake8 and pylint versions"
    low, high, flake8_major, pylint_major, astroid_major = claim.groups()
    assert meta["Requires-Python"] == f">={low}"
    minors = range(int(low.split(".")[1]), int(high.split(".")[1]) + 1)
    versions = [c.rsplit(" :: ", 1)[1] for c in classifiers
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert versions == [f"3.{minor}" for minor in minors]
    assert SpecifierSet(meta["Requires-Python"]).contains(f"{high}.0")

    assert "pylint" in meta.get_all("Provides-Extra")
    requires = [Requirement(r) for r in meta.get_all("Requires-Dist")]
    runtime = [r for r in requires if r.marker is None]
    assert [r.name for r in runtime] == ["flake8"], "flake8 is the one runtime dependency"
    with_pylint = {
        r.name: r.specifier for r in requires
        if r.marker is not None and r.marker.evaluate({"extra": "pylint"})
        and not r.marker.evaluate({"extra": ""})
    }
    assert set(with_pylint) == {"pylint", "astroid"}
    for name, major, specifier in (
        ("flake8", flake8_major, runtime[0].specifier),
        ("pylint", pylint_major, with_pylint["pylint"]),
        ("astroid", astroid_major, with_pylint["astroid"]),
    ):
        assert specifier.contains(f"{major}.0") and specifier.contains(f"{major}.99"), name
        assert not specifier.contains(f"{int(major) + 1}.0"), name
        assert not specifier.contains(f"{int(major) - 1}.99"), name


def test_sdist_carries_sources_tests_docs_and_changelog(built: dict[str, Path]) -> None:
    src, version = built["src"], version_of(built["src"])
    prefix = f"flake8_webframework-{version}/"
    assert built["sdist"].name == f"flake8_webframework-{version}.tar.gz"
    with tarfile.open(built["sdist"]) as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
    assert all(m.name.startswith(prefix) for m in members)
    names = {m.name[len(prefix):] for m in members}
    assert not [n for n in names if JUNK_IN_ARCHIVE.search(n)]
    expected = set(SDIST_FILES)
    for tree in SDIST_TREES:
        expected |= source_files(src, tree)
    missing = sorted(expected - names)
    assert not missing, f"missing from the sdist (MANIFEST.in): {missing}"


def test_installed_wheel_runs_both_front_ends(built: dict[str, Path]) -> None:
    base, version = built["base"], version_of(built["src"])
    venv = base / "venv"
    env = clean_env()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300, env=env)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"

    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check",
         f"{built['wheel']}[pylint]"],
        capture_output=True, text=True, timeout=600, env=env,
    )
    assert install.returncode == 0, install.stdout[-4000:] + install.stderr[-4000:]
    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True,
                           timeout=120, env=env)
    assert check.returncode == 0, check.stdout + check.stderr

    project = base / "project"
    project.mkdir()
    (project / "settings.py").write_text(SETTINGS)
    (project / "pylintrc").write_text("[MAIN]\n")  # keep any ~/.pylintrc out

    # both packages come from the venv, not from the checkout, and every entry point loads
    where = subprocess.run(
        [str(python), "-c", textwrap.dedent(
            """\
            import importlib.metadata, flake8_webframework, pylint_webframework
            print(flake8_webframework.__file__)
            print(pylint_webframework.__file__)
            for ep in importlib.metadata.distribution("flake8-webframework").entry_points:
                ep.load()
            """
        )],
        cwd=project, capture_output=True, text=True, timeout=120, env=env,
    )
    assert where.returncode == 0, where.stdout + where.stderr
    for path in where.stdout.split():
        assert Path(path).resolve().is_relative_to(venv.resolve()), where.stdout

    flake8_version = subprocess.run(
        [str(bindir / "flake8"), "--version"], cwd=project, capture_output=True, text=True,
        timeout=120, env=env,
    )
    assert f"flake8-webframework: {version}" in flake8_version.stdout, flake8_version

    # no --select: an installed plugin's codes are on by default
    flake8 = subprocess.run(
        [str(bindir / "flake8"), "--isolated", "settings.py"],
        cwd=project, capture_output=True, text=True, timeout=120, env=env,
    )
    assert flake8.returncode == 1, flake8.stdout + flake8.stderr
    assert [line.split(" ", 2)[:2] for line in flake8.stdout.splitlines()] == [
        ["settings.py:2:14:", "WEB101"],
        ["settings.py:3:9:", "WEB201"],
    ], flake8.stdout + flake8.stderr

    pylint = subprocess.run(
        [str(bindir / "pylint"), "--rcfile=pylintrc", "--load-plugins=pylint_webframework",
         "--disable=all", "--enable=webframework", "--persistent=n", "--score=n",
         "--msg-template={path}:{line}:{column}: {msg_id} {symbol}", "settings.py"],
        cwd=project, capture_output=True, text=True, timeout=120, env=env,
    )
    assert pylint.returncode == 4, pylint.stdout + pylint.stderr  # warnings only
    assert [line for line in pylint.stdout.splitlines() if not line.startswith("*")] == [
        "settings.py:2:13: W7511 hardcoded-secret-key",
        "settings.py:3:8: W7521 debug-enabled",
    ], pylint.stdout + pylint.stderr
