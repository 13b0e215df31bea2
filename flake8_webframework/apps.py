"""App receivers: which expressions are a Flask/Quart/FastAPI/Starlette application.

A name bound to ``Flask(...)``, ``Quart(...)``, ``FastAPI(...)`` or ``Starlette(...)`` is an
app. A name of unknown origin (a parameter, an import, a factory result such as
``create_app()``) is an app only when it has a conventional app name (``app``,
``application``). A name bound to something known not to be an app (``Celery(...)``,
``typer.Typer()``, ``click.Group()``) is not.
"""

from __future__ import annotations

import ast

from .names import lookup_name, resolve_qualnames
from .scopes import ASSIGN, Scope

APP_CLASSES = frozenset(
    {
        "flask.Flask",
        "flask.app.Flask",
        "quart.Quart",
        "quart.app.Quart",
        "fastapi.FastAPI",
        "fastapi.applications.FastAPI",
        "starlette.applications.Starlette",
        "apiflask.APIFlask",
        "apiflask.app.APIFlask",
    }
)
APP_PROXIES = frozenset({"flask.current_app", "quart.current_app", "flask.globals.current_app"})
#: Packages whose objects are never web apps, though they are often called ``app``.
NOT_APP_PACKAGES = frozenset(
    {"celery", "typer", "click", "argparse", "rq", "dramatiq", "huey", "kombu", "faust",
     "tornado", "aiohttp", "sanic", "falcon", "bottle", "cherrypy", "gunicorn", "uvicorn",
     "textual", "kivy", "wx", "PyQt5", "PyQt6", "PySide2", "PySide6", "tkinter", "dash"}
)
CONVENTIONAL_APP_NAMES = frozenset({"app", "application"})


def _call_verdict(call: ast.Call, scope: Scope) -> bool | None:
    """True: the call makes an app; False: it makes something known not to be one."""
    names = resolve_qualnames(call.func, scope)
    if names & APP_CLASSES:
        return True
    for name in names:
        if name.partition(".")[0] in NOT_APP_PACKAGES:
            return False
    return None


def is_app_receiver(expr: ast.AST, scope: Scope) -> bool:
    node_type = type(expr)
    if node_type is ast.Name:
        _, bindings = lookup_name(scope, expr.id)
        verdicts = set()
        for binding in bindings:
            if binding.kind == ASSIGN and type(binding.value) is ast.Call:
                verdicts.add(_call_verdict(binding.value, binding.scope))
            elif binding.kind == ASSIGN and resolve_qualnames(binding.value, binding.scope) & APP_PROXIES:
                verdicts.add(True)
        if True in verdicts:
            return True
        if False in verdicts:
            return False
        if resolve_qualnames(expr, scope) & APP_PROXIES:
            return True
        return expr.id in CONVENTIONAL_APP_NAMES
    if node_type is ast.Attribute:
        if resolve_qualnames(expr, scope) & APP_PROXIES:
            return True
        return (
            expr.attr in CONVENTIONAL_APP_NAMES
            and type(expr.value) is ast.Name
            and expr.value.id in ("self", "cls")
        )
    if node_type is ast.Call:
        return _call_verdict(expr, scope) is True
    return False


def is_app_config(expr: ast.AST, scope: Scope) -> bool:
    """``app.config`` (Flask/Quart configuration mapping) of an app receiver."""
    return (
        type(expr) is ast.Attribute
        and expr.attr == "config"
        and is_app_receiver(expr.value, scope)
    )
