"""Running the checks over one file: ``check_tree`` and ``check_source``.

Failure containment (WEB000): if a check raises - ``RecursionError`` and ``MemoryError``
included - its findings for the file are dropped and one WEB000 at 1:0 names the check and
the exception type; the other checks still report. If the shared analysis (the walk, name
resolution, the value analysis, lookups, settings detection) raises, one WEB000 names the
core and the file gets no other finding. Nothing escapes to flake8 or pylint.
"""

from __future__ import annotations

import ast
import io
import os
import tokenize

from .checks import Check, all_checks
from .context import FileContext
from .findings import ColumnMap, Finding, make_finding, split_source_lines

#: The checks that run, in order. Tests may replace entries to inject failures.
CHECKS: list[Check] = all_checks()

CORE_NAME = "core"
_HERE = os.path.dirname(os.path.abspath(__file__))
_CHECKS_DIR = os.path.join(_HERE, "checks")


class UnparsableSourceError(ValueError):
    """``check_source`` was given source that ``ast.parse`` cannot turn into a tree."""


class _FileStart:
    lineno = 1
    col_offset = 0
    end_lineno = 1
    end_col_offset = 0


def _failure(check_name: str, error: BaseException) -> Finding:
    return make_finding(
        "WEB000", _FileStart, ColumnMap(None), check=check_name, exception=type(error).__name__
    )


def _raised_in_core(error: BaseException) -> bool:
    """Whether the innermost frame of ``error`` is shared core code (not a check module)."""
    traceback = error.__traceback__
    filename = None
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        traceback = traceback.tb_next
    if filename is None:
        return False
    directory = os.path.dirname(os.path.abspath(filename))
    return directory == _HERE


def _finish(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings))


def check_tree(tree: ast.AST, filename: str = "<unknown>", lines: list[str] | None = None) -> list[Finding]:
    """Run every check over a parsed module.

    ``filename`` drives the file-name heuristics (``settings*.py`` ...). ``lines`` (the
    decoded source lines) turn ``ast``'s UTF-8 byte columns into character columns; without
    them, columns on non-ASCII lines stay byte offsets.
    """
    try:
        ctx = FileContext(tree, filename, lines)
    except (Exception, RecursionError, MemoryError) as error:  # noqa: BLE001
        return [_failure(CORE_NAME, error)]
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            found = list(check.run(ctx))
        except (Exception, RecursionError, MemoryError) as error:  # noqa: BLE001
            if _raised_in_core(error):
                return [_failure(CORE_NAME, error)]
            findings.append(_failure(check.name, error))
            continue
        findings.extend(found)
    return _finish(findings)


def decode_source(source: bytes) -> str:
    """Decode bytes as Python does: BOM, then a coding cookie, else UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def check_source(source: str | bytes, filename: str = "<unknown>") -> list[Finding]:
    """Parse ``source`` and run every check. Raises :class:`UnparsableSourceError` when the
    source cannot be decoded or parsed (syntax errors, NUL bytes, nesting too deep for the
    parser); the checks themselves never raise (see WEB000)."""
    try:
        text = decode_source(source) if isinstance(source, bytes) else source
        tree = ast.parse(text, filename=filename)
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError) as error:
        raise UnparsableSourceError(f"{filename}: {type(error).__name__}: {error}") from error
    except (RecursionError, MemoryError) as error:
        raise UnparsableSourceError(
            f"{filename}: too deeply nested for Python's parser ({type(error).__name__})"
        ) from error
    return check_tree(tree, filename, split_source_lines(text))
