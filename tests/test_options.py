"""The four options, through the real command lines and the configuration files users write.

``webframework-secret-names``, ``webframework-settings-files``, ``webframework-dev-files``
and ``webframework-dev-config-classes`` mean the same in both front-ends. Each is tested on
one small project: its positive (what it adds or silences) and its negatives (what it must
leave alone), with identical results from flake8, pylint and the core; then the same
options written in ``setup.cfg``/``.flake8``/``tox.ini`` (flake8) and ``pyproject.toml``/
``.pylintrc``/``setup.cfg`` (pylint); then bad values, which must stop either tool with one
clear line and no traceback, also under ``-j 2``.
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

from flake8_webframework import check_source
from flake8_webframework.options import (
    DEFAULT_OPTIONS,
    OptionError,
    Options,
)
from flake8_webframework.registry import DEV_DEFAULT_CODES as DEV_DEFAULT_RULES
from flake8_webframework.registry import RULES

MSGID_TO_CODE = {rule.msgid: code for code, rule in RULES.items()}

DEV_SETTINGS = textwrap.dedent(
    """\
    SECRET_KEY = "dev-key"
    DEBUG = True
    EMAIL_HOST_PASSWORD = "smtp-pass"
    ALLOWED_HOSTS = ["*"]
    """
)

PROJECT = {
    # a settings package: base (extra secret names), dev (development-only), prod
    "mysite/settings/base.py": textwrap.dedent(
        """\
        import os

        INSTALLED_APPS = ["django.contrib.auth"]
        SIGNING_KEY = "not-so-secret"
        TOKEN_SECRET = os.environ.get("TOKEN_SECRET", "fallback")
        OTHER_KEY = "plain"
        """
    ),
    "mysite/settings/dev.py": DEV_SETTINGS,
    "mysite/settings/prod.py": DEV_SETTINGS,
    "tests/settings.py": DEV_SETTINGS,
    # Flask config classes
    "config.py": textwrap.dedent(
        """\
        import os


        class Config:
            DEBUG = False
            SECRET_KEY = os.environ["SECRET_KEY"]


        class DevelopmentConfig(Config):
            DEBUG = True
            SECRET_KEY = "dev-only-key"


        class DevelopmentLocalConfig(DevelopmentConfig):
            SESSION_COOKIE_SECURE = False


        class DevConfig(Config):
            DEBUG = True


        class ProductionConfig(Config):
            DEBUG = True
        """
    ),
    # a settings module the heuristics cannot recognise by its name or content
    "conf/app_settings.py": "DEBUG = True\n",
    "conf/other.py": "DEBUG = True\n",
}

# (path, line, 1-based column, code)
DEV_FINDINGS = [(1, 14, "WEB101"), (2, 9, "WEB201"), (3, 23, "WEB103"), (4, 18, "WEB204")]
BASELINE = sorted(
    [(path, *finding) for path in ("mysite/settings/dev.py", "mysite/settings/prod.py",
                                   "tests/settings.py") for finding in DEV_FINDINGS]
    + [
        ("config.py", 10, 13, "WEB201"),  # DevelopmentConfig.DEBUG
        ("config.py", 11, 18, "WEB101"),  # DevelopmentConfig.SECRET_KEY
        ("config.py", 15, 29, "WEB504"),  # DevelopmentLocalConfig.SESSION_COOKIE_SECURE
        ("config.py", 19, 13, "WEB201"),  # DevConfig.DEBUG
        ("config.py", 23, 13, "WEB201"),  # ProductionConfig.DEBUG
    ]
)

#: option -> (value as users write it, findings it removes, findings it adds)
OPTIONS = {
    "webframework-dev-files": (
        "settings/dev.py, tests/*",
        # development defaults go; the secret and the password stay
        [("mysite/settings/dev.py", 2, 9, "WEB201"), ("mysite/settings/dev.py", 4, 18, "WEB204"),
         ("tests/settings.py", 2, 9, "WEB201"), ("tests/settings.py", 4, 18, "WEB204")],
        [],
    ),
    "webframework-dev-config-classes": (
        "Development*Config",
        # DevelopmentConfig and DevelopmentLocalConfig match; DevConfig, ProductionConfig
        # do not; the secret in DevelopmentConfig stays
        [("config.py", 10, 13, "WEB201"), ("config.py", 15, 29, "WEB504")],
        [],
    ),
    "webframework-secret-names": (
        "SIGNING_KEY, TOKEN_SECRET",
        [],
        # OTHER_KEY is not named: still nothing
        [("mysite/settings/base.py", 4, 15, "WEB101"),
         ("mysite/settings/base.py", 5, 47, "WEB102")],
    ),
    "webframework-settings-files": (
        "conf/app_settings.py",
        [],
        # conf/other.py is not named: a lone DEBUG there is still nobody's setting
        [("conf/app_settings.py", 1, 9, "WEB201")],
    ),
}


def expected(*options: str) -> list[tuple[str, int, int, str]]:
    found = set(BASELINE)
    for option in options:
        _, removes, adds = OPTIONS[option]
        assert set(removes) <= found, option
        found = (found - set(removes)) | set(adds)
    return sorted(found)


ALL_OPTIONS = expected(*OPTIONS)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for relative, text in PROJECT.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# -- running the tools ------------------------------------------------------------------------


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _norm(path: str) -> str:
    return os.path.normpath(path).replace("\\", "/")


def flake8(cwd: Path, *args: str, isolated: bool = True) -> list[tuple[str, int, int, str]]:
    result = run(
        ["-m", "flake8", *(["--isolated"] if isolated else []), "--select=WEB", *args,
         *PROJECT],
        cwd,
    )
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == "", result.stderr
    found = []
    for line in result.stdout.splitlines():
        path, lineno, col, rest = line.split(":", 3)
        found.append((_norm(path), int(lineno), int(col), rest.split()[0]))
    return sorted(found)


PYLINT_OURS = ["--disable=all", "--enable=webframework"]
PYLINT_QUIET = ["--persistent=n", "--score=n", "--output-format=json2"]


def pylint(cwd: Path, *args: str, load: bool = True) -> list[tuple[str, int, int, str]]:
    plugin = ["--load-plugins=pylint_webframework"] if load else []
    result = run(["-m", "pylint", *plugin, *PYLINT_OURS, *PYLINT_QUIET, *args, *PROJECT], cwd)
    assert result.stderr == "", result.stderr
    assert result.returncode & 1 == 0, result.stdout  # no fatal message
    messages = json.loads(result.stdout)["messages"]
    assert all(m["messageId"] in MSGID_TO_CODE for m in messages), messages  # e.g. E0015
    return sorted(
        (_norm(m["path"]), m["line"], m["column"] + 1, MSGID_TO_CODE[m["messageId"]])
        for m in messages
    )


def core(root: Path, **values: str) -> list[tuple[str, int, int, str]]:
    options = Options.parse(**values)
    return sorted(
        (relative, f.line, f.col + 1, f.code)
        for relative in PROJECT
        for f in check_source((root / relative).read_bytes(), relative, options)
    )


def keyword(option: str) -> str:
    return option.removeprefix("webframework-").replace("-", "_")


# -- each option on the command line ----------------------------------------------------------


def test_without_options_both_tools_report_the_baseline(project: Path) -> None:
    assert flake8(project) == BASELINE
    assert pylint(project) == BASELINE
    assert core(project) == BASELINE


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_option_on_the_command_line(project: Path, option: str) -> None:
    value = OPTIONS[option][0]
    want = expected(option)
    assert want != BASELINE
    assert flake8(project, f"--{option}={value}") == want
    assert pylint(project, f"--{option}={value}") == want
    assert core(project, **{keyword(option): value}) == want


def test_dev_options_never_silence_secrets_or_passwords(project: Path) -> None:
    kept = {finding for finding in ALL_OPTIONS if finding[3] not in DEV_DEFAULT_RULES}
    assert {code for *_, code in kept} == {"WEB101", "WEB102", "WEB103"}
    assert ("mysite/settings/dev.py", 1, 14, "WEB101") in kept
    assert ("mysite/settings/dev.py", 3, 23, "WEB103") in kept
    assert ("config.py", 11, 18, "WEB101") in kept
    values = {keyword(option): value for option, (value, _, _) in OPTIONS.items()}
    assert core(project, **values) == ALL_OPTIONS


# -- options in configuration files -----------------------------------------------------------

FLAKE8_CONFIGS = {
    "setup.cfg": """\
        [flake8]
        webframework-secret-names =
            SIGNING_KEY
            TOKEN_SECRET
        webframework-settings-files = conf/app_settings.py
        webframework-dev-files = settings/dev.py, tests/*
        webframework-dev-config-classes = Development*Config
        """,
    ".flake8": """\
        [flake8]
        webframework-secret-names = SIGNING_KEY,TOKEN_SECRET
        webframework-settings-files = conf/app_settings.py
        webframework-dev-files = settings/dev.py,tests/*
        webframework-dev-config-classes = Development*Config
        """,
    "tox.ini": """\
        [tox]
        envlist = py

        [flake8]
        webframework-secret-names = SIGNING_KEY, TOKEN_SECRET
        webframework-settings-files = conf/app_settings.py
        webframework-dev-files =
            settings/dev.py,
            tests/*,
        webframework-dev-config-classes = Development*Config
        """,
}

PYLINT_CONFIGS = {
    # the section pylint's own --generate-rcfile names after the checker
    "pyproject.toml": """\
        [tool.pylint.main]
        load-plugins = ["pylint_webframework"]

        [tool.pylint.webframework]
        webframework-secret-names = ["SIGNING_KEY", "TOKEN_SECRET"]
        webframework-settings-files = ["conf/app_settings.py"]
        webframework-dev-files = ["settings/dev.py", "tests/*"]
        webframework-dev-config-classes = "Development*Config"
        """,
    # pylint reads every [tool.pylint.*] table alike, so [tool.pylint.main] works as well
    "pyproject.toml:main": """\
        [tool.pylint.main]
        load-plugins = "pylint_webframework"
        webframework-secret-names = "SIGNING_KEY, TOKEN_SECRET"
        webframework-settings-files = "conf/app_settings.py"
        webframework-dev-files = "settings/dev.py, tests/*"
        webframework-dev-config-classes = ["Development*Config"]
        """,
    ".pylintrc": """\
        [MAIN]
        load-plugins = pylint_webframework

        [WEBFRAMEWORK]
        webframework-secret-names = SIGNING_KEY,
                                    TOKEN_SECRET
        webframework-settings-files = conf/app_settings.py
        webframework-dev-files = settings/dev.py, tests/*
        webframework-dev-config-classes = Development*Config
        """,
    # in setup.cfg and tox.ini pylint reads only sections named pylint.*
    "setup.cfg": """\
        [pylint.main]
        load-plugins = pylint_webframework

        [pylint.webframework]
        webframework-secret-names = SIGNING_KEY, TOKEN_SECRET
        webframework-settings-files = conf/app_settings.py
        webframework-dev-files = settings/dev.py, tests/*
        webframework-dev-config-classes = Development*Config
        """,
}


@pytest.mark.parametrize("name", sorted(FLAKE8_CONFIGS))
def test_flake8_reads_the_options_from_its_config_files(project: Path, name: str) -> None:
    (project / name).write_text(textwrap.dedent(FLAKE8_CONFIGS[name]))
    assert flake8(project, isolated=False) == ALL_OPTIONS


@pytest.mark.parametrize("name", sorted(PYLINT_CONFIGS))
def test_pylint_reads_the_options_from_its_config_files(project: Path, name: str) -> None:
    (project / name.partition(":")[0]).write_text(textwrap.dedent(PYLINT_CONFIGS[name]))
    assert pylint(project, load=False) == ALL_OPTIONS


# -- bad values -------------------------------------------------------------------------------

BAD_VALUES = {
    "webframework-secret-names": (
        "lower", "webframework-secret-names: 'lower' is not an UPPER_CASE setting name"
    ),
    "webframework-dev-config-classes": (
        "Development-Config",
        "webframework-dev-config-classes: 'Development-Config' is not a class name pattern",
    ),
    "webframework-settings-files": (
        "/", "webframework-settings-files: '/' is not a file pattern"
    ),
}


def _assert_clear_error(
    result: subprocess.CompletedProcess, tool: str, error: str, one_line: bool = True
) -> None:
    message = f"{tool}: bad option value: {error}"
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout.strip() == "", result.stdout
    if one_line:
        assert result.stderr.splitlines() == [message], result.stderr
    else:  # nothing but the message, however often and however interleaved
        assert message in result.stderr
        assert result.stderr.replace(message, "").strip() == "", result.stderr


def flake8_with(project: Path, *args: str) -> subprocess.CompletedProcess:
    return run(["-m", "flake8", "--select=WEB", *args, *PROJECT], project)


def pylint_with(project: Path, *args: str) -> subprocess.CompletedProcess:
    return run(["-m", "pylint", *PYLINT_OURS, "--persistent=n", "--score=n", *args, *PROJECT],
               project)


@pytest.mark.parametrize("option", sorted(BAD_VALUES))
def test_bad_value_on_the_command_line(project: Path, option: str) -> None:
    value, error = BAD_VALUES[option]
    bad = f"--{option}={value}"
    for jobs in ("1", "2"):
        _assert_clear_error(flake8_with(project, "--isolated", bad, "-j", jobs),
                            "flake8-webframework", error)
    pylint_plugin = "--load-plugins=pylint_webframework"
    result = pylint_with(project, pylint_plugin, bad, "-j", "1")
    _assert_clear_error(result, "pylint-webframework", error)
    assert result.returncode == 32  # pylint's usage-error status
    if option == "webframework-secret-names":  # -j 2 once more in the config-file test
        result = pylint_with(project, pylint_plugin, bad, "-j", "2")
        _assert_clear_error(result, "pylint-webframework", error, one_line=False)
        assert result.returncode == 32


BAD_CONFIG = (
    "[flake8]\nwebframework-secret-names = SIGNING_KEY, lower\n"
    "[pylint.main]\nload-plugins = pylint_webframework\n"
    "[pylint.webframework]\nwebframework-dev-config-classes = Development-Config\n"
)


def test_bad_values_in_config_files(project: Path) -> None:
    (project / "setup.cfg").write_text(BAD_CONFIG)
    for jobs in ("1", "2"):
        _assert_clear_error(flake8_with(project, "-j", jobs), "flake8-webframework",
                            BAD_VALUES["webframework-secret-names"][1])
        _assert_clear_error(pylint_with(project, "-j", jobs), "pylint-webframework",
                            BAD_VALUES["webframework-dev-config-classes"][1],
                            one_line=jobs == "1")


def test_pylint_bad_value_under_jobs_is_one_line(project: Path) -> None:
    value, error = BAD_VALUES["webframework-secret-names"]
    result = pylint_with(project, "--load-plugins=pylint_webframework",
                         f"--webframework-secret-names={value}", "-j", "2")
    _assert_clear_error(result, "pylint-webframework", error)


# -- separators: both tools split lists the same way --------------------------------------------

SPACE_SEPARATED = "webframework-secret-names=SIGNING_KEY TOKEN_SECRET"


def test_flake8_lists_split_on_whitespace(project: Path) -> None:
    # flake8's comma-separated lists take commas and whitespace (newlines in config files)
    assert flake8(project, f"--{SPACE_SEPARATED}") == expected("webframework-secret-names")


def test_pylint_lists_split_on_whitespace_like_flake8(project: Path) -> None:
    assert pylint(project, f"--{SPACE_SEPARATED}") == expected("webframework-secret-names")


def test_parse_splits_sequence_items_like_strings() -> None:
    # what pylint's csv type hands over for "A_KEY B_KEY, C_KEY" and for a newline-separated
    # .pylintrc value
    assert Options.parse(secret_names=["A_KEY B_KEY", "C_KEY"]).secret_names == (
        "A_KEY", "B_KEY", "C_KEY"
    )
    assert Options.parse(dev_files=["settings/dev.py\ntests/*"]).dev_files == (
        "settings/dev.py", "tests/*"
    )


# -- file patterns match the project's paths, not the directories above it --------------------


@pytest.fixture
def nested_project(tmp_path: Path) -> Path:
    """A project checked out below a directory called ``tests``."""
    root = tmp_path / "tests" / "proj"
    (root / "mysite").mkdir(parents=True)
    (root / "mysite" / "settings.py").write_text("DEBUG = True\n")
    return root


DEV_TESTS = "--webframework-dev-files=tests/*"


def _tool_codes(result: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return sorted(
        word.rstrip(":") for word in result.stdout.split() if word.startswith(("WEB", "W75"))
    )


def test_flake8_dev_files_match_relative_paths(nested_project: Path) -> None:
    result = run(["-m", "flake8", "--isolated", "--select=WEB", DEV_TESTS,
                  "mysite/settings.py"], nested_project)
    assert _tool_codes(result) == ["WEB201"]


@pytest.mark.parametrize("tool", ["pylint", "flake8 absolute path"])
def test_dev_files_do_not_match_directories_above_the_project(
    nested_project: Path, tool: str
) -> None:
    if tool == "pylint":
        args = ["-m", "pylint", "--load-plugins=pylint_webframework", *PYLINT_OURS,
                "--persistent=n", "--score=n", DEV_TESTS, "mysite/settings.py"]
    else:
        args = ["-m", "flake8", "--isolated", "--select=WEB", DEV_TESTS,
                str(nested_project / "mysite" / "settings.py")]
    want = ["W7521"] if tool == "pylint" else ["WEB201"]
    assert _tool_codes(run(args, nested_project)) == want


# -- unit tests: Options.parse and the path matching ------------------------------------------


def test_parse_defaults_to_nothing() -> None:
    assert Options.parse() == DEFAULT_OPTIONS == Options()
    assert Options.parse("", "", (), None) == DEFAULT_OPTIONS
    assert not DEFAULT_OPTIONS.is_dev_file("tests/settings.py")
    assert not DEFAULT_OPTIONS.is_settings_file("settings.py")
    assert not DEFAULT_OPTIONS.is_dev_config_class("DevelopmentConfig")


@pytest.mark.parametrize(
    "value",
    [
        "SIGNING_KEY,TOKEN_SECRET",
        "SIGNING_KEY, TOKEN_SECRET",
        " SIGNING_KEY\n  TOKEN_SECRET\n",  # a multi-line config value
        "SIGNING_KEY TOKEN_SECRET,",
        ["SIGNING_KEY", "TOKEN_SECRET"],  # flake8's and pylint's parsed lists
        ("SIGNING_KEY", " TOKEN_SECRET ", ""),
    ],
)
def test_parse_splits_strings_and_takes_sequences(value) -> None:
    assert Options.parse(secret_names=value).secret_names == ("SIGNING_KEY", "TOKEN_SECRET")


def test_parse_keeps_each_option_apart() -> None:
    options = Options.parse(
        secret_names="A_KEY", settings_files="conf/*.py", dev_files="tests/*",
        dev_config_classes="Dev*Config,Test?Config",
    )
    assert options == Options(("A_KEY",), ("conf/*.py",), ("tests/*",),
                              ("Dev*Config", "Test?Config"))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"secret_names": "lower"}, "webframework-secret-names: 'lower' is not"),
        ({"secret_names": "SIGNING_KEY,_PRIVATE"}, "'_PRIVATE'"),
        ({"secret_names": "1KEY"}, "'1KEY'"),
        ({"secret_names": "SIGNING-KEY"}, "'SIGNING-KEY'"),
        ({"dev_config_classes": "Development-Config"},
         "webframework-dev-config-classes: 'Development-Config' is not a class name pattern"),
        ({"dev_config_classes": "config.Dev"}, "'config.Dev'"),
        ({"settings_files": "/"}, "webframework-settings-files: '/' is not a file pattern"),
        ({"dev_files": ["tests/\0"]}, "webframework-dev-files: 'tests/\\x00'"),
        ({"dev_files": "//"}, "webframework-dev-files: '//'"),
    ],
)
def test_parse_rejects_bad_values_naming_option_and_value(values: dict, message: str) -> None:
    with pytest.raises(OptionError) as raised:
        Options.parse(**values)
    text = str(raised.value)
    assert message in text
    assert "\n" not in text
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("filename", "pattern", "matches"),
    [
        ("mysite/settings/dev.py", "settings/dev.py", True),
        ("./mysite/settings/dev.py", "settings/dev.py", True),
        ("mysite\\settings\\dev.py", "settings/dev.py", True),  # Windows separators
        ("settings/dev.py", "/settings/dev.py/", True),  # slashes around a pattern
        ("mysite/settings/dev.py", "*/settings/dev.py", True),
        ("settings/dev.py", "*/settings/dev.py", False),  # '*/' needs a directory
        ("mysite/settings/dev.py", "dev.py", True),  # a trailing part of the path
        ("mysite/settings/devices.py", "dev.py", False),  # whole components only
        ("mysite/settings/olddev.py", "dev.py", False),
        ("mysite/settings/dev.py", "settings/dev", False),
        ("tests/test_views.py", "tests/*", True),
        ("tests/unit/test_views.py", "tests/*", True),  # '*' crosses directories
        ("app/tests/test_views.py", "tests/*", True),
        ("app/contests.py", "tests/*", False),
        ("mytests/test_views.py", "tests/*", False),
        ("mysite/settings/dev.py", "settings/*.py", True),
        ("mysite/Settings/Dev.py", "settings/dev.py", False),  # case-sensitive everywhere
        ("conf/app_settings.py", "conf/app_settings.py", True),
        ("other/conf/app_settings.py", "conf/app_settings.py", True),
        ("conf/app_settings.pyi", "conf/app_settings.py", False),
    ],
)
def test_path_matching(filename: str, pattern: str, matches: bool) -> None:
    assert Options.parse(dev_files=pattern).is_dev_file(filename) is matches
    assert Options.parse(settings_files=pattern).is_settings_file(filename) is matches


@pytest.mark.parametrize(
    ("name", "matches"),
    [
        ("DevelopmentConfig", True),
        ("DevelopmentLocalConfig", True),
        ("TestConfig", True),
        ("DevConfig", False),
        ("developmentconfig", False),
        ("ProductionConfig", False),
        ("DevelopmentConfigBase", False),  # the whole name must match
    ],
)
def test_dev_config_class_matching(name: str, matches: bool) -> None:
    options = Options.parse(dev_config_classes="Development*Config, Test*Config")
    assert options.is_dev_config_class(name) is matches


def test_dev_default_rules_are_registered_and_exclude_secrets() -> None:
    assert DEV_DEFAULT_RULES <= set(RULES)
    assert not DEV_DEFAULT_RULES & {"WEB000", "WEB101", "WEB102", "WEB103"}


# -- the option table: each kind, with synthetic entries ----------------------------------------

from flake8_webframework import options as options_module  # noqa: E402
from flake8_webframework.options import (  # noqa: E402
    BOOLEAN,
    CHOICE,
    LIST,
    OPTION_TABLE,
    PATH,
    OptionSpec,
)

TEST_FILES = OptionSpec("webframework-x-files", "x_files", LIST, "test file patterns",
                        default=("tests/*", "test_*.py"), valid_item=options_module._file_pattern,
                        invalid_item="is not a file pattern", metavar="<patterns>")
ROOTS = OptionSpec("webframework-x-roots", "x_roots", LIST, "project roots", metavar="<paths>")
INDEX = OptionSpec("webframework-x-index", "x_index", BOOLEAN, "index the project",
                   default=True, metavar="<on|off>")
SEVERITY = OptionSpec("webframework-x-severity", "x_severity", CHOICE, "lowest severity",
                      default="low", choices=("low", "medium", "high"), metavar="<level>")
BASELINE = OptionSpec("webframework-x-baseline", "x_baseline", PATH, "baseline file",
                      default=None, metavar="<file>")
SYNTHETIC = (TEST_FILES, ROOTS, INDEX, SEVERITY, BASELINE)


@pytest.mark.parametrize(
    ("spec", "raw", "value"),
    [
        (TEST_FILES, None, ("tests/*", "test_*.py")),  # not given: the default
        (TEST_FILES, "", ("tests/*", "test_*.py")),
        (TEST_FILES, [], ("tests/*", "test_*.py")),
        (TEST_FILES, "none", ()),  # a non-empty default is emptied by "none"
        (TEST_FILES, ["none"], ()),
        (TEST_FILES, "spec/*, none", ("spec/*", "none")),  # only "none" alone means empty
        (TEST_FILES, "spec/*\n  checks/*", ("spec/*", "checks/*")),
        (ROOTS, None, ()),
        (ROOTS, "none", ("none",)),  # an empty default has nothing to empty
        (ROOTS, ["src, lib", "tools"], ("src", "lib", "tools")),
        (INDEX, None, True),
        (INDEX, "off", False),
        (INDEX, " No ", False),
        (INDEX, "yes", True),
        (INDEX, "1", True),
        (INDEX, "false", False),
        (INDEX, False, False),
        (INDEX, ["on"], True),  # pylint may hand a one-item list
        (SEVERITY, None, "low"),
        (SEVERITY, "HIGH", "high"),
        (SEVERITY, " medium ", "medium"),
        (SEVERITY, ["medium"], "medium"),
        (BASELINE, None, None),
        (BASELINE, "", None),
        (BASELINE, "  reports/base line, v2.json ", "reports/base line, v2.json"),  # whole
        (BASELINE, ["base.json"], "base.json"),
    ],
)
def test_each_kind_parses(spec: OptionSpec, raw, value) -> None:
    assert spec.parse(raw) == value


@pytest.mark.parametrize(
    ("spec", "raw", "message"),
    [
        (TEST_FILES, "tests/*, /", "webframework-x-files: '/' is not a file pattern"),
        (INDEX, "maybe", "webframework-x-index: 'maybe' is not on or off"),
        (INDEX, "on off", "webframework-x-index: 'on off' is not one value"),
        (SEVERITY, "urgent", "webframework-x-severity: 'urgent' is not one of low, medium, high"),
        (SEVERITY, "low,high", "webframework-x-severity: 'low high' is not one value"),
        (BASELINE, "base\0.json", "webframework-x-baseline: 'base\\x00.json' is not a file path"),
        (BASELINE, ["a.json", "b.json"], "webframework-x-baseline: 'a.json b.json' is not one"),
    ],
)
def test_each_kind_rejects_bad_values(spec: OptionSpec, raw, message: str) -> None:
    with pytest.raises(OptionError) as raised:
        spec.parse(raw)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_help_shows_each_kind_of_default() -> None:
    assert TEST_FILES.help_with_default == "test file patterns (default: tests/*,test_*.py)"
    assert ROOTS.help_with_default == "project roots (default: none)"
    assert INDEX.help_with_default == "index the project (default: on)"
    assert SEVERITY.help_with_default == "lowest severity (default: low)"
    assert BASELINE.help_with_default == "baseline file (default: none)"


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
    monkeypatch.setattr(options_module, "OPTION_TABLE", OPTION_TABLE + (ROOTS,))
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
    from test_options import SYNTHETIC

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
