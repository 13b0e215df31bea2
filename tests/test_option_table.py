"""The option table of the core: each kind of option (a list of names or patterns, a choice,
a file path, an on/off switch), parsed and validated by the core, and registered and read by
both front-ends from the table alone.

The kinds are tested with synthetic table entries shaped like the options later releases
add (test-file patterns with a non-empty default, project roots, an on/off project index, a
minimum severity, a baseline file): unit tests of parsing and validation, then the same
entries put into the table of a real flake8 and pylint run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_webframework import options as options_module
from flake8_webframework.options import (
    BOOLEAN,
    CHOICE,
    DEFAULT_OPTIONS,
    LIST,
    OPTION_TABLE,
    PATH,
    OptionError,
    Options,
    OptionSpec,
)

PYLINT_OURS = ["--disable=all", "--enable=webframework"]

X_FILES = OptionSpec("webframework-x-files", "x_files", LIST, "test file patterns",
                     default=("tests/*", "test_*.py"), valid_item=options_module._file_pattern,
                     invalid_item="is not a file pattern", metavar="<patterns>")
X_ROOTS = OptionSpec("webframework-x-roots", "x_roots", LIST, "project roots", metavar="<paths>")
X_INDEX = OptionSpec("webframework-x-index", "x_index", BOOLEAN, "index the project",
                     default=True, metavar="<on|off>")
X_SEVERITY = OptionSpec("webframework-x-severity", "x_severity", CHOICE, "lowest severity",
                        default="low", choices=("low", "medium", "high"), metavar="<level>")
X_BASELINE = OptionSpec("webframework-x-baseline", "x_baseline", PATH, "baseline file",
                        default=None, metavar="<file>")
SYNTHETIC = (X_FILES, X_ROOTS, X_INDEX, X_SEVERITY, X_BASELINE)


@pytest.mark.parametrize(
    ("spec", "raw", "value"),
    [
        (X_FILES, None, ("tests/*", "test_*.py")),  # not given: the default
        (X_FILES, "", ("tests/*", "test_*.py")),
        (X_FILES, [], ("tests/*", "test_*.py")),
        (X_FILES, "none", ()),  # a non-empty default is emptied by "none"
        (X_FILES, ["none"], ()),
        (X_FILES, "spec/*, none", ("spec/*", "none")),  # only "none" alone means empty
        (X_FILES, "spec/*\n  checks/*", ("spec/*", "checks/*")),
        (X_ROOTS, None, ()),
        (X_ROOTS, "none", ("none",)),  # an empty default has nothing to empty
        (X_ROOTS, ["src, lib", "tools"], ("src", "lib", "tools")),
        (X_INDEX, None, True),
        (X_INDEX, "off", False),
        (X_INDEX, " No ", False),
        (X_INDEX, "yes", True),
        (X_INDEX, "1", True),
        (X_INDEX, "false", False),
        (X_INDEX, False, False),
        (X_INDEX, ["on"], True),  # pylint may hand a one-item list
        (X_SEVERITY, None, "low"),
        (X_SEVERITY, "HIGH", "high"),
        (X_SEVERITY, " medium ", "medium"),
        (X_SEVERITY, ["medium"], "medium"),
        (X_BASELINE, None, None),
        (X_BASELINE, "", None),
        (X_BASELINE, "  reports/base line, v2.json ", "reports/base line, v2.json"),  # whole
        (X_BASELINE, ["base.json"], "base.json"),
    ],
)
def test_each_kind_parses(spec: OptionSpec, raw, value) -> None:
    assert spec.parse(raw) == value


@pytest.mark.parametrize(
    ("spec", "raw", "message"),
    [
        (X_FILES, "tests/*, /", "webframework-x-files: '/' is not a file pattern"),
        (X_INDEX, "maybe", "webframework-x-index: 'maybe' is not on or off"),
        (X_INDEX, "on off", "webframework-x-index: 'on off' is not one value"),
        (X_SEVERITY, "urgent", "webframework-x-severity: 'urgent' is not one of low, medium, high"),
        (X_SEVERITY, "low,high", "webframework-x-severity: 'low high' is not one value"),
        (X_BASELINE, "base\0.json", "webframework-x-baseline: 'base\\x00.json' is not a file path"),
        (X_BASELINE, ["a.json", "b.json"], "webframework-x-baseline: 'a.json b.json' is not one"),
    ],
)
def test_each_kind_rejects_bad_values(spec: OptionSpec, raw, message: str) -> None:
    with pytest.raises(OptionError) as raised:
        spec.parse(raw)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_help_shows_each_kind_of_default() -> None:
    assert X_FILES.help_with_default == "test file patterns (default: tests/*,test_*.py)"
    assert X_ROOTS.help_with_default == "project roots (default: none)"
    assert X_INDEX.help_with_default == "index the project (default: on)"
    assert X_SEVERITY.help_with_default == "lowest severity (default: low)"
    assert X_BASELINE.help_with_default == "baseline file (default: none)"


def test_table_and_options_fields_agree() -> None:
    fields = dataclasses.fields(Options)
    assert [spec.field for spec in OPTION_TABLE] == [field.name for field in fields]
    assert [spec.default for spec in OPTION_TABLE] == [field.default for field in fields]
    assert [spec.attribute for spec in OPTION_TABLE] == [
        spec.name.replace("-", "_") for spec in OPTION_TABLE
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_OPTIONS.secret_names = ("X",)  # type: ignore[misc]


def test_a_table_out_of_step_with_options_fails_at_import(monkeypatch) -> None:
    monkeypatch.setattr(options_module, "OPTION_TABLE", OPTION_TABLE + (X_ROOTS,))
    with pytest.raises(TypeError, match="differ"):
        options_module._check_table()
    wrong_default = dataclasses.replace(OPTION_TABLE[0], default=("X",))
    monkeypatch.setattr(options_module, "OPTION_TABLE", (wrong_default, *OPTION_TABLE[1:]))
    with pytest.raises(TypeError, match="default"):
        options_module._check_table()


def test_parse_and_from_config_take_values_by_field() -> None:
    config = type("Config", (), {"webframework_secret_names": ["A_KEY"],
                                 "webframework_dev_files": "tests/*"})()
    assert Options.from_config(config) == Options(secret_names=("A_KEY",), dev_files=("tests/*",))
    with pytest.raises(TypeError):
        Options.parse(no_such_option="x")
    with pytest.raises(TypeError):
        Options.parse("A_KEY", secret_names="B_KEY")
    with pytest.raises(TypeError):
        Options.parse(*([None] * (len(OPTION_TABLE) + 1)))


# -- the same synthetic kinds through the real command lines ------------------------------------

WIDER = textwrap.dedent(
    """\
    import dataclasses, json, os, sys
    sys.path.insert(0, os.environ["TESTS_DIR"])
    from flake8_webframework import core, options
    from flake8_webframework.checks import Check
    from test_option_table import SYNTHETIC

    @dataclasses.dataclass(frozen=True)
    class Wider(options.Options):
        x_files: tuple = ("tests/*", "test_*.py")
        x_roots: tuple = ()
        x_index: bool = True
        x_severity: str = "low"
        x_baseline: object = None

    # before either front-end is imported: they read the table and the class at import
    options.OPTION_TABLE = options.OPTION_TABLE + SYNTHETIC
    options.Options = Wider
    options._check_table()

    def probe(ctx):
        fields = [spec.field for spec in options.OPTION_TABLE]
        with open(os.environ["PROBE"], "a") as out:
            print(json.dumps({f: getattr(ctx.options, f) for f in fields}), file=out)
        return ()

    core.CHECKS[:] = [Check("probe", probe)]
    tool = sys.argv[1]
    sys.argv = [tool] + sys.argv[2:]
    if tool == "flake8":
        from flake8.main.cli import main
        sys.exit(main())
    from pylint import run_pylint
    run_pylint()
    """
)

WIDER_GIVEN = ["--webframework-x-files=none", "--webframework-x-roots=src, lib",
               "--webframework-x-index=off", "--webframework-x-severity=HIGH",
               "--webframework-x-baseline=reports/base line.json",
               "--webframework-secret-names=A_KEY"]
WIDER_VALUES = {"x_files": [], "x_roots": ["src", "lib"], "x_index": False,
                "x_severity": "high", "x_baseline": "reports/base line.json",
                "secret_names": ["A_KEY"]}
WIDER_DEFAULTS = {"x_files": ["tests/*", "test_*.py"], "x_roots": [], "x_index": True,
                  "x_severity": "low", "x_baseline": None, "secret_names": []}
WIDER_CONFIG = (
    "[flake8]\nwebframework-x-files = none\nwebframework-x-roots =\n    src\n    lib\n"
    "webframework-x-index = off\nwebframework-x-severity = HIGH\n"
    "webframework-x-baseline = reports/base line.json\nwebframework-secret-names = A_KEY\n"
    "[pylint.webframework]\nwebframework-x-files = none\nwebframework-x-roots = src, lib\n"
    "webframework-x-index = off\nwebframework-x-severity = HIGH\n"
    "webframework-x-baseline = reports/base line.json\nwebframework-secret-names = A_KEY\n"
)


def _wider(tmp_path: Path, tool: str, *args: str) -> tuple[subprocess.CompletedProcess, list]:
    probe = tmp_path / "probe.jsonl"
    probe.unlink(missing_ok=True)
    (tmp_path / "mod.py").write_text("X = 1\n")
    if tool == "flake8":
        command = ["flake8", "--select=WEB", *args, "mod.py"]
    else:
        command = ["pylint", "--load-plugins=pylint_webframework", *PYLINT_OURS,
                   "--persistent=n", "--score=n", *args, "mod.py"]
    env = {**os.environ, "PROBE": str(probe), "TESTS_DIR": str(Path(__file__).parent)}
    result = subprocess.run([sys.executable, "-c", WIDER, *command], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    seen = [json.loads(line) for line in probe.read_text().splitlines()] if probe.exists() else []
    return result, seen


def _picked(seen: list) -> list:
    return [{field: values[field] for field in WIDER_VALUES} for values in seen]


@pytest.mark.parametrize("tool", ["flake8", "pylint"])
def test_every_kind_through_the_command_line(tmp_path: Path, tool: str) -> None:
    isolated = ["--isolated"] if tool == "flake8" else []
    _result, seen = _wider(tmp_path, tool, *isolated)
    assert _picked(seen) == [WIDER_DEFAULTS]
    _result, seen = _wider(tmp_path, tool, *isolated, *WIDER_GIVEN)
    assert _picked(seen) == [WIDER_VALUES]


@pytest.mark.parametrize("tool", ["flake8", "pylint"])
def test_every_kind_from_the_config_file(tmp_path: Path, tool: str) -> None:
    (tmp_path / "setup.cfg").write_text(WIDER_CONFIG)
    _result, seen = _wider(tmp_path, tool)
    assert _picked(seen) == [WIDER_VALUES]


@pytest.mark.parametrize("tool", ["flake8", "pylint"])
def test_a_bad_choice_stops_either_tool_once(tmp_path: Path, tool: str) -> None:
    isolated = ["--isolated"] if tool == "flake8" else []
    result, seen = _wider(tmp_path, tool, *isolated, "--webframework-x-severity=urgent",
                          "-j", "2")
    message = ("bad option value: webframework-x-severity: 'urgent' is not one of low, "
               "medium, high")
    assert result.stderr.splitlines() == [f"{tool}-webframework: {message}"]
    assert result.returncode == (2 if tool == "flake8" else 32)
    assert seen == []
