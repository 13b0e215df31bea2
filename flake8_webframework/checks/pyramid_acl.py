"""WEB602 pyramid-acl-allow-all: a Pyramid ACE granting ALL_PERMISSIONS to everybody.

An access control entry is a 3-tuple ``(action, principal, permissions)``. The tuple
``(Allow, Everyone, ALL_PERMISSIONS)`` (or ``Authenticated``) is unambiguous wherever it
is written, so the check looks at every tuple literal that is, or sits inside a container
literal that is:

* assigned (``__acl__ = [...]`` in a class body, ``self.__acl__ = [...]``, ``acl = [...]``,
  ``acl += [...]``, ``ADMIN_ACE = (Allow, ...)``),
* returned (``def __acl__(self): return [...]``, ``@property`` forms, ACL factories),
* passed to a call (``acl.append((Allow, ...))``, ``acl.extend([...])``, ``Root(acl=[...])``).

Only the expression held by the indexed node is inspected (a bounded, explicit-stack descent
through list/tuple/set literals, dict values, ``+`` concatenation, conditional expressions
and lambda bodies; never into calls, which the call index covers on its own).
"""

from __future__ import annotations

import ast

from ..names import lookup_name
from ..scopes import IMPORT
from . import Check

_PYRAMID_MODULES = ("pyramid.security", "pyramid.authorization")
ALLOW = frozenset(f"{module}.Allow" for module in _PYRAMID_MODULES)
ALL_PERMISSIONS = frozenset(f"{module}.ALL_PERMISSIONS" for module in _PYRAMID_MODULES)
#: principal qualified name or string value -> name shown in the message
PRINCIPALS = {f"{module}.{name}": name for module in _PYRAMID_MODULES
              for name in ("Everyone", "Authenticated")}
#: Top-level packages one of which the file must import for an ACE to be reported.
PYRAMID_ROOTS = frozenset(name.partition(".")[0] for name in ALL_PERMISSIONS)
PRINCIPAL_STRINGS = {"system.Everyone": "Everyone", "system.Authenticated": "Authenticated"}

#: Upper bound on container elements looked at per indexed expression.
_MAX_ELEMENTS = 10_000


def _names(node: ast.expr, scope, ctx) -> frozenset:
    """Qualified names of ``node``; for a bare name also those of its import bindings, so
    that ``try: from pyramid.security import Allow`` / ``except ImportError: Allow = "Allow"``
    (a copy of Pyramid's constant kept for when Pyramid is absent) still counts."""
    names = ctx.qualnames(node, scope)
    if not names and type(node) is ast.Name:
        _, bindings = lookup_name(scope, node.id)
        names = frozenset(b.qualname for b in bindings if b.kind == IMPORT)
    return names


def _is_allow(node: ast.expr, scope, ctx) -> bool:
    if _names(node, scope, ctx) & ALLOW:
        return True
    return ctx.values.literal_value(node, scope) == "Allow"


def _principal(node: ast.expr, scope, ctx) -> str | None:
    for name in _names(node, scope, ctx):
        shown = PRINCIPALS.get(name)
        if shown is not None:
            return shown
    value = ctx.values.literal_value(node, scope)
    if isinstance(value, str):
        return PRINCIPAL_STRINGS.get(value)
    return None


def _allow_all_principal(node: ast.Tuple, scope, ctx) -> str | None:
    """The principal an ``(Allow, <principal>, ALL_PERMISSIONS)`` tuple grants everything to."""
    if len(node.elts) != 3 or any(type(element) is ast.Starred for element in node.elts):
        return None
    action, principal, permissions = node.elts
    if type(permissions) not in (ast.Name, ast.Attribute):
        return None
    if not _names(permissions, scope, ctx) & ALL_PERMISSIONS:
        return None
    if not _is_allow(action, scope, ctx):
        return None
    return _principal(principal, scope, ctx)


def _ace_candidates(root: ast.expr):
    """Tuple literals in ``root`` that may be ACEs (see the module docstring)."""
    stack = [root]
    seen = 0
    while stack and seen < _MAX_ELEMENTS:
        node = stack.pop()
        seen += 1
        node_type = type(node)
        if node_type is ast.Tuple:
            if len(node.elts) == 3:
                yield node
            stack.extend(node.elts)  # a tuple of ACEs: ``__acl__ = ((Allow, ...), ...)``
        elif node_type in (ast.List, ast.Set):
            stack.extend(node.elts)
        elif node_type is ast.Starred:
            stack.append(node.value)
        elif node_type is ast.Dict:
            stack.extend(node.values)
        elif node_type is ast.BinOp and type(node.op) is ast.Add:
            stack.append(node.left)
            stack.append(node.right)
        elif node_type is ast.IfExp:
            stack.append(node.body)
            stack.append(node.orelse)
        elif node_type is ast.BoolOp:
            stack.extend(node.values)
        elif node_type is ast.Lambda:  # ``__acl__ = lambda self: [...]``
            stack.append(node.body)


def _roots(ctx):
    """(expression, scope) pairs whose value may hold ACEs."""
    for node_type in (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return):
        for node, scope in ctx.nodes(node_type):
            if node.value is not None:
                yield node.value, scope
    for call, scope in ctx.calls():
        for argument in call.args:
            yield argument, scope
        for keyword in call.keywords:
            yield keyword.value, scope


def run(ctx):
    findings = []
    # Gate: every ACE reported names ALL_PERMISSIONS through a qualified name, and a qualified
    # name is rooted at a module the file imports (or at ``builtins``). A file that imports
    # no ``pyramid`` module has no finding, so its assignments, returns and call arguments
    # (every call of the file) are not scanned at all.
    if not any(
        module.partition(".")[0] in PYRAMID_ROOTS for module in ctx.model.imported_modules
    ):
        return findings
    reported: set[int] = set()
    for root, scope in _roots(ctx):
        for candidate in _ace_candidates(root):
            if id(candidate) in reported:
                continue
            principal = _allow_all_principal(candidate, scope, ctx)
            if principal is not None:
                reported.add(id(candidate))
                findings.append(ctx.finding("WEB602", candidate, principal=principal))
    return findings


CHECK = Check("pyramid_acl", run)
