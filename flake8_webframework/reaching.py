"""Which bindings of a function's local name can reach one use of it.

In straight-line code, a plain assignment in the same statement list before the use's
statement runs on every path to the use and replaces every earlier value::

    def view(request, name):
        name = escape(name)          # the only binding that reaches the use below
        return mark_safe("<b>%s</b>" % name)

``x += y`` after such an assignment adds ``y`` to what ``x`` was. Anything less plain - a
branch, a loop, ``with``, unpacking, ``del``, a lambda or nested function that runs later -
gives no answer, and the caller judges every binding of the name.

Statement positions are computed once per function, iteratively, never into nested
functions or classes.
"""

from __future__ import annotations

import ast

from .scopes import ASSIGN, AUGASSIGN, COMPREHENSION, FUNCTION, PARAM, Binding, Scope

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class ReachingBindings:
    """Per-file memo of statement positions; ``reaching(...)`` answers one use."""

    __slots__ = ("_positions",)

    def __init__(self) -> None:
        #: id(function node) -> (where, lists); see ``_statement_positions``
        self._positions: dict[int, tuple[dict, dict]] = {}

    def reaching(
        self, node: ast.Name, scope: Scope, bound_in: Scope, bindings: list[Binding]
    ) -> list[Binding] | None:
        """The bindings of ``node`` (a use of a local of ``bound_in``) that can reach it, or
        ``None`` when that cannot be told (then every binding counts)."""
        if bound_in.kind != FUNCTION or type(bound_in.node) not in _FUNCTIONS:
            return None
        current = scope
        while current is not bound_in:
            if current is None or current.kind != COMPREHENSION:
                return None  # a lambda or nested function runs later: any binding may reach
            current = current.parent
        where, lists = self._statement_positions(bound_in.node)
        use = where.get(id(node))
        if use is None:
            return None
        list_key, index = use
        body = lists[list_key][0]
        before: dict[int, list[tuple[Binding, tuple]]] = {}  # index in the list -> bindings
        for binding in bindings:
            if binding.kind == PARAM:
                continue  # bound on entry, before every statement
            position = where.get(id(binding.node))
            if position is None:
                return None  # bound elsewhere (``nonlocal`` in a nested function, a loop test)
            outer = position
            while outer is not None and outer[0] != list_key:
                outer = lists[outer[0]][1]
            if outer is None or outer[1] > index:
                continue  # outside this list (replaced below if reached), or after the use
            if outer[1] == index:
                if position != use:
                    continue  # in the body of the compound statement whose header uses it
                statement = body[index]
                if not _direct_target(statement, binding.node) or _contains(
                    getattr(statement, "targets", None) or [statement.target], node
                ):
                    return None  # a ``:=`` (or a target) of the use's own statement
                continue  # ``x = f(x)``: the value is computed before ``x`` is rebound
            before.setdefault(outer[1], []).append((binding, position))
        reaching: list[Binding] = []
        for latest in sorted(before, reverse=True):
            statement = body[latest]
            at_latest = before[latest]
            if not all(
                position == (list_key, latest)
                and binding.kind in (ASSIGN, AUGASSIGN)
                and _direct_target(statement, binding.node)
                for binding, position in at_latest
            ):
                return None  # a branch, loop, ``with``, ``for`` target, unpacking, ``del``, ...
            reaching.extend(binding for binding, _ in at_latest)
            if type(statement) is not ast.AugAssign:
                return reaching
            # ``x += y``: y, and what ``x`` was before
        return None

    def _statement_positions(self, function: ast.AST):
        """For one function body: {id(node): (id(statement list), index)} of the innermost
        statement each node belongs to, and {id(statement list): (list, position of its
        compound statement or None)}. A ``while`` test, ``except`` types, ``case`` guards,
        lambda bodies and generator-expression elements (evaluated again or later) are left
        out."""
        cached = self._positions.get(id(function))
        if cached is not None:
            return cached
        where: dict[int, tuple[int, int]] = {}
        lists: dict[int, tuple[list, tuple[int, int] | None]] = {}
        bodies: list[tuple[list, tuple[int, int] | None]] = [(function.body, None)]
        while bodies:
            body, parent = bodies.pop()
            key = id(body)
            lists[key] = (body, parent)
            for index, statement in enumerate(body):
                position = (key, index)
                where[id(statement)] = position
                statement_type = type(statement)
                if statement_type in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                    continue
                headers: list[ast.AST] = []
                if statement_type is ast.If:
                    headers.append(statement.test)
                elif statement_type in (ast.For, ast.AsyncFor):
                    headers.extend((statement.target, statement.iter))
                elif statement_type in (ast.With, ast.AsyncWith):
                    headers.extend(statement.items)
                elif statement_type is ast.Match:
                    headers.append(statement.subject)
                    headers.extend(case.pattern for case in statement.cases)
                elif statement_type in (ast.Try, getattr(ast, "TryStar", ast.Try)):
                    headers.extend(statement.handlers)  # the handler's ``as`` name
                elif statement_type is not ast.While:
                    headers.append(statement)
                for field in ("body", "orelse", "finalbody"):
                    inner = getattr(statement, field, None)
                    if type(inner) is list and inner and isinstance(inner[0], ast.stmt):
                        bodies.append((inner, position))
                for handler in getattr(statement, "handlers", ()):
                    bodies.append((handler.body, position))
                for case in getattr(statement, "cases", ()):
                    bodies.append((case.body, position))
                pending = [h for h in headers if h is not statement]
                if statement in headers:
                    pending.extend(ast.iter_child_nodes(statement))
                while pending:
                    child = pending.pop()
                    where[id(child)] = position
                    child_type = type(child)
                    if child_type is ast.ExceptHandler or child_type is ast.Lambda:
                        continue
                    if child_type is ast.GeneratorExp:
                        pending.append(child.generators[0].iter)  # evaluated at once
                        continue
                    pending.extend(ast.iter_child_nodes(child))
        cached = (where, lists)
        self._positions[id(function)] = cached
        return cached


def _direct_target(statement: ast.AST, target: ast.AST) -> bool:
    """``target`` is assigned by ``statement`` itself (``x = ...``, ``x: T = ...``,
    ``x += ...``, ``x = y = ...``, ``x, y = a, b``), not by a ``:=`` inside it."""
    statement_type = type(statement)
    if statement_type is ast.Assign:
        targets = statement.targets
    elif statement_type in (ast.AnnAssign, ast.AugAssign):
        targets = [statement.target]
    else:
        return False
    pending = list(targets)
    while pending:
        node = pending.pop()
        if node is target:
            return True
        if type(node) in (ast.Tuple, ast.List):
            pending.extend(node.elts)
        elif type(node) is ast.Starred:
            pending.append(node.value)
    return False


def _contains(roots, node: ast.AST) -> bool:
    """``node`` lies in one of the (small) subtrees ``roots``."""
    pending = list(roots)
    while pending:
        current = pending.pop()
        if current is node:
            return True
        pending.extend(ast.iter_child_nodes(current))
    return False
