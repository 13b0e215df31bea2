"""Functional tests: every fixture in tests/fixtures through the core, flake8 and pylint.

Each front-end runs once over all fixtures (pylint starts are slow); the per-file tests
then compare its findings with the ``# expect:`` annotations, and with each other.
"""
from __future__ import annotations

import os
import sys

import pytest

from flake8_webframework.registry import RULES

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import functional_runner as fr  # noqa: E402

FIXTURES = fr.fixture_paths()
IDS = [p.name for p in FIXTURES]


@pytest.fixture(scope="module")
def flake8_results():
    return fr.run_flake8(FIXTURES)


@pytest.fixture(scope="module")
def pylint_results():
    return fr.run_pylint(FIXTURES)


# --------------------------------------------------------------------------- fixture format


def test_fixtures_exist():
    assert FIXTURES, f"no fixture files in {fr.FIXTURES_DIR}"
    assert len({p.name for p in FIXTURES}) == len(FIXTURES)


def test_every_release_rule_is_exercised():
    seen = set()
    for path in FIXTURES:
        seen.update(code for _line, _col, code in fr.parse_expectations(path))
    missing = sorted(set(fr.RELEASE_CODES) - seen)
    assert not missing, f"no fixture expects a finding of {missing}"


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_fixture_annotations_are_well_formed(path):
    """Each annotated column points at code on its line, before the comment itself."""
    expected = fr.parse_expectations(path)
    lines = fr.source_lines(path)
    comment_col = {line: col for line, col, _text in fr.expect_comments(path)}
    problems = []
    for line, col, code in sorted(expected):
        text = lines[line - 1]
        if col - 1 >= comment_col[line]:
            problems.append(f"{line}:{col} {code}: column is inside the annotation comment")
        elif text[col - 1].isspace():
            problems.append(f"{line}:{col} {code}: column points at white space")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------- the core


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_core_findings(path):
    expected = fr.parse_expectations(path)
    records = fr.run_core(path)
    report = fr.describe_mismatch(path, expected, records, "check_source findings")
    assert not report, report


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_core_findings_are_sorted_unique_and_well_formed(path):
    records = fr.run_core(path)
    order = [(r.line, r.col, r.code) for r in records]
    assert order == sorted(order), f"{path.name}: findings are not sorted: {order}"
    assert len(order) == len(set(order)), f"{path.name}: duplicate findings: {order}"
    known = {code: (rule.msgid, rule.symbol) for code, rule in RULES.items()}
    for r in records:
        where = f"{path.name}:{r.line}:{r.col} {r.code}"
        assert r.code in known, f"{where}: unknown code"
        assert r.symbol == known[r.code][1], f"{where}: symbol {r.symbol!r}"
        assert r.message and not r.message.startswith(r.code), f"{where}: message {r.message!r}"
        assert r.end_line is not None and r.end_col is not None, f"{where}: no end position"
        assert (r.end_line, r.end_col) >= (r.line, r.col - 1), f"{where}: end before start"


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_core_bytes_and_str_sources_agree(path):
    """Columns are character columns whether the source arrives as str or bytes."""
    from_str = fr.run_core(path)
    from_bytes = fr.run_core(path, as_bytes=True)
    assert from_bytes == from_str


# --------------------------------------------------------------------------- front-ends


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_flake8(path, flake8_results):
    expected = fr.parse_expectations(path)
    report = fr.describe_mismatch(path, expected, flake8_results[path.name], "flake8 findings")
    assert not report, report


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_pylint(path, pylint_results):
    expected = fr.parse_expectations(path)
    report = fr.describe_mismatch(path, expected, pylint_results[path.name], "pylint findings")
    assert not report, report


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_frontends_report_identical_findings(path, flake8_results, pylint_results):
    flake8_keys = fr.keys(flake8_results[path.name])
    report = fr.describe_mismatch(
        path,
        flake8_keys,
        pylint_results[path.name],
        "pylint findings",
        expected_label="flake8 reports (MISSING = flake8 only, UNEXPECTED = pylint only)",
    )
    assert not report, report


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_pylint_positions_symbols_and_messages_match_core(path, pylint_results):
    core = sorted(
        (r.line, r.col, r.end_line, r.end_col, r.code, r.symbol, r.message)
        for r in fr.run_core(path)
    )
    pylint = sorted(
        (r.line, r.col, r.end_line, r.end_col, r.code, r.symbol, r.message)
        for r in pylint_results[path.name]
    )
    only_core = [item for item in core if item not in pylint]
    only_pylint = [item for item in pylint if item not in core]
    assert not (only_core or only_pylint), (
        f"{path.name}: (line, col1, end_line, end_col, code, symbol, message) differ\n"
        f"  core only:   {only_core}\n  pylint only: {only_pylint}"
    )


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_flake8_messages_match_core(path, flake8_results):
    core = sorted((r.line, r.col, r.code, r.message) for r in fr.run_core(path))
    flake8 = sorted((r.line, r.col, r.code, r.message) for r in flake8_results[path.name])
    only_core = [item for item in core if item not in flake8]
    only_flake8 = [item for item in flake8 if item not in core]
    assert not (only_core or only_flake8), (
        f"{path.name}: (line, col1, code, message) differ\n"
        f"  core only:   {only_core}\n  flake8 only: {only_flake8}"
    )


# --------------------------------------------------------------------------- registry, messages


def test_registry_codes_msgids_and_symbols():
    # every released identity is still in the registry, unchanged (never renumbered)
    for code, (msgid, symbol) in fr.CATALOGUE.items():
        assert code in RULES, f"{code} missing from the registry"
        assert (RULES[code].msgid, RULES[code].symbol) == (msgid, symbol), code


def test_release_codes_are_the_registry_rules():
    assert fr.RELEASE_CODES == tuple(code for code in sorted(RULES) if code != "WEB000")


def _only_finding(source):
    from flake8_webframework import check_source

    findings = [f for f in check_source(source, "web501_messages.py") if f.code == "WEB501"]
    assert len(findings) == 1, findings
    return findings[0].message


def test_web501_message_names_what_stays_exposed():
    docs_off = _only_finding("from fastapi import FastAPI\napp = FastAPI(docs_url=None)\n")
    assert "/redoc" in docs_off, docs_off
    redoc_off = _only_finding("from fastapi import FastAPI\napp = FastAPI(redoc_url=None)\n")
    assert "/docs" in redoc_off, redoc_off
    everything = _only_finding("from fastapi import FastAPI\napp = FastAPI()\n")
    assert "/docs" in everything and "/redoc" in everything, everything
