"""SARIF 2.1.0 logs for GitHub code scanning, with rule metadata from the registry.

Standard library only. The flake8 formatter (``flake8 --format=sarif``) and the pylint
reporter (``pylint --output-format=pylint_webframework.sarif.SarifReporter``) both feed a
:class:`SarifLog` and write one log with every result at the end of the run::

    log = SarifLog(host="flake8", host_version="7.1.0")
    log.add_result("WEB101", "hardcoded SECRET_KEY; ...", "mysite/settings.py",
                   line=2, column=14, end_line=2, end_column=28)
    text = log.dumps()

Every rule of the registry is listed in ``tool.driver.rules`` (same order, same metadata from
both tools), with its summary, help URL, CWE tag and GitHub's numeric ``security-severity``.
Findings of other checks (``E501``, pylint's own ``C0301``) are kept too, under minimal rule
entries appended after the registry's rules.

Positions follow SARIF: lines and columns are 1-based and columns count characters
(``run.columnKind`` is ``unicodeCodePoints``); ``endColumn`` is the column just after the
last character of the region. Paths are written relative to the current directory with
``/`` separators under ``uriBaseId`` ``%SRCROOT%`` (the directory is given as
``originalUriBaseIds``); a path outside it is written as an absolute ``file:`` URI.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path, PurePath

from . import __version__
from .findings import severity_of
from .registry import RULES, Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "flake8-webframework"
INFORMATION_URI = "https://github.com/flake8-webframework/flake8-webframework"
SRCROOT = "%SRCROOT%"

#: registry severity -> SARIF ``level`` (the rule's ``defaultConfiguration.level``).
LEVELS = {"high": "error", "medium": "warning", "low": "note"}

#: registry severity -> GitHub's ``security-severity`` score (0.1-3.9 low, 4.0-6.9 medium,
#: 7.0-8.9 high, 9.0+ critical). No rule is "critical": they flag configurations and risky
#: calls, not proven exploits, so high stays inside GitHub's high band.
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.5", "low": "3.0"}

#: Rules that are not security findings (no ``security`` tag, no ``security-severity``).
NON_SECURITY_RULES = frozenset({"WEB000"})

_VALID_LEVELS = frozenset({"none", "note", "warning", "error"})


def rule_descriptor(rule: Rule) -> dict:
    """The SARIF ``reportingDescriptor`` of one registry rule."""
    level = LEVELS[rule.severity]
    properties: dict = {"pylint-msgid": rule.msgid, "severity": rule.severity}
    tags: list[str] = []
    if rule.code not in NON_SECURITY_RULES:
        tags.append("security")
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    else:
        tags.append("reliability")
    if rule.cwe is not None:
        tags.append(f"external/cwe/cwe-{rule.cwe}")
    properties["tags"] = tags
    cwe = f" (CWE-{rule.cwe})" if rule.cwe is not None else ""
    return {
        "id": rule.code,
        "name": rule.symbol,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary}{cwe}"},
        "helpUri": rule.help_url,
        "help": {
            "text": f"{rule.summary} See {rule.help_url}",
            "markdown": f"{rule.summary}{cwe} See [{rule.code}]({rule.help_url}).",
        },
        "defaultConfiguration": {"level": level},
        "properties": properties,
    }


def level_of(rule_id: str) -> str | None:
    """The SARIF level of a registry rule, or ``None`` for another check's code."""
    rule = RULES.get(rule_id)
    return LEVELS[rule.severity] if rule is not None else None


def artifact_location(path: str | os.PathLike, cwd: str | os.PathLike | None = None) -> dict:
    """``artifactLocation`` of ``path``: relative to ``cwd`` under ``%SRCROOT%`` if inside it."""
    base = Path(cwd if cwd is not None else os.getcwd()).absolute()
    raw = os.fspath(path)
    absolute = Path(os.path.normpath(base / raw))
    try:
        relative = absolute.relative_to(base)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": _quote(PurePath(relative).as_posix()), "uriBaseId": SRCROOT}


def _quote(posix_path: str) -> str:
    # Percent-encode everything but "/" and the unreserved characters: a ":" in the first
    # segment would otherwise read as a URI scheme, and "%", "#", "?" and spaces as syntax.
    return urllib.parse.quote(posix_path, safe="/")


@dataclass(frozen=True)
class _Result:
    rule_id: str
    message: str
    location: tuple[tuple[str, str], ...]
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None
    level: str

    def sort_key(self) -> tuple:
        uri = dict(self.location)["uri"]
        return (uri, self.line or 0, self.column or 0, self.rule_id, self.message)


class SarifLog:
    """Collects results and writes one SARIF 2.1.0 log with one run.

    ``host`` / ``host_version`` name the program that ran the checks (flake8, pylint); the
    tool component is always ``flake8-webframework``, whose rules come from the registry.
    """

    def __init__(
        self,
        host: str,
        host_version: str,
        cwd: str | os.PathLike | None = None,
    ) -> None:
        self.host = host
        self.host_version = host_version
        self.cwd = Path(cwd if cwd is not None else os.getcwd()).absolute()
        self._results: list[_Result] = []
        #: rule id -> descriptor of a rule outside the registry.
        self._foreign: dict[str, dict] = {}
        self._notifications: list[dict] = []

    def add_rule(
        self,
        rule_id: str,
        *,
        name: str | None = None,
        level: str = "warning",
        description: str | None = None,
        help_uri: str | None = None,
    ) -> None:
        """Describe a rule outside the registry (another plugin's, pylint's own)."""
        if rule_id in RULES or rule_id in self._foreign:
            return
        descriptor: dict = {"id": rule_id}
        if name:
            descriptor["name"] = name
        if description:
            descriptor["shortDescription"] = {"text": description}
        if help_uri:
            descriptor["helpUri"] = help_uri
        descriptor["defaultConfiguration"] = {"level": _checked_level(level)}
        self._foreign[rule_id] = descriptor

    def add_result(
        self,
        rule_id: str,
        message: str,
        path: str | os.PathLike,
        line: int | None,
        column: int | None = None,
        end_line: int | None = None,
        end_column: int | None = None,
        *,
        level: str | None = None,
    ) -> None:
        """Add one result. Lines and columns are SARIF's: 1-based, ``end_column`` exclusive.

        A line below 1 (a file that could not be read) drops the region; a column below 1
        drops the columns. A rule id outside the registry gets a minimal rule entry.
        """
        if rule_id not in RULES:
            self.add_rule(rule_id, level=level or "warning")
        if level is None:
            level = (LEVELS.get(severity_of(rule_id, message)) if rule_id in RULES else None) or (
                self._foreign[rule_id]["defaultConfiguration"]["level"]
            )
        if not line or line < 1:
            line = column = end_line = end_column = None
        if column is not None and column < 1:
            column = end_column = None
        if end_line is not None and (end_line < line):
            end_line = end_column = None
        if end_column is not None and (
            column is None or (end_line in (None, line) and end_column < column)
        ):
            end_column = None
        self._results.append(
            _Result(
                rule_id=rule_id,
                message=message,
                location=tuple(artifact_location(path, self.cwd).items()),
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                level=_checked_level(level),
            )
        )

    def add_notification(self, rule_id: str, message: str, *, level: str = "warning") -> None:
        """A message about the tool's configuration, tied to no file (pylint's
        ``unknown-option-value`` on the command line): kept in
        ``invocations[0].toolConfigurationNotifications``, not as a result."""
        self._notifications.append(
            {
                "descriptor": {"id": rule_id},
                "message": {"text": message},
                "level": _checked_level(level),
            }
        )

    # -- output ----------------------------------------------------------------------------

    def rules(self) -> list[dict]:
        registry = [rule_descriptor(rule) for rule in RULES.values()]
        return registry + [self._foreign[key] for key in sorted(self._foreign)]

    def to_dict(self) -> dict:
        rules = self.rules()
        index = {rule["id"]: position for position, rule in enumerate(rules)}
        results = [
            self._result_dict(result, index[result.rule_id])
            for result in sorted(self._results, key=_Result.sort_key)
        ]
        run: dict = {
            "tool": {
                "driver": {
                    "name": TOOL_NAME,
                    "fullName": f"{TOOL_NAME} {__version__} ({self.host} {self.host_version})",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                    "properties": {"host": self.host, "hostVersion": self.host_version},
                }
            },
            "originalUriBaseIds": {SRCROOT: {"uri": self.cwd.as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }
        if self._notifications:
            run["invocations"] = [
                {
                    "executionSuccessful": True,
                    "toolConfigurationNotifications": list(self._notifications),
                }
            ]
        return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}

    def dumps(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @staticmethod
    def _result_dict(result: _Result, rule_index: int) -> dict:
        physical: dict = {"artifactLocation": dict(result.location)}
        if result.line is not None:
            region: dict = {"startLine": result.line}
            if result.column is not None:
                region["startColumn"] = result.column
            if result.end_line is not None:
                region["endLine"] = result.end_line
            if result.end_column is not None:
                region["endColumn"] = result.end_column
            physical["region"] = region
        return {
            "ruleId": result.rule_id,
            "ruleIndex": rule_index,
            "level": result.level,
            "message": {"text": result.message},
            "locations": [{"physicalLocation": physical}],
        }


def _checked_level(level: str) -> str:
    if level not in _VALID_LEVELS:
        raise ValueError(f"not a SARIF level: {level!r}")
    return level
