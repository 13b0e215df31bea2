"""WEB503 clickjacking-protection-disabled."""

from __future__ import annotations

import ast

from ..lookups import unwrap_lookup
from . import Check
from .csrf import METHOD_DECORATOR_NAMES, literal_middleware_lists, method_decorator_wraps

XFRAME_MIDDLEWARE = "django.middleware.clickjacking.XFrameOptionsMiddleware"
XFRAME_EXEMPT = frozenset({"django.views.decorators.clickjacking.xframe_options_exempt"})
#: The callee names :func:`_exempt_findings` acts on (``ctx.calls_named``).
XFRAME_CALL_NAMES = (
    frozenset(name.rpartition(".")[2] for name in XFRAME_EXEMPT) | METHOD_DECORATOR_NAMES
)
SAFE_X_FRAME_OPTIONS = frozenset({"DENY", "SAMEORIGIN"})
#: Settings that hold a Content-Security-Policy as a mapping of directives: Django's own
#: (6.0+) and django-csp 4's.
CSP_POLICY_SETTINGS = frozenset({"SECURE_CSP", "CONTENT_SECURITY_POLICY"})
CSP_REPORT_ONLY_SETTINGS = frozenset(
    {"SECURE_CSP_REPORT_ONLY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"}
)

_EXEMPT_FIX = ("drop the exemption, or use @xframe_options_sameorigin if only this site "
               "frames the page")

#: Project analysis: an extension of an inherited MIDDLEWARE list (``+=``, ``.insert()``)
#: resolves this rule's inherited finding when it adds this middleware.
LIST_REMEDIES = {"WEB503": ("XFrameOptionsMiddleware",)}

def xframe_middleware_present(entries) -> bool:
    """Django's XFrameOptionsMiddleware, or a project's own (its class name says so)."""
    for entry in entries:
        if entry == XFRAME_MIDDLEWARE:
            return True
        last = entry.rpartition(".")[2].lower()
        if "xframe" in last or "frameoptions" in last or "clickjacking" in entry.lower():
            return True
    return False


def _csp_middleware_present(entries) -> bool:
    """Django's ContentSecurityPolicyMiddleware (6.0+), django-csp's CSPMiddleware, or a
    project CSP middleware (its class name says CSP)."""
    for entry in entries:
        last = entry.rpartition(".")[2].lower()
        if last.startswith("csp") or "contentsecuritypolicy" in last:
            return True
    return False


def _mentions_frame_ancestors(node: ast.AST) -> bool:
    """A literal policy mapping (nested mappings included, e.g. django-csp 4's
    ``{"DIRECTIVES": {...}}``) with a ``frame-ancestors`` key. Walks only that small dict."""
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is not ast.Dict:
            continue
        for key, value in zip(current.keys, current.values):
            if type(key) is ast.Constant and key.value == "frame-ancestors":
                return True
            stack.append(value)
    return False


def _csp_protects(ctx) -> bool:
    """Whether a CSP middleware in the list counts as clickjacking protection: it does unless
    this file configures the policy visibly without a ``frame-ancestors`` directive."""
    configured = False
    for site in ctx.setting_sites():
        name = site.name
        if name == "CSP_FRAME_ANCESTORS":  # django-csp < 4
            return True
        if name in CSP_POLICY_SETTINGS:
            if type(site.value) is not ast.Dict or _mentions_frame_ancestors(site.value):
                return True  # built elsewhere, or names frame-ancestors
            configured = True
        elif name in CSP_REPORT_ONLY_SETTINGS or (
            name.startswith("CSP_") and not name.startswith("CSP_REPORT")
        ):
            configured = True  # a policy (or a report-only one, which blocks nothing)
    return not configured


def _middleware_findings(ctx) -> list:
    findings = []
    csp_protects = None
    for middleware in literal_middleware_lists(ctx):
        entries = middleware.entries
        if xframe_middleware_present(entries):
            continue
        if _csp_middleware_present(entries):
            if csp_protects is None:
                csp_protects = _csp_protects(ctx)
            if csp_protects:
                continue
        findings.append(ctx.finding(
            "WEB503", middleware.target,
            what=f"{middleware.name} without XFrameOptionsMiddleware",
            fix=f"add {XFRAME_MIDDLEWARE!r} to {middleware.name}",
        ))
    return findings


def _is_xframe_exempt(expr: ast.AST, scope, ctx) -> bool:
    return type(expr) in (ast.Name, ast.Attribute) and bool(
        ctx.qualnames(expr, scope) & XFRAME_EXEMPT)


def _exempt_findings(ctx) -> list:
    findings = []
    for decorator, scope in ctx.decorators():
        if _is_xframe_exempt(decorator, scope, ctx):
            findings.append(ctx.finding(
                "WEB503", decorator, what="@xframe_options_exempt", fix=_EXEMPT_FIX))
    for call, scope in ctx.calls_named(*XFRAME_CALL_NAMES):
        if _is_xframe_exempt(call.func, scope, ctx):
            if call.args or call.keywords:
                findings.append(ctx.finding(
                    "WEB503", call, what="xframe_options_exempt(...)", fix=_EXEMPT_FIX))
        elif method_decorator_wraps(call, scope, ctx, XFRAME_EXEMPT):
            findings.append(ctx.finding(
                "WEB503", call, what="method_decorator(xframe_options_exempt)",
                fix=_EXEMPT_FIX))
    for node, scope in ctx.nodes(ast.Assign):
        for target in node.targets:
            if type(target) is ast.Attribute and target.attr == "xframe_options_exempt":
                value = ctx.values.evaluate(node.value, scope)
                if value.known and value.value:
                    findings.append(ctx.finding(
                        "WEB503", node.value,
                        what="setting xframe_options_exempt on a response",
                        fix=_EXEMPT_FIX))
    return findings


_X_FRAME_FIX = 'use "DENY" (or "SAMEORIGIN" if the site frames its own pages)'


def _unsafe_x_frame_options(value) -> bool:
    return isinstance(value, str) and value.strip().upper() not in SAFE_X_FRAME_OPTIONS


def _x_frame_options_findings(ctx) -> list:
    findings = []
    info = ctx.settings
    judged: set[int] = set()
    for site in ctx.setting_sites():
        if site.name != "X_FRAME_OPTIONS" or site.form not in ("module", "class", "configure"):
            continue
        if site.form == "module" and not info.framework_context(excluding="X_FRAME_OPTIONS"):
            continue
        unwrapped = unwrap_lookup(site.value, site.scope, ctx.values)
        if unwrapped is not None:
            judged.add(id(unwrapped[0].call))
        value, report_at = ctx.setting_value(site.value, site.scope, site.site)
        if _unsafe_x_frame_options(value):
            findings.append(ctx.finding(
                "WEB503", report_at, what=f"X_FRAME_OPTIONS = {value!r}", fix=_X_FRAME_FIX))
    if info.framework_context(excluding="X_FRAME_OPTIONS"):
        # Lookups keyed X_FRAME_OPTIONS whose value flows somewhere this file does not show.
        for lookup in ctx.env_lookups():
            key = lookup.key
            if (
                id(lookup.call) in judged
                or key is None
                or not (key == "X_FRAME_OPTIONS" or key.endswith("_X_FRAME_OPTIONS"))
                or lookup.default is None
            ):
                continue
            value = ctx.values.literal_value(lookup.default, lookup.scope)
            if _unsafe_x_frame_options(value):
                findings.append(ctx.finding(
                    "WEB503", lookup.default_site,
                    what=f"a default of {value!r} for X_FRAME_OPTIONS", fix=_X_FRAME_FIX))
    return findings


def run(ctx):
    return _middleware_findings(ctx) + _exempt_findings(ctx) + _x_frame_options_findings(ctx)


CHECK = Check("clickjacking", run)
