"""WEB201 debug-enabled and WEB202 debug-literal-fallback."""

from __future__ import annotations

import ast

from ..apps import is_app_receiver
from dataclasses import replace

from ..lookups import AS_IS, BOOL, RAW, UNKNOWN_CAST, EnvLookup, lookup_turns_on, unwrap_lookup
from . import Check

#: Apps whose constructor takes ``debug=``.
DEBUG_APP_CLASSES = frozenset(
    {"fastapi.FastAPI", "fastapi.applications.FastAPI", "starlette.applications.Starlette"}
)
#: The callee names the call loop acts on (``ctx.calls_named``): ``app.run`` and the apps.
DEBUG_CALL_NAMES = frozenset({"run"} | {name.rpartition(".")[2] for name in DEBUG_APP_CLASSES})
#: ``<PREFIX>_DEBUG`` keys that name some other subsystem's debug switch, not the app's.
OTHER_SUBSYSTEMS = frozenset(
    {"SQL", "SQLALCHEMY", "TEMPLATE", "LOG", "LOGGING", "DB", "DATABASE", "CELERY", "TOOLBAR",
     "ASSETS", "GRAPHQL", "SMTP", "MAIL", "EMAIL", "CACHE", "REDIS", "SENTRY", "PROFILER",
     "QUERY", "QUERIES", "HTTP", "SSL", "JS", "CSS", "WEBPACK", "VITE", "PDB", "TEST"}
)


def is_debug_key(key: str) -> bool:
    """``DEBUG`` or ``<PREFIX>_DEBUG`` for an app prefix (``DJANGO_DEBUG``, ``FLASK_DEBUG``)."""
    if key == "DEBUG":
        return True
    prefix, _, last = key.rpartition("_")
    return (
        last == "DEBUG"
        and prefix.isupper()
        and "_" not in prefix
        and prefix not in OTHER_SUBSYSTEMS
    )


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _DebugReporter:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.values = ctx.values
        self.findings = []
        self.judged_lookups: set[int] = set()

    def fallback(self, lookup: EnvLookup, casts, name: str) -> None:
        self.judged_lookups.add(id(lookup.call))
        if lookup_turns_on(lookup, casts, self.values):
            default = self.values.literal_value(lookup.default, lookup.scope)
            self.findings.append(
                self.ctx.finding("WEB202", lookup.default_site, name=name, default=_show(default))
            )

    def value(self, value: ast.expr, site, scope, what: str, name: str,
              allow_literal: bool = True) -> None:
        """A debug switch's value: a lookup (WEB202) or a truthy literal (WEB201)."""
        unwrapped = unwrap_lookup(value, scope, self.values)
        if unwrapped is not None:
            lookup, casts = unwrapped
            self.fallback(lookup, casts, name)
            return
        if not allow_literal:
            return
        result = self.values.evaluate(value, scope)
        if result.known and result.value:
            self.findings.append(
                self.ctx.finding("WEB201", site, what=what.format(_show(result.value)))
            )


def run(ctx):
    report = _DebugReporter(ctx)
    info = ctx.settings
    for site in ctx.setting_sites():
        if site.name != "DEBUG" or site.form == "cache_config":
            continue
        if site.form == "module":
            if not info.framework_context(excluding="DEBUG"):
                continue
            allow_literal = info.is_settings_module(excluding="DEBUG")
        else:
            allow_literal = True
        what = "DEBUG = {}" if site.form in ("module", "class") else "setting DEBUG to {}"
        report.value(site.value, site.site, site.scope, what, "DEBUG", allow_literal)
    for node, scope in ctx.nodes(ast.Assign):
        for target in node.targets:
            if (
                type(target) is ast.Attribute
                and target.attr == "debug"
                and is_app_receiver(target.value, scope)
            ):
                report.value(node.value, node.value, scope, "app.debug = {}", "app.debug")
    for call, scope in ctx.calls_named(*DEBUG_CALL_NAMES):
        func = call.func
        if type(func) is ast.Attribute and func.attr == "run":
            if not is_app_receiver(func.value, scope):
                continue
            label = "app.run(debug={})"
        elif type(func) in (ast.Name, ast.Attribute) and ctx.qualnames(func, scope) & DEBUG_APP_CLASSES:
            label = (func.id if type(func) is ast.Name else func.attr) + "(debug={})"
        else:
            continue
        for keyword in call.keywords:
            if keyword.arg == "debug":
                report.value(keyword.value, keyword, scope, label, "debug")
    if info.framework_context(excluding="DEBUG"):
        # Lookups keyed DEBUG whose value flows somewhere this file does not show: a raw
        # string default is judged as a boolean parse would ("1" on, "0"/"false" off).
        for lookup in ctx.env_lookups():
            if (
                id(lookup.call) not in report.judged_lookups
                and lookup.key is not None
                and is_debug_key(lookup.key)
                and lookup.cast in (BOOL, AS_IS, RAW, UNKNOWN_CAST)
            ):
                if lookup.cast == RAW:
                    lookup = replace(lookup, cast=UNKNOWN_CAST)
                report.fallback(lookup, [], lookup.key)
    return report.findings


CHECK = Check("debug", run)
