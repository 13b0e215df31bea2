"""What a format string inserts: the fields of ``%``-formats, ``str.format`` strings and
f-strings, and whether a field can only ever insert a number.

A field whose conversion is numeric (``%d``, ``{:.2f}``, ``f"{n:,d}"``) inserts digits, a
sign, a decimal point or an exponent, whatever value it is given (a non-number raises): such
a field cannot carry markup, SQL or a path. ``%c`` and ``{:c}`` insert one arbitrary
character and so are *not* numeric.

Pure functions over text and ``ast`` nodes; the text is a bounded concrete value (see
``values``), and the field lists are capped, so every function here is linear and bounded.
"""

from __future__ import annotations

import ast
import re
import string
from typing import NamedTuple

#: ``%`` conversions that insert only a number's characters.
PERCENT_NUMERIC = frozenset("diouxXeEfFgG")
#: ``str.format`` / f-string presentation types that insert only a number's characters.
SPEC_NUMERIC = frozenset("bdoxXneEfFgG%")
#: A format string with more fields than this is not read (its fields are all "unknown").
MAX_FIELDS = 1_000

_PERCENT_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?"
    r"[hlL]?(?P<conv>.?)",
    re.DOTALL,
)
_VALID_PERCENT = PERCENT_NUMERIC | frozenset("crsa%")
_FIELD_HEAD = re.compile(r"[.\[]")


class Field(NamedTuple):
    """One inserted field: positional index (``int``) or mapping/keyword key (``str``)."""

    key: int | str
    numeric: bool


class PercentFormat(NamedTuple):
    """The fields of a ``%``-format: positional (``key`` is the index) or all by name."""

    fields: tuple[Field, ...]
    by_name: bool


def percent_format(text: str | bytes) -> PercentFormat | None:
    """The fields of ``text % args``; ``None`` when the format cannot be read (``*`` widths,
    a bad or mixed spec, too many fields)."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    fields: list[Field] = []
    named = positional = 0
    for match in _PERCENT_SPEC.finditer(text):
        conv = match.group("conv")
        if conv == "%":
            continue
        if conv not in _VALID_PERCENT or not conv:
            return None
        if match.group("width") == "*" or match.group("precision") == "*":
            return None
        key = match.group("key")
        numeric = conv in PERCENT_NUMERIC
        if key is None:
            fields.append(Field(positional, numeric))
            positional += 1
        else:
            fields.append(Field(key, numeric))
            named += 1
        if len(fields) > MAX_FIELDS:
            return None
    if named and positional:
        return None
    return PercentFormat(tuple(fields), bool(named))


def brace_format(text: str) -> tuple[Field, ...] | None:
    """The fields of ``text.format(...)`` (automatic numbering resolved; fields nested in a
    spec included); ``None`` when unreadable. A field that reads an attribute or item of
    its argument (``{0.name}``, ``{d[k]}``) is never numeric: the part is not the argument."""
    fields: list[Field] = []
    automatic = 0
    pending = [text]
    while pending:
        current = pending.pop()
        try:
            parsed = list(string.Formatter().parse(current))
        except (ValueError, TypeError):
            return None
        for _literal, name, spec, conversion in parsed:
            if name is None:
                continue
            head = _FIELD_HEAD.split(name, maxsplit=1)[0]
            if head == "":
                key: int | str = automatic
                automatic += 1
            elif head.isdigit():
                key = int(head)
            else:
                key = head
            numeric = (
                head == name
                and conversion is None
                and bool(spec)
                and "{" not in spec
                and spec[-1] in SPEC_NUMERIC
            )
            fields.append(Field(key, numeric))
            if spec and "{" in spec:
                pending.append(spec)
            if len(fields) > MAX_FIELDS:
                return None
    return tuple(fields)


def fstring_fields(node: ast.JoinedStr) -> list[tuple[ast.expr, bool]]:
    """Each field of an f-string with "only a number can be inserted here"."""
    fields = []
    for part in node.values:
        if type(part) is not ast.FormattedValue:
            continue
        fields.append((part.value, part.conversion == -1 and _numeric_spec(part.format_spec)))
    return fields


def _numeric_spec(spec: ast.AST | None) -> bool:
    if type(spec) is not ast.JoinedStr or not spec.values:
        return False
    if any(type(piece) is not ast.Constant or type(piece.value) is not str
           for piece in spec.values):
        return False
    text = "".join(piece.value for piece in spec.values)
    return bool(text) and text[-1] in SPEC_NUMERIC


def numeric_keys(fields: tuple[Field, ...]) -> dict[int | str, bool]:
    """key -> "every use of this key is numeric"."""
    usage: dict[int | str, bool] = {}
    for field in fields:
        usage[field.key] = usage.get(field.key, True) and field.numeric
    return usage
