"""The pylint front-end: ``load-plugins = pylint_webframework``.

The checker parses each module's own source (``node.stream()``) with ``ast`` and reports
the shared core's findings with line, column, end line and end column, under the
``W75XY`` message ids and symbols of the rule registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sys

from flake8_webframework.core import UnparsableSourceError, check_source
from flake8_webframework.options import OPTION_HELP, OptionError, Options
from flake8_webframework.registry import RULES
from pylint.checkers import BaseRawFileChecker

if TYPE_CHECKING:  # pragma: no cover
    from astroid import nodes
    from pylint.lint import PyLinter


def _messages() -> dict:
    return {
        rule.msgid: (
            "%s",
            rule.symbol,
            f"{rule.summary} See {rule.help_url}",
        )
        for rule in RULES.values()
    }


class WebFrameworkChecker(BaseRawFileChecker):
    """Security mistakes specific to Django, Flask, FastAPI/Starlette and Pyramid."""

    name = "webframework"
    msgs = _messages()
    options = tuple(
        (
            name,
            {"default": (), "type": "csv", "metavar": "<patterns>", "help": OPTION_HELP[name]},
        )
        for name in OPTION_HELP
    )

    def open(self) -> None:
        self._options = _options(self.linter)

    def process_module(self, node: nodes.Module) -> None:
        try:
            with node.stream() as stream:
                source = stream.read()
        except (OSError, AttributeError, TypeError):
            return
        try:
            findings = check_source(source, node.file or node.name, self._options)
        except UnparsableSourceError:
            return  # pylint reports syntax errors itself
        for finding in findings:
            self.add_message(
                finding.msgid,
                line=finding.line,
                col_offset=finding.col,
                end_lineno=finding.end_line,
                end_col_offset=finding.end_col,
                args=(finding.message,),
            )


def _options(linter: PyLinter) -> Options:
    """The user's options; a bad value ends the run with one clear line (exit 32, pylint's
    usage-error status) instead of a traceback."""
    config = linter.config
    try:
        return Options.parse(
            secret_names=config.webframework_secret_names,
            settings_files=config.webframework_settings_files,
            dev_files=config.webframework_dev_files,
            dev_config_classes=config.webframework_dev_config_classes,
        )
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
    # Some pylint 4.0 releases call ``register`` twice in ``-j`` workers (once for the
    # pickled linter, once for ``load-plugins``); a second checker would double every
    # message.
    if any(isinstance(checker, WebFrameworkChecker) for checker in linter.get_checkers()):
        return
    linter.register_checker(WebFrameworkChecker(linter))
