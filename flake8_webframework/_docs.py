"""The rule tables of the docs, generated from the registry.

``python -m flake8_webframework._docs`` rewrites, between their markers, the rule table of
``README.md``, the rule index of ``docs/rules/README.md`` and the table of development
defaults in ``docs/configuration.md``; ``--check`` only reports the files that are out of
date (exit 1). ``tests/test_docs.py`` runs the check, so a rule added to or removed from the
registry without regenerating the docs fails the suite. Run it from a source checkout.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from .registry import RULES, Rule

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = "python -m flake8_webframework._docs"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def readme_table(rules: Iterable[Rule]) -> list[str]:
    lines = ["| code | pylint | symbol | severity | what it flags |", "|---|---|---|---|---|"]
    for rule in rules:
        lines.append(
            f"| [{rule.code}](docs/rules/{rule.code}.md) | {rule.msgid} | {rule.symbol} "
            f"| {rule.severity} | {_cell(rule.summary)} |"
        )
    return lines


def rules_index(rules: Iterable[Rule]) -> list[str]:
    lines = ["| code | pylint | symbol | severity | CWE | summary |", "|---|---|---|---|---|---|"]
    for rule in rules:
        cwe = (
            f"[CWE-{rule.cwe}](https://cwe.mitre.org/data/definitions/{rule.cwe}.html)"
            if rule.cwe
            else "-"
        )
        lines.append(
            f"| [{rule.code}]({rule.code}.md) | {rule.msgid} | `{rule.symbol}` "
            f"| {rule.severity} | {cwe} | {_cell(rule.summary)} |"
        )
    return lines


def dev_defaults_table(rules: Iterable[Rule]) -> list[str]:
    lines = ["| code | symbol |", "|---|---|"]
    for rule in rules:
        if rule.dev_default:
            lines.append(f"| [{rule.code}](rules/{rule.code}.md) | {rule.symbol} |")
    return lines


#: (file relative to the checkout, marker name, table generator)
BLOCKS: tuple[tuple[str, str, Callable[[Iterable[Rule]], list[str]]], ...] = (
    ("README.md", "rules-table", readme_table),
    ("docs/rules/README.md", "rules-index", rules_index),
    ("docs/configuration.md", "dev-defaults", dev_defaults_table),
)


class MarkerError(ValueError):
    """A file lacks the start or end marker of a generated block."""


def replace_block(text: str, marker: str, lines: list[str]) -> str:
    """``text`` with the block between ``<!-- marker...-->`` and ``<!-- end marker -->``
    replaced by ``lines`` (and the start marker line by the canonical one)."""
    pattern = re.compile(
        rf"^<!-- {re.escape(marker)}\b[^\n]*-->\n.*?^<!-- end {re.escape(marker)} -->$",
        re.MULTILINE | re.DOTALL,
    )
    if len(pattern.findall(text)) != 1:
        raise MarkerError(f"expected one '<!-- {marker}' ... '<!-- end {marker} -->' block")
    block = "\n".join(
        [f"<!-- {marker}: generated from flake8_webframework/registry.py by {GENERATOR} -->",
         *lines, f"<!-- end {marker} -->"]
    )
    return pattern.sub(lambda _match: block, text)


def generated(root: Path = ROOT, rules: Iterable[Rule] | None = None) -> dict[Path, tuple[str, str]]:
    """path -> (text on disk, text as generated) of every file with a generated block."""
    rules = list(RULES.values() if rules is None else rules)
    files: dict[Path, tuple[str, str]] = {}
    for name, marker, table in BLOCKS:
        path = root / name
        current = files[path][1] if path in files else path.read_text(encoding="utf-8")
        on_disk = files[path][0] if path in files else current
        files[path] = (on_disk, replace_block(current, marker, table(rules)))
    return files


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    stale = []
    for path, (on_disk, wanted) in generated().items():
        if on_disk != wanted:
            stale.append(path)
            if not check:
                path.write_text(wanted, encoding="utf-8")
    for path in stale:
        print(f"{path.relative_to(ROOT)}: {'out of date' if check else 'rewritten'}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
