"""The pylint front-end: ``load-plugins = pylint_webframework``.

The core's findings of each module's own source (``node.stream()``), with end positions,
under the registry's message ids and symbols. Pylint wants one id base per checker, so each
base (``W75..``, ``W76..``) has a checker named ``webframework``; the first has the options.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from flake8_webframework.core import UnparsableSourceError, check_source
from flake8_webframework.options import LIST, OPTION_TABLE, OptionError, Options
from flake8_webframework.registry import RULES, rules_by_pylint_base
from pylint.checkers import BaseRawFileChecker

if TYPE_CHECKING:  # pragma: no cover
    from astroid import nodes
    from pylint.lint import PyLinter

#: Lists are pylint csv; other kinds one string the core checks, as flake8 does.
_KIND_ARGUMENTS = {LIST: {"type": "csv", "default": ()}}
OPTIONS = tuple((spec.name, {**_KIND_ARGUMENTS.get(spec.kind, {"type": "string", "default": None}),
                             "metavar": spec.metavar, "help": spec.help}) for spec in OPTION_TABLE)
_analysed: list = [None, ()]  # the module last analysed and its findings


class WebFrameworkChecker(BaseRawFileChecker):
    """Security mistakes specific to Django, Flask, FastAPI/Starlette and Pyramid."""

    name = "webframework"

    def open(self) -> None:
        self._options = _options(self.linter)

    def process_module(self, node: nodes.Module) -> None:
        if _analysed[0] is not node:  # the first checker analyses, each reports its share
            _analysed[:] = [node, _findings(node, self._options)]
        for finding in _analysed[1]:
            if finding.msgid in self.msgs:
                self.add_message(finding.msgid, line=finding.line, col_offset=finding.col,
                                 end_lineno=finding.end_line, end_col_offset=finding.end_col,
                                 args=(finding.message,))


def checker_classes(rules) -> tuple[type[WebFrameworkChecker], ...]:
    """One checker class per pylint id base of ``rules``; the first also has the options."""
    return tuple(type(f"WebFrameworkChecker{base}", (WebFrameworkChecker,), {
        "msgs": {rule.msgid: ("%s", rule.symbol, f"{rule.summary} See {rule.help_url}")
                 for rule in members},
        "options": OPTIONS if index == 0 else (),
    }) for index, (base, members) in enumerate(rules_by_pylint_base(rules).items()))


CHECKERS = checker_classes(RULES.values())


def _findings(node: nodes.Module, options: Options) -> list:
    try:
        with node.stream() as stream:
            source = stream.read()
    except (OSError, AttributeError, TypeError):
        return []
    try:
        return check_source(source, node.file or node.name, options)
    except UnparsableSourceError:
        return []  # pylint reports syntax errors itself


def _options(linter: PyLinter) -> Options:
    """The user's options; a bad value: one clear line, exit 32 (pylint's usage error)."""
    try:
        return Options.from_config(linter.config)
    except OptionError as error:
        print(f"pylint-webframework: bad option value: {error}", file=sys.stderr)
        sys.exit(32)


def load_configuration(linter: PyLinter) -> None:
    """pylint calls this once in the main process, before any ``-j`` worker starts: a bad
    option value is reported once, not once per worker."""
    _options(linter)


def register(linter: PyLinter) -> None:
    from pylint_webframework.sarif import SarifReporter

    linter.register_reporter(SarifReporter)  # --output-format=sarif[:FILE]
    # Some pylint 4.0 releases call ``register`` twice in ``-j`` workers (pickled linter,
    # then ``load-plugins``); a second set of checkers would double every message.
    if any(isinstance(checker, WebFrameworkChecker) for checker in linter.get_checkers()):
        return
    for checker_class in CHECKERS:
        linter.register_checker(checker_class(linter))
