"""The example apps and examples/README.md must tell the same story.

examples/README.md lists every expected finding as a ``| `file:line` | code | what |``
table row (paths relative to ``examples/``). These tests run the shared core over every
``examples/**/*.py`` file and require exactly that set of (file, line, code), so neither the
examples nor the README can drift without the other. They also keep the README's totals and
the ``# WEBxxx`` marker comments in the examples in step with the findings.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

from flake8_webframework import check_source

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
README = EXAMPLES / "README.md"

# | `django_project/mysite/settings.py:10` | WEB101 | `SECRET_KEY` is a literal |
ROW = re.compile(r"^\|\s*`(?P<file>[^`:]+\.py):(?P<line>\d+)`\s*\|\s*(?P<code>WEB\d{3})\s*\|")
# | WEB101 | 6 |   (the Totals table)
TOTAL_ROW = re.compile(r"^\|\s*(?P<code>WEB\d{3})\s*\|\s*(?P<count>\d+)\b")
TOTAL_LINE = re.compile(r"Expected findings, (?P<count>\d+) in all")
# `# WEB101: hardcoded secret key` (a code right after the hash marks a finding on that line)
MARKER = re.compile(r"#\s*(WEB\d{3})\b")

Key = tuple[str, int, str]


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _example_files() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _readme_rows() -> list[Key]:
    rows = []
    for text in _readme().splitlines():
        match = ROW.match(text)
        if match:
            rows.append(("examples/" + match["file"], int(match["line"]), match["code"]))
    return rows


def _findings() -> set[Key]:
    found = set()
    for path in _example_files():
        rel = _rel(path)
        for finding in check_source(path.read_bytes(), rel):
            found.add((rel, finding.line, finding.code))
    return found


def test_readme_has_finding_rows():
    assert len(_readme_rows()) > 0, "no `file:line` | code rows found in examples/README.md"


def test_readme_rows_are_unique():
    duplicates = [key for key, n in collections.Counter(_readme_rows()).items() if n > 1]
    assert duplicates == []


def test_readme_rows_name_existing_files():
    missing = sorted({file for file, _, _ in _readme_rows() if not (ROOT / file).is_file()})
    assert missing == []


def test_readme_tables_match_findings():
    expected = set(_readme_rows())
    actual = _findings()
    assert sorted(actual - expected) == [], "findings missing from examples/README.md"
    assert sorted(expected - actual) == [], "README rows that the examples do not produce"


def test_no_webframework_failure_in_examples():
    assert [key for key in _findings() if key[2] == "WEB000"] == []


def test_readme_total_and_totals_table():
    text = _readme()
    rows = _readme_rows()
    total = TOTAL_LINE.search(text)
    assert total is not None, "the 'Expected findings, N in all' line is missing"
    assert int(total["count"]) == len(rows)

    totals_section = text.split("## Totals", 1)[1]
    matches = (TOTAL_ROW.match(text) for text in totals_section.splitlines())
    table = {m["code"]: int(m["count"]) for m in matches if m}
    per_code = collections.Counter(code for _, _, code in rows)
    assert table.pop("WEB000", 0) == 0
    assert table == dict(per_code)


def test_marker_comments_match_findings():
    """Each `# WEBxxx` comment sits on a line that has that finding, and vice versa."""
    markers = set()
    for path in _example_files():
        rel = _rel(path)
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for code in MARKER.findall(text):
                markers.add((rel, number, code))
    actual = _findings()
    assert sorted(markers - actual) == [], "marker comments without a finding"
    assert sorted(actual - markers) == [], "findings without a marker comment"


def test_example_module_names_are_unique():
    """pylint caches modules by name: a repeated basename hides one of the files."""
    names = collections.Counter(p.name for p in _example_files() if p.name != "__init__.py")
    assert [name for name, n in names.items() if n > 1] == []
