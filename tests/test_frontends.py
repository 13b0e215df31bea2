"""Both front-ends as users run them: the real flake8 and pylint command lines."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SETTINGS = textwrap.dedent(
    """\
    INSTALLED_APPS = ["django.contrib.auth"]
    SECRET_KEY = "not-so-secret"
    DEBUG = True
    """
)
PYLINT_ONLY_OURS = ["--disable=all", "--enable=webframework", "--persistent=n", "--score=n"]


def run(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def flake8(cwd: Path, *args: str, stdin: str | None = None) -> list[tuple[str, int, int, str]]:
    result = run(["-m", "flake8", "--isolated", "--select=WEB", *args], cwd, stdin)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    found = []
    for line in result.stdout.splitlines():
        path, lineno, col, rest = line.split(":", 3)
        found.append((Path(path).name, int(lineno), int(col), rest.split()[0]))
    return sorted(found)


def pylint(cwd: Path, *args: str, stdin: str | None = None) -> list[dict]:
    result = run(
        ["-m", "pylint", "--load-plugins=pylint_webframework", *PYLINT_ONLY_OURS,
         "--output-format=json2", *args],
        cwd,
        stdin,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode & 1 == 0, result.stdout + result.stderr  # no fatal message
    return json.loads(result.stdout)["messages"]


def pylint_keys(messages: list[dict]) -> list[tuple[str, int, int, str]]:
    return sorted((Path(m["path"]).name, m["line"], m["column"] + 1, m["symbol"]) for m in messages)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "settings.py").write_text(SETTINGS)
    (tmp_path / "cli.py").write_text("DEBUG = True\nVERBOSE = False\n")
    return tmp_path


def test_flake8_reports_codes_at_one_based_columns(project: Path) -> None:
    assert flake8(project, "settings.py", "cli.py") == [
        ("settings.py", 2, 14, "WEB101"),
        ("settings.py", 3, 9, "WEB201"),
    ]


def test_pylint_reports_symbols_with_end_positions(project: Path) -> None:
    messages = pylint(project, "settings.py", "cli.py")
    assert pylint_keys(messages) == [
        ("settings.py", 2, 14, "hardcoded-secret-key"),
        ("settings.py", 3, 9, "debug-enabled"),
    ]
    secret = next(m for m in messages if m["symbol"] == "hardcoded-secret-key")
    assert secret["messageId"] == "W7511"
    assert (secret["endLine"], secret["endColumn"]) == (2, 28)


def test_flake8_stdin_mode_uses_display_name_for_heuristics(tmp_path: Path) -> None:
    lone_debug = "DEBUG = True\n"
    assert flake8(tmp_path, "--stdin-display-name=settings.py", "-", stdin=lone_debug) == [
        ("settings.py", 1, 9, "WEB201")
    ]
    assert flake8(tmp_path, "--stdin-display-name=tool.py", "-", stdin=lone_debug) == []


def test_pylint_from_stdin(tmp_path: Path) -> None:
    messages = pylint(tmp_path, "--from-stdin", "settings.py", stdin=SETTINGS)
    assert pylint_keys(messages) == [
        ("settings.py", 2, 14, "hardcoded-secret-key"),
        ("settings.py", 3, 9, "debug-enabled"),
    ]


def test_noqa_suppresses_only_the_named_code(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(
        "INSTALLED_APPS = []\n"
        'SECRET_KEY = "a"  # noqa: WEB101\n'
        'SECRET_KEY_FALLBACKS = ["b"]  # noqa: E501\n'
        "DEBUG = True  # noqa\n"
    )
    assert flake8(tmp_path, "settings.py") == [("settings.py", 3, 25, "WEB101")]


def test_pylint_disable_comment_suppresses(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(
        "INSTALLED_APPS = []\n"
        'SECRET_KEY = "a"  # pylint: disable=hardcoded-secret-key\n'
        'SECRET_KEY_FALLBACKS = ["b"]  # pylint: disable=debug-enabled\n'
        "DEBUG = True  # pylint: disable=W7521\n"
    )
    assert pylint_keys(pylint(tmp_path, "settings.py")) == [
        ("settings.py", 3, 25, "hardcoded-secret-key")
    ]


def _many_files(root: Path, count: int = 6) -> list[str]:
    names = []
    for index in range(count):
        name = f"settings_{index}.py"
        (root / name).write_text(SETTINGS)
        names.append(name)
    return names


def test_flake8_parallel_jobs_match_serial(tmp_path: Path) -> None:
    names = _many_files(tmp_path)
    serial = flake8(tmp_path, "-j", "1", *names)
    assert len(serial) == 2 * len(names)
    assert flake8(tmp_path, "-j", "2", *names) == serial


def test_pylint_parallel_jobs_match_serial(tmp_path: Path) -> None:
    names = _many_files(tmp_path)
    serial = pylint_keys(pylint(tmp_path, "-j", "1", *names))
    assert len(serial) == 2 * len(names)
    assert pylint_keys(pylint(tmp_path, "-j", "2", *names)) == serial


# -- WEB000: a failing check is contained, through the real command lines -------------------

INJECT = textwrap.dedent(
    """\
    import sys
    from flake8_webframework import core
    from flake8_webframework.checks import Check

    def explode(ctx):
        raise ZeroDivisionError("injected")

    core.CHECKS[:] = [Check("debug", explode)] + [
        check for check in core.CHECKS if check.name != "debug"
    ]
    tool = sys.argv[1]
    sys.argv = [tool] + sys.argv[2:]
    if tool == "flake8":
        from flake8.main.cli import main
        sys.exit(main())
    else:
        from pylint import run_pylint
        run_pylint()
    """
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_web000_through_flake8(project: Path, jobs: str) -> None:
    names = ["settings.py", "cli.py"] + _many_files(project, 2)
    result = run(
        ["-c", INJECT, "flake8", "--isolated", "--select=WEB", "-j", jobs, *names], project
    )
    assert "Traceback" not in result.stderr, result.stderr
    lines = sorted(result.stdout.splitlines())
    web000 = [line for line in lines if " WEB000 " in line]
    # one WEB000 per file, at 1:1; the other checks still report (WEB101), debug's do not
    assert len(web000) == len(names)
    assert all(":1:1: WEB000 check debug failed on this file with ZeroDivisionError" in line
               for line in web000)
    assert sum(" WEB101 " in line for line in lines) == 3
    assert not any(" WEB201 " in line for line in lines)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_web000_through_pylint(project: Path, jobs: str) -> None:
    names = ["settings.py", "cli.py"] + _many_files(project, 2)
    result = run(
        ["-c", INJECT, "pylint", "--load-plugins=pylint_webframework", *PYLINT_ONLY_OURS,
         "--output-format=json2", "-j", jobs, *names],
        project,
    )
    assert "Traceback" not in result.stderr, result.stderr
    messages = json.loads(result.stdout)["messages"]
    failed = [m for m in messages if m["symbol"] == "webframework-check-failed"]
    assert len(failed) == len(names)
    assert all((m["line"], m["column"]) == (1, 0) for m in failed)
    assert all("ZeroDivisionError" in m["message"] for m in failed)
    assert sum(m["symbol"] == "hardcoded-secret-key" for m in messages) == 3
    assert not any(m["symbol"] == "debug-enabled" for m in messages)


def test_syntax_error_is_left_to_the_tools(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("SECRET_KEY = 'x'\ndef (:\n")
    result = run(["-m", "flake8", "--isolated", "broken.py"], tmp_path)
    assert "E999" in result.stdout and "Traceback" not in result.stderr
    messages = pylint(tmp_path, "--enable=syntax-error", "broken.py")
    assert [m["symbol"] for m in messages] == ["syntax-error"]
