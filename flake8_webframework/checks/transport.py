"""WEB506 transport-security-disabled: HTTPS redirect or HSTS explicitly switched off.

* Django ``SECURE_SSL_REDIRECT = False`` and ``SECURE_HSTS_SECONDS = 0`` in every settings form
  (module level, config classes, ``settings.configure(...)``, ``app.config``), including an
  environment lookup whose literal default leaves them off;
* Flask-Talisman ``force_https=False`` or ``strict_transport_security=False`` passed to
  ``Talisman(...)``, to ``talisman.init_app(...)``, to a per-view ``@talisman(...)`` decorator,
  or in a literal dict passed as ``Talisman(app, **config)``.

Settings that are absent are never reported: a single file cannot tell where else they are set.

This module also holds the Flask-Talisman helpers that WEB504 (``checks/cookies.py``) uses
for ``session_cookie_secure=False``.
"""

from __future__ import annotations

import ast

from ..findings import Span
from ..lookups import (
    AS_IS,
    LIST,
    RAW,
    UNKNOWN_CAST,
    default_after_casts,
    lookup_turns_on,
    unwrap_lookup,
)
from ..names import lookup_name
from ..scopes import ASSIGN, IMPORT, PARAM
from ..values import NO_VALUE
from . import Check

TALISMAN_CLASSES = frozenset({"flask_talisman.Talisman", "flask_talisman.talisman.Talisman"})
#: Unknown-origin names (an import from the project's extensions module, a parameter) that
#: conventionally hold the Talisman instance.
CONVENTIONAL_TALISMAN_NAMES = frozenset({"talisman"})
#: Talisman options that switch HTTPS enforcement off when false.
TALISMAN_TRANSPORT_OPTIONS = {
    "force_https": "remove it so that Talisman redirects plain HTTP to HTTPS",
    "strict_transport_security": "remove it so that Talisman sends Strict-Transport-Security",
}


# -- values shared by the settings rules of this module and of cookies.py -------------------


def no_default(lookup) -> bool:
    """A lookup without a default, or with ``default=None`` (the same thing to its reader)."""
    default = lookup.default
    return default is None or (type(default) is ast.Constant and default.value is None)


def lookup_bool(ctx, lookup, casts):
    """``(truth, where to report)`` of a lookup's literal default after its casts. A default
    of ``None`` counts as no default."""
    if no_default(lookup):
        return None, None
    verdict = lookup_turns_on(lookup, casts, ctx.values)
    if verdict is None:
        return None, None
    return verdict, lookup.default_site


def lookup_plain(ctx, lookup, casts):
    """``(value, where to report)`` of a lookup's literal default: after explicit casts, or as
    written for a raw, as-is or project-helper lookup without casts."""
    if no_default(lookup):
        return NO_VALUE, None
    default = ctx.values.literal_value(lookup.default, lookup.scope)
    if default is NO_VALUE:
        return NO_VALUE, None
    if not casts and lookup.cast in (RAW, AS_IS, UNKNOWN_CAST, LIST):
        return default, lookup.default_site
    try:
        return default_after_casts(lookup, default, casts), lookup.default_site
    except Exception:  # noqa: BLE001 - a default the casts cannot judge is not reported
        return NO_VALUE, None


def bool_verdict(ctx, expr: ast.AST, scope, site):
    """``(truth, where to report, from_default)`` of a boolean switch, or ``(None, None, False)``.

    A literal is judged by its truth; an environment lookup by its literal default after
    the casts around it (``env.bool("X", default=False)``, ``os.getenv("X", "0") == "1"``).
    A lookup without a default, or any non-literal/unknown value, gives ``None``.
    """
    unwrapped = unwrap_lookup(expr, scope, ctx.values)
    if unwrapped is not None:
        verdict, report_at = lookup_bool(ctx, *unwrapped)
        return verdict, report_at, verdict is not None
    value = ctx.values.evaluate(expr, scope)
    if not value.known:
        return None, None, False
    try:
        return bool(value.value), site, False
    except Exception:  # noqa: BLE001 - an odd literal is not judged
        return None, None, False


def plain_value(ctx, expr: ast.AST, scope, site):
    """``(value, where to report, from_default)`` of a non-boolean setting (``NO_VALUE`` when
    it cannot be told)."""
    unwrapped = unwrap_lookup(expr, scope, ctx.values)
    if unwrapped is not None:
        value, report_at = lookup_plain(ctx, *unwrapped)
        return value, report_at, value is not NO_VALUE
    return ctx.values.literal_value(expr, scope), site, False


def shown_value(ctx, expr: ast.AST, scope) -> str:
    """How to show the value a switch was judged by: a lookup's default or the literal."""
    unwrapped = unwrap_lookup(expr, scope, ctx.values)
    if unwrapped is not None:
        lookup = unwrapped[0]
        return show(ctx.values.literal_value(lookup.default, lookup.scope))
    return show(ctx.values.literal_value(expr, scope))


def show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def reads_settings_object(lookup) -> bool:
    """``getattr(settings, NAME, default)``: code *reading* a setting (a reusable app, a
    library), not configuring it. Such a lookup counts only when its value is assigned to the
    setting; on its own the default mirrors the framework's default."""
    func = lookup.call.func
    return type(func) is ast.Name and func.id == "getattr"


def setting_key_matches(key: str, name: str) -> bool:
    """An environment key that belongs to setting ``name``: the name itself or one upper-case
    prefix word before it (``DJANGO_SECURE_SSL_REDIRECT``)."""
    if key == name:
        return True
    if not key.endswith("_" + name):
        return False
    prefix = key[: -len(name) - 1]
    return prefix.isupper() and "_" not in prefix


# -- Flask-Talisman -------------------------------------------------------------------------


def _is_talisman_call(call: ast.AST, scope, ctx) -> bool:
    if type(call) is ast.Await:
        call = call.value
    return type(call) is ast.Call and bool(ctx.qualnames(call.func, scope) & TALISMAN_CLASSES)


def is_talisman_instance(expr: ast.AST, scope, ctx) -> bool:
    """A name bound to ``Talisman(...)``, or of unknown origin and named ``talisman``."""
    if type(expr) is not ast.Name:
        return False
    _, bindings = lookup_name(scope, expr.id)
    if not bindings:
        return False
    unknown = False
    for binding in bindings:
        if binding.kind == ASSIGN:
            if _is_talisman_call(binding.value, binding.scope, ctx):
                return True
            if type(binding.value) is ast.Call:
                continue  # some other object
            unknown = True
        elif binding.kind in (IMPORT, PARAM):
            if binding.kind == IMPORT and binding.qualname in TALISMAN_CLASSES:
                return False  # the class itself: ``Talisman(app)`` is handled as a call
            unknown = True
    return unknown and expr.id in CONVENTIONAL_TALISMAN_NAMES


def _mapping_entries(node: ast.AST, scope, ctx):
    """(key text, value, site) of a literal dict or ``dict(k=v)`` given as ``**config``."""
    if type(node) is ast.Name:
        _, bindings = lookup_name(scope, node.id)
        if not bindings or not all(binding.kind == ASSIGN for binding in bindings):
            return
        for binding in bindings:
            yield from _mapping_entries_direct(binding.value, binding.scope, ctx)
        return
    yield from _mapping_entries_direct(node, scope, ctx)


def _mapping_entries_direct(node: ast.AST, scope, ctx):
    if type(node) is ast.Dict:
        for key, value in zip(node.keys, node.values):
            if type(key) is ast.Constant and isinstance(key.value, str):
                yield key.value, value, Span(key, value), scope
    elif type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "dict":
        if "builtins.dict" in ctx.qualnames(node.func, scope):
            for keyword in node.keywords:
                if keyword.arg:
                    yield keyword.arg, keyword.value, keyword, scope


def talisman_options(ctx):
    """Every option given to Flask-Talisman in this file.

    Yields ``(option, value, site, scope, form)`` for ``Talisman(app, option=...)``,
    ``talisman.init_app(app, option=...)``, per-view ``@talisman(option=...)`` and the entries
    of a literal dict passed as ``**config`` to any of them. ``form`` is "Talisman" or
    "@talisman" (the view decorator).
    """
    imports_talisman = any(
        module.partition(".")[0] == "flask_talisman" for module in ctx.model.imported_modules
    )
    if imports_talisman:
        # Every call: a name bound to ``Talisman(...)`` (``t = Talisman(app)``; ``@t(...)``)
        # can have any name. Only files that import flask_talisman pay for this.
        calls = ctx.calls()
    else:
        # Without the import only a ``talisman`` of unknown origin or an ``init_app`` call
        # can be Flask-Talisman (the test below): only calls of those names.
        calls = ctx.calls_named(*CONVENTIONAL_TALISMAN_NAMES, "init_app")
    for call, scope in calls:
        func = call.func
        if type(func) not in (ast.Name, ast.Attribute):
            continue
        if not imports_talisman and not (
            (type(func) is ast.Name and func.id in CONVENTIONAL_TALISMAN_NAMES)
            or (type(func) is ast.Attribute and func.attr == "init_app")
        ):
            continue  # nothing here can be Flask-Talisman
        if ctx.qualnames(func, scope) & TALISMAN_CLASSES:
            form = "Talisman"
        elif (
            type(func) is ast.Attribute
            and func.attr == "init_app"
            and is_talisman_instance(func.value, scope, ctx)
        ):
            form = "Talisman"
        elif is_talisman_instance(func, scope, ctx):
            form = "@talisman"
        else:
            continue
        for keyword in call.keywords:
            if keyword.arg is not None:
                yield keyword.arg, keyword.value, keyword, scope, form
            else:
                for option, value, site, value_scope in _mapping_entries(keyword.value, scope, ctx):
                    yield option, value, site, value_scope, form


# -- the rule -------------------------------------------------------------------------------

SSL_REDIRECT = "SECURE_SSL_REDIRECT"
HSTS_SECONDS = "SECURE_HSTS_SECONDS"


def hsts_off(value: object) -> bool:
    """A SECURE_HSTS_SECONDS value that sends no HSTS header, or ``max-age=0`` (which tells
    browsers to forget an earlier policy)."""
    if value is None or value is False:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value <= 0
    if isinstance(value, (str, bytes)):
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        try:
            return int(text.strip()) <= 0
        except ValueError:
            return text.strip() == ""
    return False


class _Reporter:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.findings = []
        self.judged: set[int] = set()

    def setting(self, name: str, expr, scope, site, form: str) -> None:
        unwrapped = unwrap_lookup(expr, scope, self.ctx.values)
        if unwrapped is not None:
            self.judged.add(id(unwrapped[0].default_site))
        if name == SSL_REDIRECT:
            verdict, report_at, from_default = bool_verdict(self.ctx, expr, scope, site)
            if verdict is False:
                shown = shown_value(self.ctx, expr, scope)
                self.ssl_redirect_off(shown, report_at, form, from_default)
        else:
            value, report_at, from_default = plain_value(self.ctx, expr, scope, site)
            if value is not NO_VALUE and hsts_off(value):
                self.hsts_off(value, report_at, form, from_default)

    def lookup(self, name: str, lookup) -> None:
        """A lookup keyed by the setting whose value this file does not assign to it."""
        if name == SSL_REDIRECT:
            verdict, report_at = lookup_bool(self.ctx, lookup, [])
            if verdict is False:
                shown = show(self.ctx.values.literal_value(lookup.default, lookup.scope))
                self.ssl_redirect_off(shown, report_at, "lookup", True)
        else:
            value, report_at = lookup_plain(self.ctx, lookup, [])
            if value is not NO_VALUE and hsts_off(value):
                self.hsts_off(value, report_at, "lookup", True)

    def ssl_redirect_off(self, shown, report_at, form: str, from_default: bool) -> None:
        self.findings.append(self.ctx.finding(
            "WEB506", report_at, what=_what(SSL_REDIRECT, shown, form, from_default),
            fix="set it to True (or redirect at the proxy and keep HSTS on)",
        ))

    def hsts_off(self, value, report_at, form: str, from_default: bool) -> None:
        self.findings.append(self.ctx.finding(
            "WEB506", report_at, what=_what(HSTS_SECONDS, show(value), form, from_default),
            fix="set it to a long max-age such as 31536000 once the site works over HTTPS",
        ))


def _what(name: str, shown: str, form: str, from_default: bool) -> str:
    if from_default:
        return f"{name} defaulting to {shown} when the environment lacks it"
    if form in ("module", "class"):
        return f"{name} = {shown}"
    return f"setting {name} to {shown}"


def run(ctx):
    report = _Reporter(ctx)
    for site in ctx.setting_sites():
        if site.form == "cache_config" or site.name not in (SSL_REDIRECT, HSTS_SECONDS):
            continue
        report.setting(site.name, site.value, site.scope, site.site, site.form)
    if ctx.settings.framework_context():
        for lookup in ctx.env_lookups():
            if lookup.key is None or lookup.default is None or reads_settings_object(lookup):
                continue
            if id(lookup.default_site) in report.judged:
                continue
            for name in (SSL_REDIRECT, HSTS_SECONDS):
                if setting_key_matches(lookup.key, name):
                    report.judged.add(id(lookup.default_site))
                    report.lookup(name, lookup)
                    break
    for option, value, site, scope, form in talisman_options(ctx):
        fix = TALISMAN_TRANSPORT_OPTIONS.get(option)
        if fix is None:
            continue
        verdict, report_at, from_default = bool_verdict(ctx, value, scope, site)
        if verdict is False:
            shown = shown_value(ctx, value, scope)
            if from_default:
                shown = f"<environment, default {shown}>"
            report.findings.append(
                ctx.finding("WEB506", report_at, what=f"{form}({option}={shown})", fix=fix)
            )
    return report.findings


CHECK = Check("transport", run)
