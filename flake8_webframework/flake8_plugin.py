"""The flake8 front-end: a tree plugin that yields the core's findings.

flake8 gives the parsed tree, the display file name (``--stdin-display-name`` in stdin
mode, so the file is never re-read) and the decoded lines, which turn ``ast``'s byte
columns into the character columns flake8 prints (1-based).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from . import __version__
from .core import check_tree
from .options import DEFAULT_OPTIONS, LIST, OPTION_TABLE, OptionError, Options

#: How each kind of option is registered: lists as flake8's comma-separated lists, every
#: other kind as one string that the core checks (so both tools reject a value alike).
_KIND_ARGUMENTS = {LIST: {"comma_separated_list": True, "default": ""}}


class WebFrameworkPlugin:
    name = "flake8-webframework"
    version = __version__
    options: Options = DEFAULT_OPTIONS

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = [line.rstrip("\r\n") for line in lines]

    @classmethod
    def add_options(cls, option_manager) -> None:
        for spec in OPTION_TABLE:
            option_manager.add_option(
                f"--{spec.name}",
                parse_from_config=True,
                metavar=spec.metavar,
                help=spec.help_with_default,
                **_KIND_ARGUMENTS.get(spec.kind, {"default": None}),
            )

    @classmethod
    def parse_options(cls, options) -> None:
        try:
            cls.options = Options.from_config(options)
        except OptionError as error:
            # exit 2 like flake8's own usage errors (1 means "findings")
            print(f"flake8-webframework: bad option value: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        for finding in check_tree(self.tree, self.filename, self.lines, self.options):
            yield finding.line, finding.col, finding.flake8_text(), type(self)
