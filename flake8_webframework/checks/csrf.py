"""WEB502 csrf-protection-disabled.

Also home of :func:`literal_middleware_lists`, the analysis of literal Django ``MIDDLEWARE``
lists that WEB503 (``clickjacking.py``) shares.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from dataclasses import replace

from ..lookups import AS_IS, BOOL, RAW, UNKNOWN_CAST, lookup_turns_on, unwrap_lookup
from ..names import lookup_name
from ..scopes import ASSIGN, DECLARE, IMPORT, PARAM, Scope
from . import Check

# -- literal Django middleware lists (shared with WEB503) -------------------------------------

MIDDLEWARE_SETTINGS = ("MIDDLEWARE", "MIDDLEWARE_CLASSES")
#: Setting forms whose value is a Django setting (``app.config[...]`` is Flask's).
DJANGO_SETTING_FORMS = ("module", "class", "configure")
#: List methods that change a list in place.
LIST_MUTATORS = frozenset({"append", "insert", "extend", "remove", "pop", "clear", "__iadd__",
                           "__setitem__", "__delitem__", "sort", "reverse"})
#: How many operands/names one middleware value may be built from before it counts as
#: non-literal (bounds the work on pathological files).
_MAX_PARTS = 20_000


@dataclass(frozen=True)
class MiddlewareList:
    """A literal Django middleware list: its setting's name, entries and where to report."""

    name: str  # MIDDLEWARE or MIDDLEWARE_CLASSES
    entries: tuple[str, ...]
    target: object  # the assignment target (a Name), or the configure() keyword
    scope: Scope

#: Project analysis: an extension of an inherited MIDDLEWARE list (``+=``, ``.insert()``)
#: resolves this rule's inherited finding when it adds this middleware.
LIST_REMEDIES = {"WEB502": ("CsrfViewMiddleware",)}

def _mutated_names(ctx) -> set[tuple[int, str]]:
    """(id of the binding scope, name) of lists changed in place somewhere in the file:
    ``X.append(...)`` and the other mutators, ``X[i] = ...``, ``X[i] += ...``. An attribute
    receiver (``Base.MIDDLEWARE.append``) marks the attribute name in every scope (id 0)."""
    mutated: set[tuple[int, str]] = set()

    def note(receiver: ast.AST, scope: Scope) -> None:
        if type(receiver) is ast.Name:
            bound_in, _ = lookup_name(scope, receiver.id)
            if bound_in is not None:
                mutated.add((id(bound_in), receiver.id))
        elif type(receiver) is ast.Attribute:
            mutated.add((0, receiver.attr))

    for call, scope in ctx.calls_named(*LIST_MUTATORS):
        func = call.func
        if type(func) is ast.Attribute and func.attr in LIST_MUTATORS:
            note(func.value, scope)
    for node, scope in ctx.nodes(ast.Assign):
        for target in node.targets:
            if type(target) is ast.Subscript:
                note(target.value, scope)
    for node, scope in ctx.nodes(ast.AugAssign):
        if type(node.target) is ast.Subscript:
            note(node.target.value, scope)
    return mutated


def _is_mutated(name: str, bound_in: Scope, mutated) -> bool:
    return (id(bound_in), name) in mutated or (0, name) in mutated


def _single_assignment(bindings) -> object | None:
    """The one Binding of a name assigned exactly once (``x: T`` declarations ignored)."""
    assigned = [binding for binding in bindings if binding.kind != DECLARE]
    if len(assigned) == 1 and assigned[0].kind == ASSIGN:
        return assigned[0]
    return None


def _literal_entries(ctx, node: ast.AST, scope: Scope, mutated) -> list[str] | None:
    """The strings of a literal list/tuple value, through ``+`` and names bound once to such
    values (``BASE = [...]``, ``MIDDLEWARE = BASE + [...]``); ``None`` when the value is not
    such a literal (a call, a comprehension, a name changed in place, an unknown import)."""
    entries: list[str] = []
    stack = [(node, scope)]
    parts = 0
    while stack:
        parts += 1
        if parts > _MAX_PARTS:
            return None
        current, current_scope = stack.pop()
        node_type = type(current)
        if node_type is ast.BinOp and type(current.op) is ast.Add:
            stack.append((current.right, current_scope))
            stack.append((current.left, current_scope))
            continue
        if node_type in (ast.List, ast.Tuple):
            for element in current.elts:
                if type(element) is ast.Starred:
                    stack.append((element.value, current_scope))
                    continue
                value = ctx.values.literal_value(element, current_scope)
                if not isinstance(value, str):
                    return None
                entries.append(value)
            continue
        binding = None
        if node_type is ast.Name:
            bound_in, bindings = lookup_name(current_scope, current.id)
            if bound_in is None or _is_mutated(current.id, bound_in, mutated):
                return None
            binding = _single_assignment(bindings)
        elif node_type is ast.Attribute:  # ClassName.MIDDLEWARE, self.MIDDLEWARE
            found = ctx.values.attribute_bindings(current, current_scope)
            if found is None or _is_mutated(current.attr, found[0], mutated):
                return None
            binding = _single_assignment(found[1])
        if binding is None:
            return None
        stack.append((binding.value, binding.scope))
    return entries


def _assignment_targets(ctx) -> dict[int, ast.Name]:
    """id of an assigned value -> its target Name, for MIDDLEWARE(_CLASSES) assignments."""
    targets: dict[int, ast.Name] = {}
    for node_type in (ast.Assign, ast.AnnAssign):
        for node, _scope in ctx.nodes(node_type):
            pairs = (
                [(node.target, node.value)] if node_type is ast.AnnAssign
                else [(target, node.value) for target in node.targets]
            )
            while pairs:
                target, value = pairs.pop()
                if value is None:
                    continue
                if type(target) is ast.Name:
                    if target.id in MIDDLEWARE_SETTINGS:
                        targets[id(value)] = target
                elif (
                    type(target) in (ast.Tuple, ast.List)
                    and type(value) in (ast.Tuple, ast.List)
                    and len(target.elts) == len(value.elts)
                ):
                    pairs.extend(zip(target.elts, value.elts))
    return targets


def literal_middleware_lists(ctx) -> list[MiddlewareList]:
    """Every literal Django ``MIDDLEWARE``/``MIDDLEWARE_CLASSES`` value of the file.

    Literal: a list or tuple of string literals (also through ``+`` and names bound once to
    such lists), with at least one ``django.`` entry, and not changed later in the file
    (``MIDDLEWARE += [...]``, ``MIDDLEWARE.append/insert/extend(...)``, ``MIDDLEWARE[i] = ...``,
    a second assignment that is not itself a literal list). Module level, config classes and
    ``settings.configure(MIDDLEWARE=...)``.
    """
    sites = [
        site for site in ctx.setting_sites()
        if site.name in MIDDLEWARE_SETTINGS and site.form in DJANGO_SETTING_FORMS
    ]
    if not sites:
        return []
    mutated = _mutated_names(ctx)
    targets = _assignment_targets(ctx)
    found: list[MiddlewareList] = []
    for site in sites:
        if site.form in ("module", "class"):
            bound_in, bindings = lookup_name(site.scope, site.name)
            if bound_in is not site.scope or _is_mutated(site.name, bound_in, mutated):
                continue
            # Every binding must be a plain assignment (no ``+=``, loop target, import...);
            # each literal alternative (``if``/``else`` branches) is judged on its own, but
            # one non-literal reassignment makes the earlier literal ones stale.
            if any(binding.kind not in (ASSIGN, DECLARE) for binding in bindings):
                continue
            alternatives = [binding for binding in bindings if binding.kind == ASSIGN]
            if any(
                _literal_entries(ctx, binding.value, binding.scope, mutated) is None
                for binding in alternatives
            ):
                continue
            target = targets.get(id(site.value), site.site)
        else:
            target = site.site
        entries = _literal_entries(ctx, site.value, site.scope, mutated)
        if entries is None or not any(entry.startswith("django.") for entry in entries):
            continue
        found.append(MiddlewareList(site.name, tuple(entries), target, site.scope))
    return found


# -- WEB502 -----------------------------------------------------------------------------------

CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
#: Middleware that puts a cookie-borne identity on requests: with it, CSRF matters.
SESSION_MIDDLEWARE = {
    "django.contrib.sessions.middleware.SessionMiddleware": "SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "AuthenticationMiddleware",
}
CSRF_EXEMPT = frozenset({"django.views.decorators.csrf.csrf_exempt"})
METHOD_DECORATOR = frozenset({"django.utils.decorators.method_decorator"})
FLASK_WTF_CSRF_PROTECT = frozenset(
    {"flask_wtf.csrf.CSRFProtect", "flask_wtf.CSRFProtect", "flask_wtf.csrf.CsrfProtect",
     "flask_wtf.CsrfProtect", "quart_wtf.CSRFProtect", "quart_wtf.csrf.CSRFProtect"}
)
#: The callee names of ``method_decorator(...)`` (``ctx.calls_named``).
METHOD_DECORATOR_NAMES = frozenset(name.rpartition(".")[2] for name in METHOD_DECORATOR)
#: Names conventionally given to the Flask-WTF extension object when it is imported from
#: the project (``from .extensions import csrf``) rather than built in the same file.
CONVENTIONAL_CSRF_NAMES = frozenset({"csrf", "csrf_protect"})
#: Packages whose ``csrf`` objects are not a Flask-WTF ``CSRFProtect``.
NOT_FLASK_WTF_PACKAGES = frozenset({"django", "pyramid", "starlette", "fastapi", "wtforms"})
PYRAMID_VIEW_DECORATORS = frozenset(
    {"pyramid.view.view_config", "pyramid.view.view_defaults"}
)
#: Pyramid Configurator methods that take ``require_csrf=``; the position of the argument
#: when passed positionally (``None``: keyword only in practice).
PYRAMID_CSRF_METHODS = {"set_default_csrf_options": 0, "add_view": None}

#: The callee names :func:`_call_findings` acts on (``ctx.calls_named``): the last part of
#: every qualified name it matches, and the methods it tests.
CSRF_CALL_NAMES = frozenset(
    {name.rpartition(".")[2] for name in CSRF_EXEMPT | PYRAMID_VIEW_DECORATORS}
    | METHOD_DECORATOR_NAMES
    | {"exempt"}
    | set(PYRAMID_CSRF_METHODS)
)

_EXEMPT_FIX = "protect the view and send the CSRF token with the request instead"


def csrf_middleware_present(entries) -> bool:
    """Django's CsrfViewMiddleware, or a project's own CSRF middleware (a subclass such as
    ``core.middleware.CustomCsrfViewMiddleware``: its class name mentions CSRF)."""
    return any(
        entry == CSRF_MIDDLEWARE or "csrf" in entry.rpartition(".")[2].lower()
        for entry in entries
    )


def _middleware_findings(ctx) -> list:
    findings = []
    for middleware in literal_middleware_lists(ctx):
        present = [short for path, short in SESSION_MIDDLEWARE.items()
                   if path in middleware.entries]
        if not present or csrf_middleware_present(middleware.entries):
            continue
        findings.append(ctx.finding(
            "WEB502", middleware.target,
            what=f"{middleware.name} with {' and '.join(present)} but without CsrfViewMiddleware",
            fix=f"add {CSRF_MIDDLEWARE!r} to {middleware.name}",
        ))
    return findings


def _is_csrf_exempt(expr: ast.AST, scope: Scope, ctx) -> bool:
    return type(expr) in (ast.Name, ast.Attribute) and bool(
        ctx.qualnames(expr, scope) & CSRF_EXEMPT)


def method_decorator_wraps(call: ast.Call, scope: Scope, ctx, wanted: frozenset) -> bool:
    """``method_decorator(d, ...)`` or ``method_decorator([d, ...], ...)`` (also through a
    name bound once to that list) where ``d`` resolves to one of ``wanted``."""
    if type(call.func) not in (ast.Name, ast.Attribute):
        return False
    if not ctx.qualnames(call.func, scope) & METHOD_DECORATOR:
        return False
    argument = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "decorator":
            argument = keyword.value
    if argument is None:
        return False
    argument_scope = scope
    if type(argument) is ast.Name:
        bound_in, bindings = lookup_name(scope, argument.id)
        binding = _single_assignment(bindings) if bound_in is not None else None
        if binding is not None and type(binding.value) in (ast.List, ast.Tuple):
            argument, argument_scope = binding.value, binding.scope
    candidates = argument.elts if type(argument) in (ast.List, ast.Tuple) else [argument]
    return any(
        type(candidate) in (ast.Name, ast.Attribute)
        and bool(ctx.qualnames(candidate, argument_scope) & wanted)
        for candidate in candidates
    )


def _is_flask_wtf_csrf(receiver: ast.AST, scope: Scope, ctx) -> bool:
    """A Flask-WTF ``CSRFProtect``: a name bound to ``CSRFProtect(...)``, or a name of unknown
    origin (an import from the project, a parameter) called ``csrf``/``csrf_protect``."""
    if type(receiver) is ast.Attribute:  # extensions.csrf
        return receiver.attr in CONVENTIONAL_CSRF_NAMES and _rooted_in_project_import(
            receiver.value, scope)
    if type(receiver) is not ast.Name:
        return False
    _, bindings = lookup_name(scope, receiver.id)
    verdicts = set()
    for binding in bindings:
        if binding.kind == ASSIGN and type(binding.value) is ast.Call:
            func = binding.value.func
            verdicts.add(bool(
                type(func) in (ast.Name, ast.Attribute)
                and ctx.qualnames(func, binding.scope) & FLASK_WTF_CSRF_PROTECT
            ))
        elif binding.kind == IMPORT:  # ``from .extensions import csrf as protect``
            if _foreign_import(binding.qualname):
                verdicts.add(False)
            elif (binding.qualname or "").rpartition(".")[2] in CONVENTIONAL_CSRF_NAMES:
                verdicts.add(True)
            else:
                verdicts.add(None)
        elif binding.kind == DECLARE:
            continue
        else:
            verdicts.add(None if binding.kind == PARAM else False)
    if True in verdicts:
        return True
    if False in verdicts:
        return False
    return receiver.id in CONVENTIONAL_CSRF_NAMES


def _rooted_in_project_import(node: ast.AST, scope: Scope) -> bool:
    while type(node) is ast.Attribute:
        node = node.value
    if type(node) is not ast.Name:
        return False
    _, bindings = lookup_name(scope, node.id)
    return bool(bindings) and all(
        binding.kind == IMPORT and not _foreign_import(binding.qualname) for binding in bindings
    )


def _foreign_import(qualname: str | None) -> bool:
    """An import from a package whose ``csrf`` is not a Flask-WTF ``CSRFProtect`` object
    (or the ``flask_wtf.csrf`` module itself)."""
    qualname = qualname or ""
    return qualname == "flask_wtf.csrf" or qualname.partition(".")[0] in NOT_FLASK_WTF_PACKAGES


def _falsy_require_csrf(value: ast.AST, scope: Scope, ctx) -> bool:
    result = ctx.values.evaluate(value, scope)
    return result.known and type(result.value) in (bool, int) and not result.value


def _decorator_findings(ctx) -> list:
    findings = []
    for decorator, scope in ctx.decorators():
        if _is_csrf_exempt(decorator, scope, ctx):
            findings.append(ctx.finding(
                "WEB502", decorator, what="@csrf_exempt", fix=_EXEMPT_FIX))
        elif (
            type(decorator) is ast.Attribute
            and decorator.attr == "exempt"
            and _is_flask_wtf_csrf(decorator.value, scope, ctx)
        ):
            findings.append(ctx.finding(
                "WEB502", decorator, what="@csrf.exempt (Flask-WTF)",
                fix="keep CSRFProtect on the view and send the token in the "
                    "X-CSRFToken header"))
    return findings


def _call_findings(ctx) -> list:
    findings = []
    for call, scope in ctx.calls_named(*CSRF_CALL_NAMES):
        func = call.func
        if _is_csrf_exempt(func, scope, ctx):
            if call.args or call.keywords:
                findings.append(ctx.finding(
                    "WEB502", call, what="csrf_exempt(...)", fix=_EXEMPT_FIX))
            continue
        if method_decorator_wraps(call, scope, ctx, CSRF_EXEMPT):
            findings.append(ctx.finding(
                "WEB502", call, what="method_decorator(csrf_exempt)", fix=_EXEMPT_FIX))
            continue
        if type(func) is not ast.Attribute and type(func) is not ast.Name:
            continue
        if (
            type(func) is ast.Attribute
            and func.attr == "exempt"
            and call.args
            and _is_flask_wtf_csrf(func.value, scope, ctx)
        ):
            findings.append(ctx.finding(
                "WEB502", call, what="csrf.exempt(...) (Flask-WTF)",
                fix="keep CSRFProtect on these views and send the token in the "
                    "X-CSRFToken header"))
            continue
        pyramid = ctx.qualnames(func, scope) & PYRAMID_VIEW_DECORATORS
        if pyramid:
            label = min(pyramid).rpartition(".")[2]
            _require_csrf(ctx, call, scope, None, f"{label}(require_csrf=False)", findings)
        elif type(func) is ast.Attribute and func.attr in PYRAMID_CSRF_METHODS:
            _require_csrf(ctx, call, scope, PYRAMID_CSRF_METHODS[func.attr],
                          f"{func.attr}(require_csrf=False)", findings)
    return findings


def _require_csrf(ctx, call: ast.Call, scope: Scope, position, what: str, findings) -> None:
    site = value = None
    for keyword in call.keywords:
        if keyword.arg == "require_csrf":
            value, site = keyword.value, keyword
    if value is None and position is not None and len(call.args) > position:
        if type(call.args[position]) is not ast.Starred:
            value = site = call.args[position]
    if value is not None and _falsy_require_csrf(value, scope, ctx):
        findings.append(ctx.finding(
            "WEB502", site, what=what,
            fix="leave require_csrf on and send the token in the X-CSRF-Token header"))


# -- Flask-WTF WTF_CSRF_ENABLED ---------------------------------------------------------------


def _is_csrf_enabled_key(key: str) -> bool:
    """``WTF_CSRF_ENABLED`` or a prefixed variable (``FLASK_WTF_CSRF_ENABLED``)."""
    return key == "WTF_CSRF_ENABLED" or key.endswith("_WTF_CSRF_ENABLED")


def _testing_groups(ctx) -> set[tuple[str, int]]:
    """(form, id of scope) of config groups that also set ``TESTING`` to a true literal: a
    test configuration, where Flask-WTF's own docs switch CSRF off."""
    groups = set()
    for site in ctx.setting_sites():
        if site.name == "TESTING":
            value = ctx.values.evaluate(site.value, site.scope)
            if value.known and value.value:
                groups.add((site.form, id(site.scope)))
    return groups


_WTF_FIX = "leave WTF_CSRF_ENABLED on and render form.csrf_token in every form"


def _wtf_findings(ctx) -> list:
    findings = []
    info = ctx.settings
    testing = None
    judged: set[int] = set()
    for site in ctx.setting_sites():
        if site.name != "WTF_CSRF_ENABLED" or site.form == "cache_config":
            continue
        if site.form == "module" and not info.framework_context(excluding="WTF_CSRF_ENABLED"):
            continue
        if testing is None:
            testing = _testing_groups(ctx)
        unwrapped = unwrap_lookup(site.value, site.scope, ctx.values)
        if unwrapped is not None:
            lookup, casts = unwrapped
            judged.add(id(lookup.call))
            if (site.form, id(site.scope)) in testing:
                continue
            if lookup_turns_on(lookup, casts, ctx.values) is False:
                findings.append(ctx.finding(
                    "WEB502", lookup.default_site,
                    what="a default that turns WTF_CSRF_ENABLED off", fix=_WTF_FIX))
            continue
        if (site.form, id(site.scope)) in testing:
            continue
        value = ctx.values.evaluate(site.value, site.scope)
        if value.known and not value.value:
            label = "WTF_CSRF_ENABLED = " if site.form in ("module", "class") else (
                "setting WTF_CSRF_ENABLED to ")
            findings.append(ctx.finding(
                "WEB502", site.site, what=label + repr(value.value), fix=_WTF_FIX))
    if info.framework_context(excluding="WTF_CSRF_ENABLED"):
        # Lookups keyed WTF_CSRF_ENABLED whose value flows somewhere this file does not show.
        for lookup in ctx.env_lookups():
            if (
                id(lookup.call) in judged
                or lookup.key is None
                or not _is_csrf_enabled_key(lookup.key)
                or lookup.cast not in (BOOL, AS_IS, RAW, UNKNOWN_CAST)
            ):
                continue
            if lookup.cast == RAW:
                lookup = replace(lookup, cast=UNKNOWN_CAST)
            if lookup_turns_on(lookup, [], ctx.values) is False:
                findings.append(ctx.finding(
                    "WEB502", lookup.default_site,
                    what="a default that turns WTF_CSRF_ENABLED off", fix=_WTF_FIX))
    return findings


def run(ctx):
    return (
        _middleware_findings(ctx)
        + _decorator_findings(ctx)
        + _call_findings(ctx)
        + _wtf_findings(ctx)
    )


CHECK = Check("csrf", run)
