"""WEB302 autoescape-disabled: a template engine configured without HTML autoescaping.

Spellings (names resolved through imports and aliases):

* Jinja2 ``Environment(...)`` without ``autoescape`` (Jinja2's default is off) or with a false
  literal; ``Template(..., autoescape=False)``; ``<environment>.overlay(autoescape=False)``;
  ``<environment>.autoescape = False`` (``app.jinja_env`` of an app receiver, a name bound
  to an ``Environment(...)``);
* ``aiohttp_jinja2.setup(..., autoescape=False)``, Starlette / FastAPI
  ``Jinja2Templates(..., autoescape=False)`` (older releases forward it to Jinja2);
* Django ``Engine(autoescape=False)`` and ``"autoescape": False`` in a ``TEMPLATES`` entry's
  ``OPTIONS`` (also as the literal default of an environment lookup, and
  ``TEMPLATES[0]["OPTIONS"]["autoescape"] = False``);
* Mako ``Template(...)`` / ``TemplateLookup(...)`` whose ``default_filters`` is absent (Mako's
  default, ``["str"]``, escapes nothing) or a literal list without an HTML-escaping filter.

Any non-literal value (``select_autoescape(...)``, a custom callable, a variable,
``**options``) counts as configured elsewhere. Jinja2's sandboxed and native environments
are left alone: the sandbox is for templates written by untrusted users, who control the
markup anyway, and the native environment renders Python objects, not HTML.
"""

from __future__ import annotations

import ast

from ..arguments import keyword_argument
from ..apps import is_app_receiver
from ..findings import Span
from ..lookups import lookup_turns_on, unwrap_lookup
from ..names import lookup_name
from ..scopes import ASSIGN, DECLARE, MODULE
from . import Check

JINJA_ENVIRONMENTS = frozenset({"jinja2.Environment", "jinja2.environment.Environment"})
JINJA_TEMPLATES = frozenset({"jinja2.Template", "jinja2.environment.Template"})
#: Starlette's ``Jinja2Templates``: ``.env`` is a Jinja2 environment; older releases pass
#: extra keywords (``autoescape=...``) on to ``jinja2.Environment``.
STARLETTE_TEMPLATES = frozenset(
    {"starlette.templating.Jinja2Templates", "fastapi.templating.Jinja2Templates"}
)
AIOHTTP_SETUP = frozenset({"aiohttp_jinja2.setup"})
AIOHTTP_GET_ENV = frozenset({"aiohttp_jinja2.get_env"})
DJANGO_ENGINES = frozenset({"django.template.Engine", "django.template.engine.Engine"})
MAKO_CLASSES = {
    "mako.template.Template": "mako.template.Template",
    "mako.lookup.TemplateLookup": "mako.lookup.TemplateLookup",
}
#: The callee names :func:`_call_finding` acts on (``ctx.calls_named``): ``overlay`` and the
#: last part of every qualified name it matches.
AUTOESCAPE_CALL_NAMES = frozenset(
    {"overlay"}
    | {
        name.rpartition(".")[2]
        for name in JINJA_ENVIRONMENTS | JINJA_TEMPLATES | AIOHTTP_SETUP | STARLETTE_TEMPLATES
        | DJANGO_ENGINES | set(MAKO_CLASSES)
    }
)
#: Zero-based position of ``autoescape`` / ``default_filters`` among positional arguments.
_JINJA_ENV_AUTOESCAPE_POSITION = 16
_JINJA_TEMPLATE_AUTOESCAPE_POSITION = 17
_DJANGO_ENGINE_AUTOESCAPE_POSITION = 9
#: Mako's positional ``default_filters`` moved between releases; with this many positional
#: arguments the call is treated as configuring it.
_MAKO_POSITIONAL_LIMIT = {"mako.template.Template": 18, "mako.lookup.TemplateLookup": 16}

_MAX_RECEIVER_HOPS = 8


def _has_double_star(call: ast.Call) -> bool:
    return any(keyword.arg is None for keyword in call.keywords)


def _has_star(call: ast.Call) -> bool:
    return any(type(arg) is ast.Starred for arg in call.args)


def _falsy_literal(expr: ast.AST, scope, ctx) -> bool:
    """A literal whose value is false (``False``, ``None``, ``0``, ``""``)."""
    value = ctx.values.evaluate(expr, scope)
    if not value.known:
        return False
    literal = value.value
    return literal is None or (isinstance(literal, (bool, int, float, str, bytes)) and not literal)


def _is_jinja_environment(expr: ast.AST, scope, ctx) -> bool:
    """``expr`` is a (non-sandboxed) Jinja2 environment: a constructor call, a name bound
    only to one, ``app.jinja_env`` of an app receiver, ``Jinja2Templates(...).env``,
    ``aiohttp_jinja2.setup(...)`` / ``get_env(...)`` or an ``overlay(...)`` of one."""
    pending = [(expr, scope)]
    seen: set[int] = set()
    hops = 0
    while pending:
        node, node_scope = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        hops += 1
        if hops > _MAX_RECEIVER_HOPS:
            return False
        node_type = type(node)
        if node_type is ast.Call:
            func = node.func
            names = ctx.qualnames(func, node_scope)
            if names & (JINJA_ENVIRONMENTS | AIOHTTP_SETUP | AIOHTTP_GET_ENV):
                continue
            if type(func) is ast.Attribute and func.attr == "overlay":
                pending.append((func.value, node_scope))
                continue
            return False
        if node_type is ast.Attribute:
            if node.attr == "jinja_env" and is_app_receiver(node.value, node_scope):
                continue
            if node.attr == "env":
                base = node.value
                if type(base) is ast.Call and (
                    ctx.qualnames(base.func, node_scope) & STARLETTE_TEMPLATES
                ):
                    continue
                if type(base) is ast.Name and _bound_only_to(
                    base, node_scope, lambda value, value_scope: (
                        type(value) is ast.Call
                        and bool(ctx.qualnames(value.func, value_scope) & STARLETTE_TEMPLATES)
                    )
                ):
                    continue
            return False
        if node_type is ast.Name:
            _, bindings = lookup_name(node_scope, node.id)
            values = [b for b in bindings if b.kind != DECLARE]
            if not values or any(b.kind != ASSIGN for b in values):
                return False
            pending.extend((b.value, b.scope) for b in values)
            continue
        return False
    return True


def _bound_only_to(name: ast.Name, scope, predicate) -> bool:
    _, bindings = lookup_name(scope, name.id)
    values = [b for b in bindings if b.kind != DECLARE]
    return bool(values) and all(
        b.kind == ASSIGN and predicate(b.value, b.scope) for b in values
    )


def _shown(node: ast.AST) -> str:
    """``app.jinja_env.autoescape`` for a dotted chain (iteratively), else ``....autoescape``."""
    parts = []
    while type(node) is ast.Attribute and len(parts) < 6:
        parts.append(node.attr)
        node = node.value
    parts.append(node.id if type(node) is ast.Name else "...")
    return ".".join(reversed(parts))


def _positional(call: ast.Call, position: int):
    if len(call.args) > position and not any(
        type(arg) is ast.Starred for arg in call.args[: position + 1]
    ):
        return call.args[position]
    return None


# -- Mako ------------------------------------------------------------------------------------


def _is_escaping_filter(name: object) -> bool:
    """A Mako filter expression that HTML-escapes: ``h``, ``x`` or an ``*escape*`` callable
    (``escape``, ``html_escape``, ``filters.html_escape``, ``markupsafe.escape``)."""
    if not isinstance(name, str):
        return False
    text = name.strip()
    if text in ("h", "x"):
        return True
    lowered = text.lower()
    return "escape" in lowered and "unescape" not in lowered


def _mako_finding(call: ast.Call, scope, qualname: str, ctx):
    keyword = keyword_argument(call, "default_filters")
    short = qualname.rpartition(".")[2]
    if keyword is None:
        if _has_double_star(call) or _has_star(call):
            return None
        if len(call.args) >= _MAKO_POSITIONAL_LIMIT[qualname]:
            return None
        return ctx.finding(
            "WEB302",
            call.func,
            what=f"mako {short}()",
            fix="pass default_filters=['h'] so every ${...} expression is HTML-escaped",
        )
    value = ctx.values.evaluate(keyword.value, scope)
    if not value.known:
        return None  # non-literal: configured elsewhere
    filters = value.value
    if isinstance(filters, str):
        filters = [filters]
    if not isinstance(filters, (list, tuple)):
        return None
    if any(_is_escaping_filter(item) for item in filters):
        return None
    shown = repr(list(filters))
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return ctx.finding(
        "WEB302",
        keyword,
        what=f"mako {short}(default_filters={shown})",
        fix="add the 'h' filter to default_filters",
    )


# -- Django TEMPLATES --------------------------------------------------------------------------


def _resolve_literal_node(expr: ast.AST, scope):
    """A dict/list literal node, through a name bound once to one (module-level constants)."""
    for _ in range(_MAX_RECEIVER_HOPS):
        if type(expr) is not ast.Name:
            return expr, scope
        _, bindings = lookup_name(scope, expr.id)
        values = [b for b in bindings if b.kind != DECLARE]
        if len(values) != 1 or values[0].kind != ASSIGN:
            return expr, scope
        expr, scope = values[0].value, values[0].scope
    return expr, scope


def _dict_entry(node: ast.AST, name: str):
    if type(node) is not ast.Dict:
        return None
    found = None
    for key, value in zip(node.keys, node.values):
        if type(key) is ast.Constant and key.value == name:
            found = (key, value)
    return found


def _templates_findings(site, ctx, findings) -> None:
    container, container_scope = _resolve_literal_node(site.value, site.scope)
    if type(container) not in (ast.List, ast.Tuple):
        return
    for element in container.elts:
        entry, entry_scope = _resolve_literal_node(element, container_scope)
        options = _dict_entry(entry, "OPTIONS")
        if options is None:
            continue
        options_dict, options_scope = _resolve_literal_node(options[1], entry_scope)
        autoescape = _dict_entry(options_dict, "autoescape")
        if autoescape is None:
            continue
        key, value = autoescape
        report_at = _disabled_setting(value, options_scope, Span(key, value), ctx)
        if report_at is not None:
            findings.append(ctx.finding(
                "WEB302",
                report_at,
                what='the TEMPLATES option "autoescape": False',
                fix='remove the "autoescape" option (Django escapes by default)',
            ))


def _disabled_setting(value: ast.AST, scope, site, ctx):
    """Where to report a setting value that turns autoescaping off, or ``None``."""
    unwrapped = unwrap_lookup(value, scope, ctx.values)
    if unwrapped is not None:
        lookup, casts = unwrapped
        if lookup_turns_on(lookup, casts, ctx.values) is False:
            return lookup.default_site
        return None
    if _falsy_literal(value, scope, ctx):
        return site
    return None


def _templates_subscript_target(target: ast.AST, scope) -> bool:
    """``TEMPLATES[0]["OPTIONS"]["autoescape"]`` (a module-level ``TEMPLATES``)."""
    if not (
        type(target) is ast.Subscript
        and type(target.slice) is ast.Constant
        and target.slice.value == "autoescape"
    ):
        return False
    node = target.value
    for _ in range(4):
        if type(node) is not ast.Subscript:
            break
        node = node.value
    if type(node) is not ast.Name or node.id != "TEMPLATES":
        return False
    bound_in, _ = lookup_name(scope, "TEMPLATES")
    return bound_in is not None and bound_in.kind == MODULE


# -- the check -------------------------------------------------------------------------------


def _call_finding(call: ast.Call, scope, ctx):
    func = call.func
    if type(func) not in (ast.Name, ast.Attribute):
        return None
    if type(func) is ast.Attribute and func.attr == "overlay":
        keyword = keyword_argument(call, "autoescape")
        if keyword is not None and _falsy_literal(keyword.value, scope, ctx) and (
            _is_jinja_environment(func.value, scope, ctx)
        ):
            return ctx.finding(
                "WEB302",
                keyword,
                what="jinja2 overlay(autoescape=False)",
                fix="drop autoescape=False or use select_autoescape()",
            )
        return None
    names = ctx.qualnames(func, scope)
    if not names:
        return None
    if names & JINJA_ENVIRONMENTS:
        keyword = keyword_argument(call, "autoescape")
        value = keyword.value if keyword is not None else _positional(
            call, _JINJA_ENV_AUTOESCAPE_POSITION)
        if value is None:
            if _has_double_star(call) or _has_star(call):
                return None
            return ctx.finding(
                "WEB302",
                func,
                what="jinja2.Environment()",
                fix="pass autoescape=select_autoescape() (or autoescape=True)",
            )
        if _falsy_literal(value, scope, ctx):
            return ctx.finding(
                "WEB302",
                keyword if keyword is not None else value,
                what="jinja2.Environment(autoescape=False)",
                fix="use autoescape=select_autoescape() (or autoescape=True)",
            )
        return None
    if names & JINJA_TEMPLATES:
        keyword = keyword_argument(call, "autoescape")
        value = keyword.value if keyword is not None else _positional(
            call, _JINJA_TEMPLATE_AUTOESCAPE_POSITION)
        if value is not None and _falsy_literal(value, scope, ctx):
            return ctx.finding(
                "WEB302",
                keyword if keyword is not None else value,
                what="jinja2.Template(autoescape=False)",
                fix="pass autoescape=True or load the template from an escaping environment",
            )
        return None
    for group, what, fix in (
        (AIOHTTP_SETUP, "aiohttp_jinja2.setup(autoescape=False)",
         "drop autoescape=False (aiohttp_jinja2 escapes by default)"),
        (STARLETTE_TEMPLATES, "starlette Jinja2Templates(autoescape=False)",
         "drop autoescape=False (Starlette escapes by default)"),
        (DJANGO_ENGINES, "django Engine(autoescape=False)",
         "drop autoescape=False (Django escapes by default)"),
    ):
        if names & group:
            keyword = keyword_argument(call, "autoescape")
            value = keyword.value if keyword is not None else None
            if value is None and group is DJANGO_ENGINES:
                value = _positional(call, _DJANGO_ENGINE_AUTOESCAPE_POSITION)
            if value is not None and _falsy_literal(value, scope, ctx):
                return ctx.finding("WEB302", keyword if keyword is not None else value,
                                   what=what, fix=fix)
            return None
    for name in names:
        qualname = MAKO_CLASSES.get(name)
        if qualname is not None:
            return _mako_finding(call, scope, qualname, ctx)
    return None


def run(ctx):
    findings = []
    for call, scope in ctx.calls_named(*AUTOESCAPE_CALL_NAMES):
        finding = _call_finding(call, scope, ctx)
        if finding is not None:
            findings.append(finding)
    for node, scope in ctx.nodes(ast.Assign):
        for target in node.targets:
            if type(target) is ast.Attribute and target.attr == "autoescape":
                if _falsy_literal(node.value, scope, ctx) and _is_jinja_environment(
                    target.value, scope, ctx
                ):
                    findings.append(ctx.finding(
                        "WEB302",
                        node.value,
                        what=f"{_shown(target)} = False",
                        fix="set autoescape to True or select_autoescape()",
                    ))
            elif _templates_subscript_target(target, scope):
                report_at = _disabled_setting(node.value, scope, node.value, ctx)
                if report_at is not None:
                    findings.append(ctx.finding(
                        "WEB302",
                        report_at,
                        what='the TEMPLATES option "autoescape": False',
                        fix='remove the "autoescape" option (Django escapes by default)',
                    ))
    for site in ctx.setting_sites():
        if site.name == "TEMPLATES":
            _templates_findings(site, ctx, findings)
    return findings


CHECK = Check("autoescape", run)
