"""Reading a call's arguments the way Python binds them."""

from __future__ import annotations

import ast


def keyword_argument(call: ast.Call, *names: str) -> ast.keyword | None:
    """The first keyword argument named one of ``names``."""
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword
    return None


def call_argument(
    call: ast.Call, position: int | None, *names: str
) -> tuple[ast.expr | None, ast.AST | None]:
    """``(value, site)`` of the argument passed by one of the keyword ``names``, else at
    ``position`` (``None``: keyword-only). ``site`` is the keyword node or the positional
    argument: where a finding about the argument points. A ``*args`` at or before the
    position hides it (its index is unknown)."""
    keyword = keyword_argument(call, *names)
    if keyword is not None:
        return keyword.value, keyword
    args = call.args
    if position is not None and len(args) > position:
        if not any(type(arg) is ast.Starred for arg in args[: position + 1]):
            return args[position], args[position]
    return None, None
