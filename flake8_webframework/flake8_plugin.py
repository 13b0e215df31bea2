"""The flake8 front-end: a tree plugin that yields the core's findings.

flake8 gives the parsed tree, the display file name (``--stdin-display-name`` in stdin
mode, so the file is never re-read) and the decoded lines, which turn ``ast``'s byte
columns into the character columns flake8 prints (1-based).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from . import __version__
from .core import check_tree


class WebFrameworkPlugin:
    name = "flake8-webframework"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = [line.rstrip("\r\n") for line in lines]

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        for finding in check_tree(self.tree, self.filename, self.lines):
            yield finding.line, finding.col, finding.flake8_text(), type(self)
