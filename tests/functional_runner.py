"""Functional test machinery shared by ``tests/test_functional.py``.

Fixture files live in ``tests/fixtures/*.py`` (one flat folder, every basename unique:
pylint caches modules by name).  A line on which findings are expected ends with a
comment naming each finding's code and flake8's 1-based column of its start on that line::

    SECRET_KEY = "x"  # expect: WEB101:14
    app.config.update(SECRET_KEY="x", DEBUG=True)  # expect: WEB101:19 WEB201:35

Every other line must produce no finding.  This module parses those annotations, runs the
real command lines of both front-ends (``python -m flake8`` and ``python -m pylint``) as
subprocesses, runs the shared core directly, and normalises everything to comparable
records.  It uses only the standard library.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import tokenize
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "fixtures"

#: code -> (pylint msgid, pylint symbol) of the released rules, written by hand from the rule
#: catalogue (RULES.md) on purpose: an independent copy that the registry must agree with, so
#: a released identity cannot change by accident.  A new rule needs no entry here.  Also the
#: fallback mapping when the registry cannot be imported.
CATALOGUE = {
    "WEB000": ("W7500", "webframework-check-failed"),
    "WEB101": ("W7511", "hardcoded-secret-key"),
    "WEB102": ("W7512", "secret-key-literal-fallback"),
    "WEB201": ("W7521", "debug-enabled"),
    "WEB202": ("W7522", "debug-literal-fallback"),
    "WEB301": ("W7531", "template-from-string"),
    "WEB401": ("W7541", "pickle-cache-backend"),
    "WEB402": ("W7542", "session-pickle-store"),
    "WEB501": ("W7551", "fastapi-docs-exposed"),
    "WEB203": ("W7523", "werkzeug-debugger-exposed"),
    "WEB204": ("W7524", "allowed-hosts-wildcard"),
    "WEB205": ("W7525", "dev-server-public-bind"),
    "WEB504": ("W7554", "insecure-cookie-setting"),
    "WEB506": ("W7556", "transport-security-disabled"),
    "WEB601": ("W7561", "jwt-verification-disabled"),
    "WEB602": ("W7562", "pyramid-acl-allow-all"),
    "WEB603": ("W7563", "weak-password-hasher"),
    "WEB103": ("W7513", "hardcoded-password-setting"),
    "WEB302": ("W7532", "autoescape-disabled"),
    "WEB303": ("W7533", "mark-safe-untrusted"),
    "WEB304": ("W7534", "raw-sql-formatted"),
    "WEB403": ("W7543", "unsafe-deserialisation-in-view"),
    "WEB502": ("W7552", "csrf-protection-disabled"),
    "WEB503": ("W7553", "clickjacking-protection-disabled"),
    "WEB505": ("W7555", "cors-wildcard-credentials"),
}


def _release_codes() -> tuple[str, ...]:
    """The rules of this release, from the registry (WEB000 is tested elsewhere)."""
    try:
        from flake8_webframework.registry import RULES
    except ImportError:
        return tuple(sorted(code for code in CATALOGUE if code != "WEB000"))
    return tuple(code for code in RULES if code != "WEB000")


RELEASE_CODES = _release_codes()

SUBPROCESS_TIMEOUT = 900  # seconds; pylint over every fixture takes a few seconds

EXPECT_RE = re.compile(r"#\s*expect:(?P<body>.*)$")
EXPECT_TOKEN_RE = re.compile(r"(?P<code>WEB\d{3}):(?P<col>[1-9]\d*)")
FLAKE8_LINE_RE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ?(?P<message>.*)$"
)

#: (line, 1-based column, code): the unit of every comparison.
Key = tuple


class FixtureError(Exception):
    """A fixture's ``# expect:`` annotation is malformed."""


class ToolError(Exception):
    """A front-end did not run to completion (crash, usage error, unparsable output)."""


@dataclass(frozen=True, order=True)
class Record:
    """One finding as reported by a front-end or the core, normalised.

    ``col`` is 1-based (flake8's convention, the one the annotations use);
    ``end_line``/``end_col`` are as the tool reports them (``end_col`` 0-based, exclusive)
    or None when the tool does not report end positions (flake8).
    """

    line: int
    col: int
    code: str
    end_line: int | None = None
    end_col: int | None = None
    symbol: str | None = None
    message: str = ""

    @property
    def key(self) -> Key:
        return (self.line, self.col, self.code)


# --------------------------------------------------------------------------- fixtures


def fixture_paths() -> list[Path]:
    """Every fixture file, sorted by name."""
    return sorted(p for p in FIXTURES_DIR.glob("*.py") if p.is_file())


def expect_comments(path: Path) -> list[tuple[int, int, str]]:
    """(line, 0-based character column of the ``#``, comment text) of each expect comment.

    Comments are found with :mod:`tokenize`, so an ``# expect:`` inside a string literal
    is not mistaken for an annotation.
    """
    found = []
    with path.open("rb") as handle:
        tokens = list(tokenize.tokenize(handle.readline))
    for tok in tokens:
        if tok.type == tokenize.COMMENT and EXPECT_RE.search(tok.string):
            found.append((tok.start[0], tok.start[1], tok.string))
    return found


def parse_expectations(path: Path) -> set[Key]:
    """The set of (line, 1-based column, code) that the fixture's annotations expect."""
    expected: set[Key] = set()
    for line, _col, comment in expect_comments(path):
        body = EXPECT_RE.search(comment).group("body").strip()
        if not body:
            raise FixtureError(f"{path.name}:{line}: empty '# expect:' annotation")
        for token in body.split():
            match = EXPECT_TOKEN_RE.fullmatch(token)
            if match is None:
                raise FixtureError(
                    f"{path.name}:{line}: malformed expectation {token!r} "
                    "(want CODE:COLUMN, e.g. WEB101:14)"
                )
            key = (line, int(match.group("col")), match.group("code"))
            if key in expected:
                raise FixtureError(f"{path.name}:{line}: duplicate expectation {token!r}")
            expected.add(key)
    return expected


def source_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


# --------------------------------------------------------------------------- reporting


def _describe(key: Key, lines: list[str], extra: str = "") -> str:
    line, col, code = key
    text = lines[line - 1] if 0 < line <= len(lines) else "<no such line>"
    code_part = EXPECT_RE.split(text)[0].rstrip() if "# expect:" in text else text
    pointer = " " * (col - 1) + "^"
    detail = f"  {extra}" if extra else ""
    return (
        f"    {line}:{col} {code}{detail}\n"
        f"        | {code_part}\n"
        f"        | {pointer}"
    )


def describe_mismatch(
    path: Path,
    expected: Iterable[Key],
    actual: Iterable[Record] | Iterable[Key],
    what: str,
    expected_label: str = "expected by the '# expect:' annotations",
) -> str:
    """A readable account of missing and unexpected findings ('' when they agree)."""
    lines = source_lines(path)
    expected_set = set(expected)
    messages: dict[Key, str] = {}
    actual_keys: list[Key] = []
    for item in actual:
        if isinstance(item, Record):
            actual_keys.append(item.key)
            messages.setdefault(item.key, item.message)
        else:
            actual_keys.append(tuple(item))
    actual_counter = Counter(actual_keys)
    actual_set = set(actual_counter)
    missing = sorted(expected_set - actual_set)
    unexpected = sorted(actual_set - expected_set)
    duplicated = sorted(k for k, n in actual_counter.items() if n > 1)
    if not (missing or unexpected or duplicated):
        return ""
    parts = [f"{path.name}: {what} differ from the findings {expected_label}"]
    if missing:
        parts.append(f"  MISSING ({len(missing)}; expected, not reported):")
        parts.extend(_describe(k, lines) for k in missing)
    if unexpected:
        parts.append(f"  UNEXPECTED ({len(unexpected)}; reported, not expected):")
        parts.extend(_describe(k, lines, messages.get(k, "")) for k in unexpected)
    if duplicated:
        parts.append(f"  DUPLICATED ({len(duplicated)}; reported more than once):")
        parts.extend(
            _describe(k, lines, f"x{actual_counter[k]}") for k in duplicated
        )
    return "\n".join(parts)


# --------------------------------------------------------------------------- registry


def msgid_to_code() -> dict[str, str]:
    """pylint message id -> WEB code, from the registry when it can be imported."""
    try:
        from flake8_webframework.registry import RULES
    except ImportError:
        return {msgid: code for code, (msgid, _symbol) in CATALOGUE.items()}
    return {rule.msgid: code for code, rule in RULES.items()}


# --------------------------------------------------------------------------- tools


def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUTF8"] = "1"
    env.pop("PYTHONWARNINGS", None)
    return env


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd,
        cwd=str(cwd),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=SUBPROCESS_TIMEOUT,
        env=_subprocess_env(),
        stdin=subprocess.DEVNULL,
    )


def _tool_failure(name: str, proc: subprocess.CompletedProcess, why: str) -> ToolError:
    return ToolError(
        f"{name} {why} (exit code {proc.returncode})\n"
        f"command: {' '.join(proc.args)}\n"
        f"--- stdout ---\n{proc.stdout[-6000:]}\n"
        f"--- stderr ---\n{proc.stderr[-6000:]}"
    )


def flake8_command(names: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "flake8",
        "--isolated",
        "--select=WEB",
        "--format=default",
        *names,
    ]


def run_flake8(paths: list[Path]) -> dict[str, list[Record]]:
    """Run flake8 once over ``paths`` (files in FIXTURES_DIR); findings by basename.

    flake8 exits 1 when it reports findings, which is not a failure.  A crash (flake8
    also exits 1 then, with a traceback on stderr), another exit code or an output line
    that is not ``path:line:col: CODE message`` is.
    """
    names = [p.name for p in paths]
    proc = _run(flake8_command(names), FIXTURES_DIR)
    if proc.returncode not in (0, 1):
        raise _tool_failure("flake8", proc, "failed")
    if "Traceback (most recent call last)" in proc.stderr or "critical error" in proc.stderr:
        raise _tool_failure("flake8", proc, "crashed")
    results: dict[str, list[Record]] = {name: [] for name in names}
    for raw in proc.stdout.splitlines():
        if not raw.strip():
            continue
        match = FLAKE8_LINE_RE.match(raw)
        if match is None:
            raise _tool_failure("flake8", proc, f"printed an unparsable line {raw!r}")
        name = Path(match.group("path")).name
        if name not in results:
            raise _tool_failure("flake8", proc, f"reported an unknown file {name!r}")
        results[name].append(
            Record(
                line=int(match.group("line")),
                col=int(match.group("col")),
                code=match.group("code"),
                message=match.group("message"),
            )
        )
    if proc.returncode == 1 and not any(results.values()):
        raise _tool_failure("flake8", proc, "exited 1 without reporting a finding")
    return results


def pylint_command(names: list[str], rcfile: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pylint",
        # An empty rc file: the project's own pylint configuration must not leak in
        # (the counterpart of flake8's --isolated).
        f"--rcfile={rcfile}",
        "--load-plugins=pylint_webframework",
        "--disable=all",
        "--enable=webframework",
        "--output-format=json2",
        "--persistent=n",
        "--score=n",
        *names,
    ]


def run_pylint(paths: list[Path]) -> dict[str, list[Record]]:
    """Run pylint once over ``paths``; findings by basename.

    Messages of the plugin are mapped to WEB codes through their message id; any other
    message (``astroid-error`` when a checker raised, a fatal parse error, ...) is kept
    with its message id as the code, so that it shows up as an unexpected finding.
    pylint's exit status is a bit field; only fatal (1) and usage error (32) fail the run.
    """
    names = [p.name for p in paths]
    by_msgid = msgid_to_code()
    with tempfile.TemporaryDirectory(prefix="webframework-pylint-") as tmp:
        rcfile = os.path.join(tmp, "pylintrc")
        with open(rcfile, "w", encoding="utf-8") as handle:
            handle.write("[MAIN]\n")
        proc = _run(pylint_command(names, rcfile), FIXTURES_DIR)
    if proc.returncode & (1 | 32):
        raise _tool_failure("pylint", proc, "failed")
    try:
        payload = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise _tool_failure("pylint", proc, f"printed no JSON ({exc})") from None
    if not isinstance(payload, dict) or "messages" not in payload:
        raise _tool_failure("pylint", proc, "printed JSON without 'messages' (not json2?)")
    results: dict[str, list[Record]] = {name: [] for name in names}
    for msg in payload["messages"]:
        name = Path(msg.get("path") or msg.get("absolutePath") or "").name
        if name not in results:
            raise _tool_failure("pylint", proc, f"reported an unknown file {name!r}: {msg}")
        msgid = msg.get("messageId", "")
        code = by_msgid.get(msgid, msgid)
        results[name].append(
            Record(
                line=int(msg["line"]),
                col=int(msg["column"]) + 1,
                code=code,
                end_line=msg.get("endLine"),
                end_col=msg.get("endColumn"),
                symbol=msg.get("symbol"),
                message=msg.get("message", ""),
            )
        )
    return results


def run_core(path: Path, as_bytes: bool = False) -> list[Record]:
    """The shared core's findings on one fixture, in the order the core returns them."""
    from flake8_webframework import check_source

    source = path.read_bytes() if as_bytes else path.read_text(encoding="utf-8")
    findings = check_source(source, str(path))
    return [
        Record(
            line=f.line,
            col=f.col + 1,
            code=f.code,
            end_line=f.end_line,
            end_col=f.end_col,
            symbol=f.symbol,
            message=f.message,
        )
        for f in findings
    ]


def keys(records: Iterable[Record]) -> list[Key]:
    return [r.key for r in records]
