"""WEB203 werkzeug-debugger-exposed and WEB205 dev-server-public-bind.

WEB203, an in-browser console that runs code:

* ``werkzeug.serving.run_simple(..., use_debugger=True)`` (also ``werkzeug.run_simple``;
  positional ``use_debugger`` is the fifth argument), unless ``use_evalex`` is a literal false
  value (the traceback page then has no console) or a value configured elsewhere;
* ``werkzeug.debug.DebuggedApplication(app, evalex=True)``; ``evalex`` defaults to ``False``;
* Pyramid ``config.include("pyramid_debugtoolbar")`` (or the module object), and a
  ``pyramid.includes`` setting written in Python that lists ``pyramid_debugtoolbar``
  (``settings["pyramid.includes"] = ...``, a ``{"pyramid.includes": ...}`` dict literal that
  is assigned or passed to a call).

WEB205, the development server on every interface:

* ``app.run(host=...)`` / ``app.run("0.0.0.0")`` on an app receiver (Flask, Quart, ...);
* ``werkzeug.serving.run_simple(host, ...)`` and ``werkzeug.serving.make_server(host, ...)``;

with an unspecified address (``0.0.0.0``, ``::``, ``[::]``), written literally, through a
name, or as the literal default of an environment lookup (reported at the default).
Production servers (uvicorn, gunicorn, hypercorn, waitress) are never reported.
"""

from __future__ import annotations

import ast
import ipaddress

from ..arguments import call_argument
from ..apps import is_app_receiver
from ..findings import Span
from ..lookups import unwrap_lookup
from ..names import lookup_name
from ..scopes import ASSIGN
from ..values import NO_VALUE
from . import Check

RUN_SIMPLE = frozenset({"werkzeug.serving.run_simple", "werkzeug.run_simple"})
MAKE_SERVER = frozenset({"werkzeug.serving.make_server"})
DEBUGGED_APPLICATION = frozenset(
    {"werkzeug.debug.DebuggedApplication", "werkzeug.DebuggedApplication"}
)
#: The callee names :func:`_check_call` acts on (``ctx.calls_named``): the methods it tests
#: and the last part of every qualified name it matches.
DEV_SERVER_CALL_NAMES = frozenset(
    {"setdefault", "include", "run"}
    | {name.rpartition(".")[2] for name in RUN_SIMPLE | MAKE_SERVER | DEBUGGED_APPLICATION}
)
DEBUGTOOLBAR = "pyramid_debugtoolbar"
PYRAMID_INCLUDES = "pyramid.includes"


def is_every_interface(value: object) -> bool:
    """``0.0.0.0``, ``::``, ``[::]``, ``0:0:0:0:0:0:0:0``: the unspecified address."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text).is_unspecified
    except ValueError:
        return False


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Reporter:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.values = ctx.values
        self.findings = []

    # -- WEB205 ----------------------------------------------------------------------------

    def host(self, value: ast.expr, site, scope) -> None:
        """A host argument: a literal, a lookup's literal default, or a name bound to one."""
        result = self.values.literal_value(value, scope)
        if result is not NO_VALUE:
            if is_every_interface(result):
                self.findings.append(self.ctx.finding("WEB205", site, host=_show(result)))
            return
        candidates = [(value, scope)]
        if type(value) is ast.Name:
            _, bindings = lookup_name(scope, value.id)
            candidates = [
                (binding.value, binding.scope) for binding in bindings if binding.kind == ASSIGN
            ]
        for candidate, candidate_scope in candidates:
            unwrapped = unwrap_lookup(candidate, candidate_scope, self.values)
            if unwrapped is None:
                continue
            lookup = unwrapped[0]
            if lookup.default is None:
                continue
            default = self.values.literal_value(lookup.default, lookup.scope)
            if is_every_interface(default):
                self.findings.append(
                    self.ctx.finding("WEB205", lookup.default_site, host=_show(default))
                )

    # -- WEB203 ----------------------------------------------------------------------------

    def switch_on(self, value: ast.expr, site, scope, what: str) -> None:
        result = self.values.literal_value(value, scope)
        if result is not NO_VALUE and result:
            self.findings.append(self.ctx.finding("WEB203", site, what=what))

    def includes(self, value: ast.expr, site, scope) -> None:
        """A ``pyramid.includes`` value naming the toolbar (whitespace separated, or a list)."""
        if type(value) in (ast.List, ast.Tuple, ast.Set):
            for element in value.elts:
                if _names_toolbar(self.values.literal_value(element, scope)):
                    self.findings.append(self.ctx.finding(
                        "WEB203", element, what=f"pyramid.includes {DEBUGTOOLBAR!r}"))
            return
        if _names_toolbar(self.values.literal_value(value, scope)):
            self.findings.append(
                self.ctx.finding("WEB203", site, what=f"pyramid.includes {DEBUGTOOLBAR!r}")
            )

    def includes_in_mapping(self, node: ast.AST, scope) -> None:
        if type(node) is not ast.Dict:
            return
        for key, value in zip(node.keys, node.values):
            if type(key) is ast.Constant and key.value == PYRAMID_INCLUDES:
                self.includes(value, Span(key, value), scope)


def _names_toolbar(value: object) -> bool:
    if isinstance(value, str):
        tokens = value.replace(",", " ").split()
    elif isinstance(value, (list, tuple, set, frozenset)):
        tokens = [item for item in value if isinstance(item, str)]
    else:
        return False
    return any(token.strip() == DEBUGTOOLBAR or token.strip().startswith(DEBUGTOOLBAR + ".")
               for token in tokens)


def run(ctx):
    report = _Reporter(ctx)
    # ``pyramid.includes`` in a dict literal passed to any call (``Configurator(settings=``):
    # every call, but only its dict literal arguments are looked at.
    dict_type = ast.Dict
    for call, scope in ctx.calls():
        func_type = type(call.func)
        if func_type is not ast.Name and func_type is not ast.Attribute:
            continue
        for argument in call.args:
            if type(argument) is dict_type:
                report.includes_in_mapping(argument, scope)
        for keyword in call.keywords:
            if type(keyword.value) is dict_type:
                report.includes_in_mapping(keyword.value, scope)
    for call, scope in ctx.calls_named(*DEV_SERVER_CALL_NAMES):
        _check_call(call, scope, ctx, report)
    for node_type in (ast.Assign, ast.AugAssign):
        for node, scope in ctx.nodes(node_type):
            targets = node.targets if node_type is ast.Assign else [node.target]
            for target in targets:
                if (
                    type(target) is ast.Subscript
                    and type(target.slice) is ast.Constant
                    and target.slice.value == PYRAMID_INCLUDES
                ):
                    report.includes(node.value, node.value, scope)
            if node_type is ast.Assign:
                report.includes_in_mapping(node.value, scope)
    return report.findings


def _check_call(call: ast.Call, scope, ctx, report: _Reporter) -> None:
    func = call.func
    if type(func) not in (ast.Name, ast.Attribute):
        return
    # ``settings.setdefault("pyramid.includes", ...)`` (dict literal arguments: see ``run``).
    if type(func) is ast.Attribute:
        if (
            func.attr == "setdefault"
            and len(call.args) == 2
            and type(call.args[0]) is ast.Constant
            and call.args[0].value == PYRAMID_INCLUDES
        ):
            report.includes(call.args[1], call.args[1], scope)
            return
        if func.attr == "include" and call.args:
            target = call.args[0]
            if type(target) is ast.Constant and _names_toolbar(target.value) or (
                type(target) in (ast.Name, ast.Attribute)
                and DEBUGTOOLBAR in ctx.qualnames(target, scope)
            ):
                report.findings.append(ctx.finding(
                    "WEB203", target, what=f"config.include({DEBUGTOOLBAR!r})"))
                return
        if func.attr == "run" and is_app_receiver(func.value, scope):
            value, site = call_argument(call, 0, "host")
            if value is not None:
                report.host(value, site, scope)
            return
    names = ctx.qualnames(func, scope)
    if not names:
        return
    if names & RUN_SIMPLE:
        value, site = call_argument(call, 0, "hostname")
        if value is not None:
            report.host(value, site, scope)
        debugger, debugger_site = call_argument(call, 4, "use_debugger")
        if debugger is not None:
            evalex, _ = call_argument(call, 5, "use_evalex")
            evalex_on = True
            if evalex is not None:
                evalex_value = ctx.values.literal_value(evalex, scope)
                evalex_on = evalex_value is not NO_VALUE and bool(evalex_value)
            if evalex_on:
                report.switch_on(debugger, debugger_site, scope, "run_simple(use_debugger=True)")
    elif names & MAKE_SERVER:
        value, site = call_argument(call, 0, "host")
        if value is not None:
            report.host(value, site, scope)
    elif names & DEBUGGED_APPLICATION:
        evalex, site = call_argument(call, 1, "evalex")
        if evalex is not None:
            report.switch_on(evalex, site, scope, "DebuggedApplication(evalex=True)")


CHECK = Check("dev_server", run)
