"""The project index (RULES.md "Project modules"): fixture projects on disk under
tests/projects, linted through the API, both command lines (also ``-j 2``) and stdin mode,
with exact expected findings (``# expect:`` annotations) and messages."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tokenize
from pathlib import Path

import pytest

import functional_runner as fr
from flake8_webframework import check_source, project
from flake8_webframework.core import UnparsableSourceError
from flake8_webframework.options import Options

PROJECTS = Path(__file__).resolve().parent / "projects"
NAMES = sorted(path.name for path in PROJECTS.iterdir() if path.is_dir())


def project_files(name: str) -> list[Path]:
    return sorted((PROJECTS / name).rglob("*.py"))


def expected(name: str) -> dict[str, set]:
    root = PROJECTS / name
    found = {}
    for path in project_files(name):
        try:
            found[path.relative_to(root).as_posix()] = fr.parse_expectations(path)
        except (SyntaxError, ValueError, tokenize.TokenError):
            found[path.relative_to(root).as_posix()] = set()  # unparsable: no expectations
    return found


def api_findings(name: str, options: Options | None = None) -> dict[str, set]:
    root = PROJECTS / name
    found = {}
    for path in project_files(name):
        relative = path.relative_to(root).as_posix()
        try:
            findings = check_source(path.read_bytes(), str(path), options)
        except UnparsableSourceError:
            findings = []
        found[relative] = {(f.line, f.col + 1, f.code) for f in findings}
    return found


def run(cmd: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=600, env=env)


def flake8(name: str, *extra: str, stdin: str | None = None) -> dict[str, set]:
    root = PROJECTS / name
    proc = run([sys.executable, "-m", "flake8", "--isolated", "--select=WEB", *extra]
               + ([] if stdin is not None or "-" in extra else ["."]), root, stdin)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    found: dict[str, set] = {}
    for line in proc.stdout.splitlines():
        match = fr.FLAKE8_LINE_RE.match(line)
        assert match, line
        path = os.path.normpath(match.group("path")).replace(os.sep, "/")
        found.setdefault(path.removeprefix("./"), set()).add(
            (int(match.group("line")), int(match.group("col")), match.group("code"))
        )
    return found


def pylint(name: str, *extra: str, stdin: str | None = None) -> dict[str, set]:
    root = PROJECTS / name
    targets = [] if stdin is not None else [str(path.relative_to(root))
                                            for path in project_files(name)]
    proc = run([sys.executable, "-m", "pylint", "--load-plugins=pylint_webframework",
                "--disable=all", "--enable=webframework", "--score=n", "--persistent=n",
                "--msg-template={path}:{line}:{column}: {msg_id} {msg}", *extra, *targets],
               root, stdin)
    assert "Traceback" not in proc.stderr, proc.stderr
    codes = fr.msgid_to_code()
    found: dict[str, set] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("*") or not line.strip():
            continue
        path, lineno, col, rest = line.split(":", 3)
        msgid = rest.split()[0]
        if msgid not in codes:
            continue  # pylint's own (a syntax error in the unparsable sibling)
        found.setdefault(path.replace(os.sep, "/"), set()).add(
            (int(lineno), int(col) + 1, codes[msgid])
        )
    return found


def nonempty(found: dict[str, set]) -> dict[str, set]:
    return {path: keys for path, keys in found.items() if keys}


@pytest.mark.parametrize("name", NAMES)
def test_api_gives_the_expected_findings(name):
    assert nonempty(api_findings(name)) == nonempty(expected(name))


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("name", NAMES)
def test_flake8_gives_the_expected_findings(name, jobs):
    assert nonempty(flake8(name, f"-j{jobs}")) == nonempty(expected(name))


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("name", NAMES)
def test_pylint_gives_the_expected_findings(name, jobs):
    assert nonempty(pylint(name, f"-j{jobs}")) == nonempty(expected(name))


STDIN_CASES = [
    ("django_split", "mysite/settings/production.py"),
    ("django_split", "mysite/settings/base.py"),
    ("flask_configs", "app/views.py"),
    ("flask_configs", "app/config.py"),
]


@pytest.mark.parametrize("name, relative", STDIN_CASES)
def test_stdin_mode_reads_the_buffer_for_the_file_and_disk_for_the_others(name, relative):
    """Editors send the unsaved buffer: it is judged, the other modules come from disk."""
    text = (PROJECTS / name / relative).read_text()
    want = expected(name)[relative]
    found = flake8(name, f"--stdin-display-name={relative}", "-", stdin=text)
    assert found.get(relative, set()) == want
    found = pylint(name, "--from-stdin", relative, stdin=text)
    assert found.get(relative, set()) == want
    # an unsaved edit that overrides the forgotten setting takes effect at once
    if relative.endswith("production.py"):
        edited = text + "ALLOWED_HOSTS = ['www.example.com']\n"
        found = flake8(name, f"--stdin-display-name={relative}", "-", stdin=edited)
        assert {key[2] for key in found.get(relative, set())} == {"WEB503", "WEB504"}


def messages(path: Path) -> list[str]:
    return [f"{f.code} {f.message}" for f in check_source(path.read_bytes(), str(path))]


def test_inherited_findings_name_the_defining_module_and_line():
    production = PROJECTS / "django_split/mysite/settings/production.py"
    assert messages(production) == [
        "WEB204 ALLOWED_HOSTS accepts any host ('*'); list the host names the site serves "
        "(inherited from mysite/settings/base.py:4; override it here)",
        "WEB503 MIDDLEWARE without XFrameOptionsMiddleware lets other sites frame these pages "
        "(clickjacking); add 'django.middleware.clickjacking.XFrameOptionsMiddleware' to "
        "MIDDLEWARE (inherited from mysite/settings/base.py:6; override it here)",
        "WEB504 SESSION_COOKIE_SECURE = False sends the cookie over plain HTTP; set it to True "
        "(inherited from mysite/settings/base.py:10; override it here)",
    ]
    config = PROJECTS / "flask_configs/app/config.py"
    assert messages(config)[0] == (
        "WEB504 SESSION_COOKIE_SECURE = False sends the cookie over plain HTTP; set it to True "
        "(inherited from app/config_base.py:7; override it here)"
    )
    assert messages(config)[-1] == (
        "WEB102 SECRET_KEY (default: the literal DEFAULT_KEY of app/defaults.py:1) falls back "
        "to a literal default when the environment lacks it; fail instead of signing with a "
        "known secret"
    )
    views = PROJECTS / "flask_configs/app/views.py"
    assert messages(views)[0] == (
        "WEB101 hardcoded app.secret_key (the literal DEFAULT_KEY of app/defaults.py:1); load "
        "it from the environment or a secret store"
    )


def test_the_option_turns_the_index_off():
    off = Options.parse(project_index="off")
    found = nonempty(api_findings("django_split", off))
    assert {key[2] for key in found["mysite/settings/base.py"]} == {
        "WEB101", "WEB201", "WEB204", "WEB502", "WEB503", "WEB504"}
    assert "mysite/settings/production.py" not in found
    assert not nonempty(flake8("django_split", "--webframework-project-index=off")).get(
        "mysite/settings/production.py")
    assert not nonempty(pylint("django_split", "--webframework-project-index=off")).get(
        "mysite/settings/production.py")
    views = nonempty(api_findings("flask_configs", off))["app/views.py"]
    # the helpers are unknown calls: bold(clean(name)) and the read template are reported
    assert {key[2] for key in views} == {"WEB301", "WEB303"}


def test_each_module_is_parsed_at_most_once_per_process():
    script = textwrap.dedent(f"""
        import collections, pathlib
        from flake8_webframework import check_source, project
        from flake8_webframework.core import UnparsableSourceError
        parsed = collections.Counter()
        make = project.ProjectIndex._make
        def counting(self, path, view):
            parsed[path] += 1
            return make(self, path, view)
        project.ProjectIndex._make = counting
        for path in sorted(pathlib.Path({str(PROJECTS)!r}).rglob("*.py")):
            try:
                check_source(path.read_bytes(), str(path))
            except UnparsableSourceError:
                pass
        assert parsed and max(parsed.values()) == 1, parsed
        print(len(parsed))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 8


def test_summaries_keep_no_trees():
    """What the index keeps per module is a summary of plain values, not trees."""
    project.INDEX.clear()
    api_findings("flask_configs")
    import ast

    pending = [summary for _key, summary in project.INDEX._summaries.values() if summary]
    assert pending
    seen = 0
    while pending:
        value = pending.pop()
        seen += 1
        assert not isinstance(value, ast.AST)
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            pending.extend(value)
        elif hasattr(value, "__dataclass_fields__"):
            pending.extend(getattr(value, field) for field in value.__dataclass_fields__)
    assert seen > 50


def test_budgets_and_never_running_the_modules(tmp_path):
    """A file importing more project modules than the budget allows, a chain deeper than
    the depth bound, and modules that would do harm if run: bounded, nothing executed."""
    package = tmp_path / "big"
    package.mkdir()
    (tmp_path / "setup.cfg").write_text("")
    (package / "__init__.py").write_text("")
    marker = tmp_path / "ran"
    harm = f"open({str(marker)!r}, 'w').write('ran')\nraise SystemExit(3)\n"
    for index in range(60):
        (package / f"helper{index}.py").write_text(
            harm + f"def h{index}(x):\n    return x\n"
        )
    for index in range(12):
        following = f"from .chain{index + 1} import *\n" if index < 11 else ""
        (package / f"chain{index}.py").write_text(
            following + "INSTALLED_APPS = []\n" + ("DEBUG = True\n" if index == 11 else "")
        )
    imports = "".join(f"from .helper{index} import h{index}\n" for index in range(60))
    calls = "".join(f"    mark_safe(h{index}(escape(v)))\n" for index in range(60))
    views = package / "views.py"
    views.write_text("from django.utils.html import escape\n"
                     "from django.utils.safestring import mark_safe\n" + imports
                     + "def view(request, v):\n" + calls)
    findings = check_source(views.read_bytes(), str(views))
    codes = [finding.code for finding in findings]
    assert "WEB000" not in codes
    # beyond the module budget the helpers are unknown calls: those are reported
    assert 0 < codes.count("WEB303") <= 60 - (project.MAX_MODULES_PER_FILE - 1)
    chain = package / "chain0.py"
    assert [f.code for f in check_source(chain.read_bytes(), str(chain))] == []
    assert not marker.exists()
