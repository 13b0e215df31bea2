"""Running the checks over one file: ``check_tree`` and ``check_source``.

Failure containment (WEB000): if a check raises - ``RecursionError`` and ``MemoryError``
included - its findings for the file are dropped and one WEB000 at 1:0 names the check and
the exception type; the other checks still report. A check that reports a code the registry
does not give it (``Rule.check``) is treated the same way, so policies keyed on a check's
codes (development defaults) can rely on them. If the shared analysis (the walk, name
resolution, the value analysis, lookups, settings detection) raises, one WEB000 names the
core and the file gets no other finding. Nothing escapes to flake8 or pylint.
"""

from __future__ import annotations

import ast
import io
import os
import sys
import tokenize
from contextlib import contextmanager

from .checks import Check, all_checks
from .context import FileContext
from .findings import ColumnMap, Finding, make_finding, split_source_lines
from .options import DEFAULT_OPTIONS, Options
from .registry import CORE_CHECK, DEV_DEFAULT_CODES
from .summaries import install_summariser, settings_across_modules

#: The checks that run, in order. Tests may replace entries to inject failures.
CHECKS: list[Check] = all_checks()

CORE_NAME = CORE_CHECK
_HERE = os.path.dirname(os.path.abspath(__file__))
_CHECKS_DIR = os.path.join(_HERE, "checks")


class UnparsableSourceError(ValueError):
    """``check_source`` was given source that ``ast.parse`` cannot turn into a tree."""


class _FileStart:
    lineno = 1
    col_offset = 0
    end_lineno = 1
    end_col_offset = 0


def _failure(check_name: str, error: BaseException | str) -> Finding:
    """WEB000 for a check: ``error`` is the exception it raised, or what else it did wrong."""
    cause = error if isinstance(error, str) else type(error).__name__
    return make_finding("WEB000", _FileStart, ColumnMap(None), check=check_name, exception=cause)


def _misreported(found: list, codes: tuple[str, ...]) -> str | None:
    """What is wrong with a check's results, if anything: a result that is no
    :class:`Finding`, or a code the check does not declare."""
    for finding in found:
        if not isinstance(finding, Finding):
            return f"a result of type {type(finding).__name__}"
        if finding.code not in codes:
            return f"the undeclared code {finding.code}"
    return None


def _raised_in_core(error: BaseException) -> bool:
    """Whether ``error`` came out of shared core code that a check called (resolver, value
    analysis, lookups, settings), rather than from the check's own code."""
    traceback = error.__traceback__
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if os.path.dirname(os.path.abspath(filename)) == _HERE and not filename.endswith(
            os.sep + "core.py"
        ):
            return True
        traceback = traceback.tb_next
    return False


def _finish(findings: list[Finding]) -> list[Finding]:
    """Sorted, one finding per code and range (a secret reached twice is reported once)."""
    unique: dict[tuple, Finding] = {}
    for finding in sorted(findings):
        key = (finding.line, finding.col, finding.end_line, finding.end_col, finding.code)
        unique.setdefault(key, finding)
    return list(unique.values())


def check_tree(
    tree: ast.AST,
    filename: str = "<unknown>",
    lines: list[str] | None = None,
    options: Options | None = None,
) -> list[Finding]:
    """Run every check over a parsed module.

    ``filename`` drives the file-name heuristics (``settings*.py`` ...). ``lines`` (the
    decoded source lines) turn ``ast``'s UTF-8 byte columns into character columns; without
    them, columns on non-ASCII lines stay byte offsets. ``options`` are the user's
    :class:`~flake8_webframework.options.Options`.
    """
    options = options or DEFAULT_OPTIONS
    if options.dev_files and options.is_dev_file(filename):
        silenced = DEV_DEFAULT_CODES
    else:
        silenced = frozenset()
    try:
        ctx = FileContext(tree, filename, lines, options)
    except (Exception, RecursionError, MemoryError) as error:  # noqa: BLE001
        return [_failure(CORE_NAME, error)]
    findings, core_failed = run_checks(ctx, silenced)
    if core_failed:
        return findings
    if options.project_index and (
        ctx.settings.is_settings_module() or ctx.settings.config_classes()
    ) and ctx.project is not None:
        try:
            findings = settings_across_modules(ctx, findings)
        except (Exception, RecursionError, MemoryError) as error:  # noqa: BLE001
            findings.append(_failure("project", error))
    if options.dev_config_classes:
        findings = _drop_dev_class_findings(ctx, findings)
    return _finish(findings)


def run_checks(
    ctx: FileContext, silenced: frozenset = frozenset()
) -> tuple[list[Finding], bool]:
    """Every check over one file's context, and whether the shared core failed (then the
    findings are the single WEB000 naming the core)."""
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            found = list(check.run(ctx))
        except (Exception, RecursionError, MemoryError) as error:  # noqa: BLE001
            if _raised_in_core(error):
                return [_failure(CORE_NAME, error)], True
            findings.append(_failure(check.name, error))
            continue
        wrong = _misreported(found, check.codes)
        if wrong is not None:
            findings.append(_failure(check.name, wrong))
            continue
        if silenced and not silenced.isdisjoint(check.codes):
            found = [finding for finding in found if finding.code not in silenced]
        findings.extend(found)
    return findings, False


def _drop_dev_class_findings(ctx: FileContext, findings: list[Finding]) -> list[Finding]:
    """Development defaults inside a development-only config class are not reported."""
    ranges = [
        (node.lineno, node.end_lineno or node.lineno)
        for node, _ in ctx.nodes(ast.ClassDef)
        if ctx.options.is_dev_config_class(node.name)
    ]
    if not ranges:
        return findings
    return [
        finding
        for finding in findings
        if finding.code not in DEV_DEFAULT_CODES
        or not any(start <= finding.line <= end for start, end in ranges)
    ]


def decode_source(source: bytes) -> str:
    """Decode bytes as Python does: BOM, then a coding cookie, else UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


@contextmanager
def _parser_headroom():
    """Give ``ast.parse`` the same nesting headroom however deep the caller's stack is.

    CPython 3.10/3.11 bound the tree conversion by the recursion limit minus the frames
    already in use, so a tree that parses at top level fails inside a deep caller (pytest,
    pylint). The limit is raised by the caller's depth for the parse only.
    """
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + depth)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def check_source(
    source: str | bytes, filename: str = "<unknown>", options: Options | None = None
) -> list[Finding]:
    """Parse ``source`` and run every check. Raises :class:`UnparsableSourceError` when the
    source cannot be decoded or parsed (syntax errors, NUL bytes, nesting too deep for the
    parser); the checks themselves never raise (see WEB000)."""
    try:
        text = decode_source(source) if isinstance(source, bytes) else source
        with _parser_headroom():
            tree = ast.parse(text, filename=filename)
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError) as error:
        raise UnparsableSourceError(f"{filename}: {type(error).__name__}: {error}") from error
    except (RecursionError, MemoryError) as error:
        raise UnparsableSourceError(
            f"{filename}: too deeply nested for Python's parser ({type(error).__name__})"
        ) from error
    return check_tree(tree, filename, split_source_lines(text), options)


install_summariser(run_checks)
