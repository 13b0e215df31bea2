"""WEB603 weak-password-hasher: Django ``PASSWORD_HASHERS`` whose first entry is weak.

Django hashes every new (and every upgraded) password with the first hasher of the list;
the others only verify old hashes. The rule reports a first entry that is one of Django's
MD5, SHA1, unsalted or crypt(3) based hashers, in every settings form (module level, config
classes, ``settings.configure(...)``, the literal default of an environment lookup), through
``[weak] + BASE_HASHERS``, ``[weak] if TESTING else [...]``, a name bound once to a list,
and ``PASSWORD_HASHERS.insert(0, weak)``.

Custom hashers are not judged: an entry names a class in another module by a string, and the
class name says nothing reliable about its algorithm or its work factor.
"""

from __future__ import annotations

import ast

from ..lookups import unwrap_lookup
from ..names import lookup_name
from ..scopes import ASSIGN
from . import Check

SETTING = "PASSWORD_HASHERS"
WEAK_HASHERS = frozenset(
    "django.contrib.auth.hashers." + name
    for name in (
        "MD5PasswordHasher",
        "UnsaltedMD5PasswordHasher",
        "SHA1PasswordHasher",
        "UnsaltedSHA1PasswordHasher",
        "CryptPasswordHasher",
    )
)
_MAX_HOPS = 16


def _first_elements(expr: ast.AST, scope, ctx):
    """The nodes that may be the list's first entry (both arms of ``a if c else b``), each
    with its scope."""
    found = []
    pending = [(expr, scope)]
    hops = 0
    while pending and hops < _MAX_HOPS:
        hops += 1
        expr, scope = pending.pop()
        node_type = type(expr)
        if node_type in (ast.List, ast.Tuple):
            if not expr.elts:
                continue
            first = expr.elts[0]
            if type(first) is ast.Starred:  # [*BASE, ...]: the first entry is BASE's
                pending.append((first.value, scope))
            else:
                found.append((first, scope))
        elif node_type is ast.BinOp and type(expr.op) is ast.Add:  # [weak] + BASE_HASHERS
            pending.append((expr.left, scope))
        elif node_type is ast.IfExp:  # [MD5] if TESTING else [...]
            pending.append((expr.orelse, scope))
            pending.append((expr.body, scope))
        elif node_type is ast.Name:
            _, bindings = lookup_name(scope, expr.id)
            if len(bindings) == 1 and bindings[0].kind == ASSIGN:
                pending.append((bindings[0].value, bindings[0].scope))
        elif node_type is ast.Call:
            unwrapped = unwrap_lookup(expr, scope, ctx.values)
            if unwrapped is not None and unwrapped[0].default is not None:
                pending.append((unwrapped[0].default, unwrapped[0].scope))
    return found


def _report(ctx, node, scope, findings) -> None:
    value = ctx.values.literal_value(node, scope)
    if isinstance(value, str) and value.strip() in WEAK_HASHERS:
        findings.append(
            ctx.finding("WEB603", node, hasher=value.strip().rpartition(".")[2])
        )


def run(ctx):
    findings = []
    for site in ctx.setting_sites():
        if site.name != SETTING or site.form == "cache_config":
            continue
        for first, scope in _first_elements(site.value, site.scope, ctx):
            _report(ctx, first, scope, findings)
    for call, scope in ctx.calls_named("insert"):
        func = call.func
        if (
            type(func) is ast.Attribute
            and func.attr == "insert"
            and type(func.value) is ast.Name
            and func.value.id == SETTING
            and len(call.args) == 2
            and ctx.values.literal_value(call.args[0], scope) == 0
        ):
            _report(ctx, call.args[1], scope, findings)
    return findings


CHECK = Check("hashers", run)
