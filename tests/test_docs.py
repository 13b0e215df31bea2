"""The README's rule table and the rule pages must match the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flake8_webframework.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
PAGE_SECTIONS = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## Known limits",
    "## References",
]


def readme_table() -> dict[str, list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- rules-table")[1].split("<!-- end rules-table -->")[0]
    rows = {}
    for line in block.splitlines():
        match = re.match(r"\| \[(WEB\d{3})\]\(docs/rules/\1\.md\) \|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def test_readme_table_lists_every_rule_as_registered() -> None:
    rows = readme_table()
    assert sorted(rows) == sorted(RULES)
    for code, rule in RULES.items():
        assert rows[code] == [rule.msgid, rule.symbol, rule.severity, rule.summary], code


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_a_complete_page(code: str) -> None:
    page = ROOT / "docs" / "rules" / f"{code}.md"
    assert page.is_file(), f"missing {page}"
    text = page.read_text(encoding="utf-8")
    rule = RULES[code]
    assert text.startswith(f"# {code} {rule.symbol}"), "title must be '# CODE symbol'"
    assert rule.msgid in text
    positions = [text.find(section) for section in PAGE_SECTIONS]
    assert all(position >= 0 for position in positions), dict(zip(PAGE_SECTIONS, positions))
    assert positions == sorted(positions), "sections out of order"
    if rule.cwe:
        assert f"CWE-{rule.cwe}" in text


def test_help_urls_point_at_the_pages() -> None:
    for code, rule in RULES.items():
        assert rule.help_url.endswith(f"docs/rules/{code}.md")
