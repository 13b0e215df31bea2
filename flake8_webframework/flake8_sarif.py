"""flake8's ``--format=sarif``: one SARIF 2.1.0 log of every reported violation.

Registered in the ``flake8.report`` entry-point group. flake8 hands a formatter each
violation that survived ``select``/``ignore``/``noqa``; this one collects them and writes
the log when flake8 stops (to ``--output-file``, or to standard output; both with
``--tee``). The log holds every code, not only ``WEB``: ``flake8 --format=sarif`` reports
exactly what plain ``flake8`` would print.

flake8 passes no end position to formatters. For ``WEB`` violations the formatter runs the
core once more on each file that has any (the files are already in the page cache, and
only files with findings are re-read) and takes the end line and end column of the finding
at the same start, so the regions equal the pylint reporter's. ``--statistics`` and
``--benchmark`` are not written: their text would break the JSON.
"""

from __future__ import annotations

import os
from collections import defaultdict

import flake8
from flake8 import utils
from flake8.formatting.base import BaseFormatter
from flake8.violation import Violation

from .core import UnparsableSourceError, check_source
from .registry import RULES
from .sarif import SarifLog

#: flake8 codes that mean the file was not checked at all.
_ERROR_CODES = frozenset({"E902", "E999"})


class SarifFormatter(BaseFormatter):
    """``flake8 --format=sarif [--output-file=flake8.sarif]``."""

    def after_init(self) -> None:
        self._violations: list[Violation] = []

    def start(self) -> None:
        # BaseFormatter appends to --output-file; a log must replace an older one.
        if self.filename:
            dirname = os.path.dirname(os.path.abspath(self.filename))
            os.makedirs(dirname, exist_ok=True)
            self.output_fd = open(self.filename, "w", encoding="utf-8")

    def handle(self, error: Violation) -> None:
        self._violations.append(error)

    def format(self, error: Violation) -> str | None:
        """Unused: violations are collected by :meth:`handle` and written by :meth:`stop`."""
        return None

    def show_statistics(self, statistics) -> None:
        """Not written: the output is one JSON document."""

    def show_benchmarks(self, benchmarks) -> None:
        """Not written: the output is one JSON document."""

    def stop(self) -> None:
        log = SarifLog(host="flake8", host_version=flake8.__version__)
        ends = self._web_end_positions()
        for error in self._violations:
            level = "error" if error.code in _ERROR_CODES else None
            end_line = end_column = None
            if error.code in RULES:
                end_line, end_column = ends.get(
                    (error.filename, error.line_number, error.column_number, error.code),
                    (None, None),
                )
            log.add_result(
                error.code,
                error.text,
                error.filename,
                error.line_number,
                error.column_number,
                end_line,
                end_column,
                level=level,
            )
        self._write(log.dumps())
        super().stop()

    def _web_end_positions(self) -> dict[tuple[str, int, int, str], tuple[int, int]]:
        """(file, line, 1-based column, code) -> (end line, 1-based exclusive end column)."""
        by_file: dict[str, list[Violation]] = defaultdict(list)
        for error in self._violations:
            if error.code in RULES:
                by_file[error.filename].append(error)
        ends: dict[tuple[str, int, int, str], tuple[int, int]] = {}
        for filename in by_file:
            source = self._source(filename)
            if source is None:
                continue
            try:
                findings = check_source(source, filename, _plugin_options())
            except (UnparsableSourceError, ValueError, RecursionError):
                continue
            for finding in findings:
                key = (filename, finding.line, finding.col + 1, finding.code)
                ends.setdefault(key, (finding.end_line, finding.end_col + 1))
        return ends

    def _source(self, filename: str) -> str | bytes | None:
        options = self.options
        if utils.is_using_stdin(options.filenames) and filename == options.stdin_display_name:
            return utils.stdin_get_value()  # cached: flake8 read stdin in this process
        try:
            with open(filename, "rb") as stream:
                return stream.read()
        except OSError:
            return None


def _plugin_options():
    # The options flake8 parsed for the plugin in this (the main) process.
    from .flake8_plugin import WebFrameworkPlugin

    return WebFrameworkPlugin.options
