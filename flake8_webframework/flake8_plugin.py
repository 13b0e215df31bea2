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
from .options import DEFAULT_OPTIONS, OPTION_HELP, OptionError, Options

#: flake8 option name -> keyword of :meth:`Options.parse`
_OPTIONS = {
    "webframework-secret-names": "secret_names",
    "webframework-settings-files": "settings_files",
    "webframework-dev-files": "dev_files",
    "webframework-dev-config-classes": "dev_config_classes",
}


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
        for name in _OPTIONS:
            option_manager.add_option(
                f"--{name}",
                default="",
                parse_from_config=True,
                comma_separated_list=True,
                help=OPTION_HELP[name] + " (default: none)",
            )

    @classmethod
    def parse_options(cls, options) -> None:
        values = {
            keyword: getattr(options, name.replace("-", "_"), None)
            for name, keyword in _OPTIONS.items()
        }
        try:
            cls.options = Options.parse(**values)
        except OptionError as error:
            # exit 2 like flake8's own usage errors (1 means "findings")
            print(f"flake8-webframework: bad option value: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        for finding in check_tree(self.tree, self.filename, self.lines, self.options):
            yield finding.line, finding.col, finding.flake8_text(), type(self)
