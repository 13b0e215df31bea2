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
