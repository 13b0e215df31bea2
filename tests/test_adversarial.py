"""Adversarial files through the real command lines, and code that must never run.

Every run is ``sys.executable -m flake8`` / ``-m pylint`` in a subprocess under a timeout,
with ``-j 2`` (pylint restricted to this plugin's messages plus syntax-error). Each input is
linted next to a control file with a known finding, so a run that silently stops early
fails. What flake8 (pyflakes) and pylint (astroid) print where they give up before the
plugin runs is recorded in docs/robustness.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flake8_webframework
import pylint_webframework
from flake8_webframework import UnparsableSourceError, check_source

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import strategies as S  # noqa: E402

TIMEOUT = 300
PYLINT_OURS = ["--load-plugins=pylint_webframework", "--disable=all",
               "--enable=webframework,syntax-error", "--persistent=n", "--score=n",
               "--output-format=json2"]
#: A frame of ours in a traceback names a file under one of these directories.
OUR_PACKAGES = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (flake8_webframework, pylint_webframework)
)
FAILURE_MARKS = ("WEB000", "W7500", "webframework-check-failed")

CONTROL = ("control_settings.py", b'INSTALLED_APPS = []\nSECRET_KEY = "control"\n')
CONTROL_FLAKE8 = ("control_settings.py", 2, 14, "WEB101")
CONTROL_PYLINT = ("control_settings.py", 2, 13, "hardcoded-secret-key")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYLINTHOME=str(cwd / ".pylint-home"))  # crash reports stay here
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, timeout=TIMEOUT
    )


def text(stream: bytes) -> str:
    return stream.decode("utf-8", "replace")


def assert_plugin_clean(result: subprocess.CompletedProcess) -> None:
    """The plugin added no traceback and reported no failure of its own."""
    out, err = text(result.stdout), text(result.stderr)
    assert not any(package in err for package in OUR_PACKAGES), err[-3000:]
    assert not any(mark in out or mark in err for mark in FAILURE_MARKS), out[-3000:]


def flake8_findings(result: subprocess.CompletedProcess) -> list[tuple[str, int, int, str]]:
    found = []
    for line in text(result.stdout).splitlines():
        path, lineno, col, rest = line.split(":", 3)
        found.append((Path(path).name, int(lineno), int(col), rest.split()[0]))
    return sorted(found)


def pylint_messages(result: subprocess.CompletedProcess) -> list[dict]:
    return json.loads(text(result.stdout))["messages"]


def pylint_findings(result: subprocess.CompletedProcess) -> list[tuple[str, int, int, str]]:
    return sorted(
        (Path(m["path"]).name, m["line"], m["column"], m["symbol"]) for m in pylint_messages(result)
    )


def test_plugin_frames_and_failures_are_caught() -> None:
    """The cleanliness check recognises a traceback through the plugin and a WEB000."""
    frame = f'  File "{OUR_PACKAGES[0]}core.py", line 1, in check_tree\n'.encode()
    with pytest.raises(AssertionError):
        assert_plugin_clean(subprocess.CompletedProcess([], 1, b"", b"Traceback\n" + frame))
    with pytest.raises(AssertionError):
        assert_plugin_clean(subprocess.CompletedProcess([], 1, b"m.py:1:1: WEB000 check x failed", b""))
    assert_plugin_clean(subprocess.CompletedProcess([], 1, b"m.py:1:1: E999 SyntaxError", b""))


# -- the inputs -------------------------------------------------------------------------------


def _big_file() -> bytes:
    """5 MB: 5,000 lines of 1,000-character strings with non-ASCII characters, and a finding
    at the end of a long non-ASCII line (its column must be a character column)."""
    lines = ["# -*- coding: utf-8 -*-", "INSTALLED_APPS = []"]
    lines += [f'TEXT_{i} = "' + "é" * 10 + "x" * 990 + '"' for i in range(5000)]
    lines.append('NOTE = "' + "ü" * 500 + '"; SECRET_KEY = "k"')
    return ("\n".join(lines) + "\n").encode("utf-8")


BIG_COL = len('NOTE = "' + "ü" * 500 + '"; SECRET_KEY = ')

#: name -> (content, flake8 findings, pylint findings); findings as (line, col, code/symbol)
#: with flake8's 1-based and pylint's 0-based columns.
INPUTS: dict[str, tuple[bytes, list, list]] = {
    "syntax_error.py": (b"def broken(:\n    pass\n", [(1, 13, "E999")], [(1, 12, "syntax-error")]),
    # flake8 falls back to latin-1 when a file is not UTF-8 (and lints it); Python and
    # pylint refuse the file
    "latin1_no_cookie.py": (
        'SECRET_KEY = "caf\u00e9"\n'.encode("latin-1"), [(1, 14, "WEB101")], [(1, 0, "syntax-error")]
    ),
    "latin1_cookie.py": (
        '# -*- coding: latin-1 -*-\nINSTALLED_APPS = []\nX = "caf\u00e9"; SECRET_KEY = "k"\n'.encode("latin-1"),
        [(3, 26, "WEB101")], [(3, 25, "hardcoded-secret-key")],
    ),
    "bom.py": (b"\xef\xbb\xbfINSTALLED_APPS = []\nSECRET_KEY = 'k'\n", [(2, 14, "WEB101")],
               [(2, 13, "hardcoded-secret-key")]),
    "crlf.py": (b"INSTALLED_APPS = []\r\nSECRET_KEY = 'k'\r\nDEBUG = True\r\n",
                [(2, 14, "WEB101"), (3, 9, "WEB201")],
                [(2, 13, "hardcoded-secret-key"), (3, 8, "debug-enabled")]),
    "form_feed.py": (
        '\x0cINSTALLED_APPS = []\n\x0c\nX = "\u00e9\x0c\u00e9"; SECRET_KEY = "k"\n'.encode("utf-8"),
        [(3, 25, "WEB101")], [(3, 24, "hardcoded-secret-key")],
    ),
    "big_5mb.py": (_big_file(), [(5003, BIG_COL + 1, "WEB101")], [(5003, BIG_COL, "hardcoded-secret-key")]),
    # the tokenizer's limit of 200 nested parentheses: a syntax error for every tool
    "nested_5000_parens.py": (b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n",
                              [(1, 206, "E999")], [(1, 205, "syntax-error")]),
    # 100,000 elements on one line (not on 3.12's command lines: see CLI_EXCLUDED) ...
    "list_100000.py": (
        b"X = [" + b", ".join(b"%d" % i for i in range(100_000)) + b"]\nINSTALLED_APPS = []\nSECRET_KEY = 'k'\n",
        [(3, 14, "WEB101")], [(3, 13, "hardcoded-secret-key")],
    ),
    # ... and ten to a line
    "list_100000_lines.py": (
        b"X = [\n"
        + b"".join(b"    %s,\n" % b", ".join(b"%d" % j for j in range(i, i + 10)) for i in range(0, 100_000, 10))
        + b"]\nINSTALLED_APPS = []\nSECRET_KEY = 'k'\n",
        [(10_004, 14, "WEB101")], [(10_004, 13, "hardcoded-secret-key")],
    ),
    "python2.py": (b'print "hello"\nexec "x = 1"\n', [(1, 1, "E999")], [(1, 0, "syntax-error")]),
    "only_comments.py": (b"# just a comment\n# SECRET_KEY = 'k'\n", [], []),
    "empty.py": (b"", [], []),
}


#: Not given to the command lines on CPython 3.12: its tokenize module copies the whole line
#: into every token (CPython issues 119118 and 119654) and both flake8 and pylint keep every
#: token of a module, so the 100,000-token line takes either tool past the machine's memory
#: before any plugin runs (measured on 3.12.1: flake8 at 19 GB after 48 s and growing, pylint
#: killed by the kernel's OOM killer, also with no plugin loaded). 3.10, 3.11 and 3.13 lint it
#: in seconds; the core takes it on every version. See docs/robustness.md.
CLI_EXCLUDED = {"list_100000.py"} if sys.version_info[:2] == (3, 12) else set()
CLI_INPUTS = sorted(set(INPUTS) - CLI_EXCLUDED)


def skip_if_excluded(name: str) -> None:
    if name in CLI_EXCLUDED:
        pytest.skip("CPython 3.12 tokenize copies the line into every token: flake8 and pylint "
                    "exhaust memory on a 100,000-token line (CPython issues 119118, 119654)")


@pytest.fixture(scope="module")
def adversarial_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("adversarial")
    for name, (content, _, _) in INPUTS.items():
        (root / name).write_bytes(content)
    (root / CONTROL[0]).write_bytes(CONTROL[1])
    assert (root / "big_5mb.py").stat().st_size > 5_000_000
    return root


@pytest.fixture(scope="module")
def flake8_run(adversarial_dir: Path) -> subprocess.CompletedProcess:
    return run(["-m", "flake8", "--isolated", "--select=E9,WEB", "-j", "2", *CLI_INPUTS,
                CONTROL[0]], adversarial_dir)


@pytest.fixture(scope="module")
def pylint_run(adversarial_dir: Path) -> subprocess.CompletedProcess:
    return run(["-m", "pylint", *PYLINT_OURS, "-j", "2", *CLI_INPUTS, CONTROL[0]],
               adversarial_dir)


def test_flake8_run_completes_cleanly(flake8_run) -> None:
    assert flake8_run.returncode == 1, text(flake8_run.stderr)  # findings, no crash
    assert "Traceback" not in text(flake8_run.stderr), text(flake8_run.stderr)
    assert_plugin_clean(flake8_run)
    assert CONTROL_FLAKE8 in flake8_findings(flake8_run)


def test_pylint_run_completes_cleanly(pylint_run) -> None:
    assert "Traceback" not in text(pylint_run.stderr), text(pylint_run.stderr)
    assert_plugin_clean(pylint_run)
    # 2: an error message (syntax-error), 4: warnings; no fatal (1) or usage error (32)
    assert pylint_run.returncode == 2 | 4, text(pylint_run.stdout)[-2000:]
    assert CONTROL_PYLINT in pylint_findings(pylint_run)


def tool_errors_without_column(found: list) -> list:
    """Syntax-error columns differ between Python versions: compare those by line only."""
    return [(line, None if code in ("E999", "syntax-error") else col, code)
            for line, col, code in found]


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_flake8_normal_result(name: str, flake8_run) -> None:
    skip_if_excluded(name)
    found = [(line, col, code) for path, line, col, code in flake8_findings(flake8_run) if path == name]
    assert tool_errors_without_column(found) == tool_errors_without_column(INPUTS[name][1])


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_pylint_normal_result(name: str, pylint_run) -> None:
    skip_if_excluded(name)
    found = [(line, col, symbol) for path, line, col, symbol in pylint_findings(pylint_run)
             if path == name]
    assert tool_errors_without_column(found) == tool_errors_without_column(INPUTS[name][2])


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_core_on_adversarial_input(name: str) -> None:
    """The same bytes through ``check_source``: flake8's findings (0-based columns), or a
    clean refusal where Python refuses the file."""
    content, flake8_expected, _ = INPUTS[name]
    refused_by_python = any(code == "E999" for _, _, code in flake8_expected) or name == "latin1_no_cookie.py"
    if refused_by_python:
        with pytest.raises(UnparsableSourceError):
            check_source(content, name)
    else:
        found = [(f.line, f.col + 1, f.code) for f in check_source(content, name)]
        assert found == flake8_expected


# -- where flake8 and pylint give up before the plugin runs ------------------------------------

#: Files where a tool may give up in its own code before any plugin runs, depending on the
#: Python version: name -> (content, flake8 findings, pylint findings when the tool copes).
#: A NUL byte: ``ast.parse`` raises ValueError on 3.10, which flake8 does not catch. 5,000
#: unary minuses (no parentheses, so the tokenizer accepts them): deeper than ``ast.parse``
#: builds on 3.11 and 3.12, deeper than pyflakes and astroid recurse on 3.10 and 3.13. A
#: ``+`` chain of 500 terms: deeper than pyflakes and astroid recurse. Each file also has a
#: finding.
TOOL_LIMITS = {
    "nul_byte.py": (b'SECRET_KEY = "k"\nx = 1\x00\n', [(1, None, "E999")], [(1, None, "syntax-error")]),
    "unary_5000.py": (b"x = " + b"-" * 5000 + b"1\nINSTALLED_APPS = []\nSECRET_KEY = 'k'\n",
                      [(3, 14, "WEB101")], [(3, 13, "hardcoded-secret-key")]),
    "plus_500.py": (b"x = " + b" + ".join([b"a"] * 500) + b"\nINSTALLED_APPS = []\nSECRET_KEY = 'k'\n",
                    [(3, 14, "WEB101")], [(3, 13, "hardcoded-secret-key")]),
}
#: What the tools print when they give up on such a file (measured on CPython 3.10-3.13,
#: flake8 7 with pyflakes 3, pylint 4 with astroid 4; see docs/robustness.md).
FLAKE8_GIVES_UP = ('"pyflakes[F]" failed during execution due to RecursionError',
                   "RecursionError: maximum recursion depth exceeded during ast construction",
                   "ValueError: source code string cannot contain null bytes")
PYLINT_GIVES_UP = ("astroid.exceptions.AstroidBuildingError", "RecursionError")


def core_alone(name: str):
    """The plugin's core on the file: its findings where Python's parser builds the tree
    (the tool gave up in its own code), else a clean refusal (Python's parser gave up: the
    tool's own ``ast.parse`` fails the same way)."""
    try:
        return [(f.line, f.code) for f in check_source(TOOL_LIMITS[name][0], name)]
    except UnparsableSourceError:
        return "parser refuses"


def limit_run(tool: list[str], name: str, tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / name).write_bytes(TOOL_LIMITS[name][0])
    (tmp_path / CONTROL[0]).write_bytes(CONTROL[1])
    result = run([*tool, "-j", "2", name, CONTROL[0]], tmp_path)
    assert_plugin_clean(result)
    return result


@pytest.mark.parametrize("name", sorted(TOOL_LIMITS))
def test_flake8_limit_is_flake8s_own(name: str, tmp_path: Path) -> None:
    result = limit_run(["-m", "flake8", "--isolated", "--select=E9,WEB"], name, tmp_path)
    output = text(result.stdout) + text(result.stderr)
    if "Traceback" not in output and "failed during execution" not in output:
        found = flake8_findings(result)  # flake8 coped: the usual results
        assert CONTROL_FLAKE8 in found
        mine = [(line, col, code) for path, line, col, code in found if path == name]
        assert tool_errors_without_column(mine) == tool_errors_without_column(TOOL_LIMITS[name][1])
        return
    assert any(mark in output for mark in FLAKE8_GIVES_UP), output[-3000:]
    assert result.returncode == 1
    assert core_alone(name) in ("parser refuses", [(3, "WEB101")])


@pytest.mark.parametrize("name", sorted(TOOL_LIMITS))
def test_pylint_limit_is_pylints_own(name: str, tmp_path: Path) -> None:
    result = limit_run(["-m", "pylint", *PYLINT_OURS], name, tmp_path)
    output = text(result.stdout) + text(result.stderr)
    if "Traceback" not in output and "astroid-error" not in output:
        found = pylint_findings(result)  # pylint coped: the usual results
        assert CONTROL_PYLINT in found
        mine = [(line, col, symbol) for path, line, col, symbol in found if path == name]
        assert tool_errors_without_column(mine) == tool_errors_without_column(TOOL_LIMITS[name][2])
        return
    # astroid gave up building the module: pylint's parallel runner (-j 2) crashes (serial
    # runs report astroid-error, F0002); the plugin never saw the file
    assert any(mark in output for mark in PYLINT_GIVES_UP), output[-3000:]
    assert core_alone(name) in ("parser refuses", [(3, "WEB101")])


# -- the plugin never imports, executes or evaluates the code it checks ------------------------

EVIL_SETTINGS = '''\
"""Importing or running this module leaves marker files behind."""
import pathlib
import sys

MARKERS = pathlib.Path({markers!r})


def _mark(name):
    MARKERS.mkdir(exist_ok=True)
    (MARKERS / name).write_text("executed")
    return name


_mark("module-level")


def default_argument(value=_mark("default-argument")):
    return value


def decorator(function):
    _mark("decorator")
    return function


@decorator
def decorated():
    return None


class Base:
    def __init_subclass__(cls, **kwargs):
        _mark("init-subclass")
        super().__init_subclass__(**kwargs)


class Child(Base):
    _mark("class-body")


class Meta(type):
    def __new__(mcs, name, bases, namespace):
        _mark("metaclass")
        return super().__new__(mcs, name, bases, namespace)


class WithMeta(metaclass=Meta):
    pass


def __getattr__(name):
    _mark("module-getattr")
    raise AttributeError(name)


class _Replacement:
    def __getattr__(self, name):
        _mark("sys-modules-replacement")
        raise AttributeError(name)


sys.modules[__name__] = _Replacement()

import sibling  # noqa: E402
from evil_package import thing  # noqa: E402

INSTALLED_APPS = ["django.contrib.auth"]
SECRET_KEY = "not-so-secret"

if __name__ == "__main__":
    _mark("main-block")
'''
EVIL_FINDING_LINE = next(
    number for number, line in enumerate(EVIL_SETTINGS.splitlines(), 1) if line.startswith("SECRET_KEY")
)
MARK_ON_IMPORT = (
    'import pathlib\nM = pathlib.Path({markers!r})\nM.mkdir(exist_ok=True)\n(M / {name!r}).write_text("imported")\n'
)


@pytest.fixture
def evil_project(tmp_path: Path) -> tuple[Path, Path]:
    """A project whose settings.py, if imported or run, writes markers; with a sibling
    module and a package it imports, and a .pth file naming a module (processed only if
    the directory were a site directory)."""
    project, markers = tmp_path / "project", tmp_path / "markers"
    project.mkdir()
    (project / "settings.py").write_text(EVIL_SETTINGS.format(markers=str(markers)))
    (project / "sibling.py").write_text(MARK_ON_IMPORT.format(markers=str(markers), name="sibling-imported"))
    (project / "evil_package").mkdir()
    (project / "evil_package" / "__init__.py").write_text(
        MARK_ON_IMPORT.format(markers=str(markers), name="package-imported") + "thing = 1\n"
    )
    (project / "pth_target.py").write_text(MARK_ON_IMPORT.format(markers=str(markers), name="pth-import"))
    (project / "zz_hook.pth").write_text("import pth_target\n")
    return project, markers


def test_evil_project_does_write_markers_when_run(evil_project) -> None:
    """Control: the markers do appear when the code runs (so their absence means something)."""
    project, markers = evil_project
    result = run(["settings.py"], project)
    assert result.returncode == 0, text(result.stderr)
    assert sorted(p.name for p in markers.iterdir()) == sorted([
        "module-level", "default-argument", "decorator", "class-body", "init-subclass",
        "metaclass", "sibling-imported", "package-imported", "main-block",
    ])
    for marker in markers.iterdir():
        marker.unlink()
    result = run(["-c", f"import site; site.addsitedir({str(project)!r})"], project)
    assert result.returncode == 0, text(result.stderr)
    assert [p.name for p in markers.iterdir()] == ["pth-import"]


def test_core_never_executes(evil_project) -> None:
    project, markers = evil_project
    found = check_source((project / "settings.py").read_bytes(), str(project / "settings.py"))
    assert [(f.line, f.code) for f in found] == [(EVIL_FINDING_LINE, "WEB101")]
    assert not markers.exists()


def test_flake8_never_executes(evil_project) -> None:
    """All of flake8's default checks plus the plugin, from the project directory (which
    ``-m`` puts on ``sys.path``, so an import of ``settings`` would find it)."""
    project, markers = evil_project
    result = run(["-m", "flake8", "--isolated", "-j", "2", "."], project)
    assert "Traceback" not in text(result.stderr), text(result.stderr)
    ours = [f for f in flake8_findings(result) if f[3].startswith("WEB")]
    assert ours == [("settings.py", EVIL_FINDING_LINE, 14, "WEB101")]
    assert not markers.exists(), sorted(p.name for p in markers.iterdir())


def test_pylint_never_executes(evil_project) -> None:
    """The plugin's part of pylint (only its messages enabled); pylint's own checkers infer
    with astroid, which reads modules but does not run them either (docs/robustness.md)."""
    project, markers = evil_project
    result = run(["-m", "pylint", *PYLINT_OURS, "-j", "2", "--recursive=y", "."], project)
    assert "Traceback" not in text(result.stderr), text(result.stderr)
    assert pylint_findings(result) == [("settings.py", EVIL_FINDING_LINE, 13, "hardcoded-secret-key")]
    assert not markers.exists(), sorted(p.name for p in markers.iterdir())


# -- the in-process harnesses of test_reliability.py match the command lines -------------------


@settings(derandomize=True, deadline=None, database=None, max_examples=1,
          suppress_health_check=list(HealthCheck))
@given(modules=st.lists(S.framework_modules(max_statements=4), min_size=8, max_size=8))
def test_in_process_harnesses_match_the_command_lines(modules) -> None:
    """Generated framework modules: what flake8 and pylint print is what the in-process
    adapters of the property tests report."""
    harness = S.PylintHarness()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        expected_flake8, expected_pylint, paths = [], [], []
        for index, module in enumerate(modules):
            path = Path(f"m{index}") / module.filename
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(module.source.encode("utf-8"))
            paths.append(str(path))
            expected_flake8 += [(str(path), line, col + 1, code)
                                for line, col, code in S.flake8_findings(module.source, str(path))]
            expected_pylint += [(str(path), line, col, S.RULES[code].symbol)
                                for line, col, code in harness.findings(module.source, str(path))]
        flake8 = run(["-m", "flake8", "--isolated", "--select=WEB", "-j", "2", *paths], root)
        assert "Traceback" not in text(flake8.stderr), text(flake8.stderr)
        got_flake8 = sorted(
            (os.path.normpath(p), int(l), int(c), rest.split()[0])
            for p, l, c, rest in (line.split(":", 3) for line in text(flake8.stdout).splitlines())
        )
        assert got_flake8 == sorted(expected_flake8)
        pylint = run(["-m", "pylint", *PYLINT_OURS, "-j", "2", *paths], root)
        assert "Traceback" not in text(pylint.stderr), text(pylint.stderr)
        got_pylint = sorted((os.path.normpath(m["path"]), m["line"], m["column"], m["symbol"])
                            for m in pylint_messages(pylint))
        assert got_pylint == sorted(expected_pylint)
        assert len(expected_flake8) >= 5  # the sample has findings to compare
