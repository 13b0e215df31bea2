"""Findings and the conversion of ``ast`` positions to character columns."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .registry import RULES, Rule


@dataclass(frozen=True, order=True)
class Finding:
    """One reported mistake. Lines are 1-based; columns are 0-based *character* columns.

    ``end_col`` is exclusive. flake8 prints ``col + 1``; pylint shows ``col`` as is.
    """

    line: int
    col: int
    end_line: int
    end_col: int
    code: str
    message: str
    #: this finding's own severity: the rule's, or higher where the finding says why (a
    #: request-derived value); the message then ends with ``SEVERITY_MARK``
    severity: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", RULES[self.code].severity)

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def symbol(self) -> str:
        return RULES[self.code].symbol

    @property
    def msgid(self) -> str:
        return RULES[self.code].msgid

    def flake8_text(self) -> str:
        return f"{self.code} {self.message}"


class Span:
    """A source range that is not one ``ast`` node (a dict entry: from its key to its value)."""

    __slots__ = ("lineno", "col_offset", "end_lineno", "end_col_offset")

    def __init__(self, start: ast.AST, end: ast.AST) -> None:
        self.lineno = start.lineno
        self.col_offset = start.col_offset
        self.end_lineno = end.end_lineno
        self.end_col_offset = end.end_col_offset


class ColumnMap:
    """Turns ``ast``'s UTF-8 byte offsets into character offsets.

    ``lines`` are the decoded source lines as Python numbers them (split on ``\\n``,
    ``\\r\\n`` and ``\\r`` only). Without lines, offsets are passed through unchanged.
    """

    __slots__ = ("_lines", "_cache")

    def __init__(self, lines: list[str] | None) -> None:
        self._lines = lines
        self._cache: dict[int, str | None] = {}

    def _non_ascii_line(self, lineno: int) -> str | None:
        try:
            return self._cache[lineno]
        except KeyError:
            pass
        text = None
        if self._lines is not None and 0 < lineno <= len(self._lines):
            candidate = self._lines[lineno - 1]
            if not candidate.isascii():
                text = candidate
        self._cache[lineno] = text
        return text

    def char_col(self, lineno: int, byte_col: int) -> int:
        text = self._non_ascii_line(lineno)
        if text is None or byte_col <= 0:
            return byte_col
        prefix = text.encode("utf-8", "surrogatepass")[:byte_col]
        return len(prefix.decode("utf-8", "replace"))


def split_source_lines(source: str) -> list[str]:
    """Split as Python's tokenizer does: on ``\\r\\n``, ``\\r`` and ``\\n`` only."""
    return source.replace("\r\n", "\n").replace("\r", "\n").split("\n")


#: How a message says that its finding's severity is above its rule's (the tools' output
#: carries only the text, so SARIF levels and reports read it back: :func:`severity_of`).
SEVERITY_MARK = " (severity: {severity})"
SEVERITIES = ("low", "medium", "high")


def severity_of(code: str, message: str) -> str:
    """The severity of a finding from its code and message text (as the tools print it)."""
    for severity in SEVERITIES:
        if message.endswith(SEVERITY_MARK.format(severity=severity)):
            return severity
    rule = RULES.get(code)
    return rule.severity if rule is not None else ""


def make_finding(code: str, node, columns: ColumnMap, severity: str | None = None,
                 **fields: object) -> Finding:
    """A finding of rule ``code`` at ``node`` (an ``ast`` node or a :class:`Span`).
    ``severity`` raises the finding above its rule's severity (never lowers it)."""
    line = node.lineno
    end_line = getattr(node, "end_lineno", None) or line
    end_byte = getattr(node, "end_col_offset", None)
    col = columns.char_col(line, node.col_offset)
    end_col = columns.char_col(end_line, end_byte) if end_byte is not None else col
    rule = RULES[code]
    message = rule.format(**fields)
    if severity is not None and SEVERITIES.index(severity) > SEVERITIES.index(rule.severity):
        message += SEVERITY_MARK.format(severity=severity)
    else:
        severity = rule.severity
    return Finding(line, col, end_line, end_col, code, message, severity)
