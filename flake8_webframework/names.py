"""Name resolution with Python's scoping, and qualified names through every import form.

``from flask import render_template_string as rts`` makes ``rts`` resolve to
``flask.render_template_string``; ``import flask as f`` makes ``f.Flask`` ``flask.Flask``;
a parameter or local that shadows an import resolves to nothing.
"""

from __future__ import annotations

import ast

from .scopes import ASSIGN, CLASS, CLASSDEF, FUNCTION, IMPORT, MODULE, Binding, Scope

_EMPTY: frozenset[str] = frozenset()

#: How many ``a = b`` alias hops a qualified name is followed through.
_MAX_ALIAS_HOPS = 8


def lookup_name(scope: Scope, name: str) -> tuple[Scope | None, list[Binding]]:
    """The scope that binds ``name`` as seen from ``scope``, and its bindings there.

    Class scopes do not enclose the functions (or comprehensions) defined in them;
    ``global`` and ``nonlocal`` declarations are honoured.
    """
    current: Scope | None = scope
    first = True
    while current is not None:
        if name in current.global_names:
            module = current.module()
            return (module, module.bindings.get(name, [])) if name in module.bindings else (None, [])
        if current.kind == CLASS and not first:
            current = current.parent
            continue
        bindings = current.bindings.get(name)
        if bindings:
            return current, bindings
        first = False
        current = current.parent
    return None, []


def _is_none(node: ast.AST | None) -> bool:
    return type(node) is ast.Constant and node.value is None


def resolve_qualnames(expr: ast.AST, scope: Scope, _hops: int = 0) -> frozenset[str]:
    """Every dotted name ``expr`` may denote through imports, or an empty set.

    ``Name``/``Attribute`` chains only. A name bound by anything other than an import (or an
    alias assignment of an imported name) resolves to nothing: it is not that import.
    An unbound name resolves to ``builtins.NAME`` and, where the module has star imports,
    to ``MODULE.NAME`` for each of them.
    """
    attrs: list[str] = []
    node = expr
    while type(node) is ast.Attribute:
        attrs.append(node.attr)
        node = node.value
    if type(node) is not ast.Name:
        return _EMPTY
    if node.id in scope.module().opaque_names:
        return _EMPTY  # bound in this file, never by an import or an alias: not an import
    bases = _resolve_name(node.id, scope, _hops)
    if not bases:
        return bases
    if not attrs:
        return bases
    suffix = ".".join(reversed(attrs))
    return frozenset(f"{base}.{suffix}" for base in bases)


def _resolve_name(name: str, scope: Scope, hops: int) -> frozenset[str]:
    bound_in, bindings = lookup_name(scope, name)
    if bound_in is None:
        module = scope.module()
        names = {f"builtins.{name}"}
        for star in module.star_imports:
            names.add(f"{star}.{name}")
        return frozenset(names)
    result: set[str] = set()
    has_import = any(binding.kind == IMPORT for binding in bindings)
    for binding in bindings:
        if binding.kind == IMPORT:
            result.add(binding.qualname)
        elif binding.kind == ASSIGN and has_import and _is_none(binding.value):
            # ``try: from x import y`` / ``except ImportError: y = None``
            continue
        elif (
            binding.kind == ASSIGN
            and hops < _MAX_ALIAS_HOPS
            and type(binding.value) in (ast.Name, ast.Attribute)
        ):
            aliased = resolve_qualnames(binding.value, binding.scope, hops + 1)
            if not aliased:
                return frozenset()
            result.update(aliased)
        else:
            return frozenset()
    return frozenset(result)


def call_qualnames(call: ast.Call, scope: Scope) -> frozenset[str]:
    """Qualified names of a call's callee (empty for calls of unknown origin)."""
    return resolve_qualnames(call.func, scope)


def is_bound_locally(name: str, scope: Scope) -> bool:
    """Whether ``name`` has any binding visible from ``scope`` (i.e. it is not a builtin)."""
    bound_in, _ = lookup_name(scope, name)
    return bound_in is not None


def name_bindings(name_node: ast.Name, scope: Scope) -> list[Binding]:
    return lookup_name(scope, name_node.id)[1]


def class_of_binding(bindings: list[Binding]) -> ast.ClassDef | None:
    """The ClassDef a name denotes when its only binding is a class definition."""
    if len(bindings) == 1 and bindings[0].kind == CLASSDEF:
        return bindings[0].node
    return None


def enclosing_function_scope(scope: Scope) -> Scope | None:
    current: Scope | None = scope
    while current is not None and current.kind != MODULE:
        if current.kind == FUNCTION:
            return current
        current = current.parent
    return None
