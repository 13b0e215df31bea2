"""Small, bounded readings of ``ast`` nodes shared by the analyses and the checks."""

from __future__ import annotations

import ast

#: Links of a receiver chain (``a.b(c).d[e]``) followed at most.
MAX_CHAIN = 40


def last_name(node: ast.AST) -> str:
    """``attr`` of an Attribute, ``id`` of a Name, else ``""`` (a callee's own name)."""
    node_type = type(node)
    if node_type is ast.Attribute:
        return node.attr
    if node_type is ast.Name:
        return node.id
    return ""


def receiver_chain(expr: ast.AST, limit: int = MAX_CHAIN):
    """The receiver chain of ``a.b(c).d[e]``: every Attribute, Call and Subscript node down
    to the root, then the root itself."""
    node = expr
    for _ in range(limit):
        yield node
        node_type = type(node)
        if node_type is ast.Attribute or node_type is ast.Subscript:
            node = node.value
        elif node_type is ast.Call:
            node = node.func
        else:
            return


def chain_attributes(expr: ast.AST) -> set[str]:
    """The attribute names along a receiver chain."""
    return {node.attr for node in receiver_chain(expr) if type(node) is ast.Attribute}


def chain_root(expr: ast.AST) -> ast.Name | None:
    """The Name a receiver chain starts from, if it starts from one."""
    node = None
    for node in receiver_chain(expr):
        pass
    return node if type(node) is ast.Name else None


def decorator_name(decorator: ast.AST) -> str:
    """``property`` for ``@property``, ``route`` for ``@app.route(...)``."""
    if type(decorator) is ast.Call:
        decorator = decorator.func
    return last_name(decorator)


def target_names(target: ast.AST, max_path: int = 3) -> list[tuple[ast.Name, tuple]]:
    """Each Name an assignment or loop target binds, with its position path inside tuple
    targets (``for i, (k, v) in ...`` gives ``i`` at ``(0,)``, ``v`` at ``(1, 1)``)."""
    found = []
    pending = [(target, ())]
    while pending:
        node, path = pending.pop()
        node_type = type(node)
        if node_type is ast.Name:
            found.append((node, path))
        elif node_type is ast.Starred:
            pending.append((node.value, path))
        elif node_type in (ast.Tuple, ast.List) and len(path) < max_path:
            pending.extend((element, path + (index,)) for index, element in enumerate(node.elts))
    return found
