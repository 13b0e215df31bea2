"""A pylint reporter that writes one SARIF 2.1.0 log (GitHub code scanning).

Use it by its class path (pylint imports it)::

    pylint --load-plugins=pylint_webframework \\
        --output-format=pylint_webframework.sarif.SarifReporter:pylint.sarif mypackage

(``FORMAT:FILE`` writes that format to a file; ``--output=FILE`` works too). Messages of
this plugin are reported under their ``WEB`` codes with the registry's metadata, exactly as
``flake8 --format=sarif`` reports them; every other pylint message is kept under its own
message id (``C0301``) with a minimal rule entry. The score and ``--reports`` are not
written: the output is one JSON document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pylint
from flake8_webframework.registry import RULES_BY_MSGID
from flake8_webframework.sarif import SarifLog
from pylint.reporters import BaseReporter

if TYPE_CHECKING:  # pragma: no cover
    from pylint.reporters.ureports.nodes import Section

#: The "files" pylint gives messages about its own command line and configuration.
CONFIGURATION_MODULES = frozenset({"", "Command line", "Command line or configuration file"})

#: pylint message category -> SARIF level.
CATEGORY_LEVELS = {
    "fatal": "error",
    "error": "error",
    "warning": "warning",
    "refactor": "note",
    "convention": "note",
    "info": "note",
}


class SarifReporter(BaseReporter):
    """Collects pylint's messages and writes them as one SARIF log at the end."""

    name = "sarif"
    extension = "sarif"

    def display_messages(self, layout: Section | None) -> None:
        log = SarifLog(host="pylint", host_version=pylint.__version__)
        for message in self.messages:
            rule = RULES_BY_MSGID.get(message.msg_id)
            level = CATEGORY_LEVELS.get(message.category, "warning")
            if rule is None and message.abspath in CONFIGURATION_MODULES:
                log.add_notification(message.msg_id, message.msg or "", level=level)
                continue
            column = message.column + 1 if message.column is not None else None
            end_column = message.end_column + 1 if message.end_column is not None else None
            path = message.abspath or message.path
            if rule is not None:
                log.add_result(
                    rule.code,
                    message.msg or "",
                    path,
                    message.line,
                    column,
                    message.end_line,
                    end_column,
                )
                continue
            log.add_rule(message.msg_id, name=message.symbol, level=level)
            log.add_result(
                message.msg_id,
                message.msg or "",
                path,
                message.line,
                column,
                message.end_line,
                end_column,
                level=level,
            )
        print(log.dumps(), file=self.out)

    def display_reports(self, layout: Section) -> None:
        """Not written: the output is one JSON document."""

    def _display(self, layout: Section) -> None:
        """Not written: the output is one JSON document."""
