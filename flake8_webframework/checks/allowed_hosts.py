"""WEB204 allowed-hosts-wildcard.

Django's ``ALLOWED_HOSTS`` containing ``"*"``:

* every setting form (module level, config classes and pydantic ``BaseSettings`` fields,
  ``settings.configure(ALLOWED_HOSTS=...)``), reported at the ``"*"`` element of a list
  literal, else at the value;
* later changes in the same scope: ``ALLOWED_HOSTS += ["*"]``, ``ALLOWED_HOSTS.append("*")``,
  ``.extend([...])``, ``.insert(i, "*")``;
* the literal default of an environment lookup, assigned to ``ALLOWED_HOSTS`` (also through
  ``.split(",")``) or keyed ``ALLOWED_HOSTS`` / ``<PREFIX>_ALLOWED_HOSTS`` anywhere: a list
  default containing ``"*"`` or a string default whose comma/space separated items include
  ``"*"`` (``env.list("ALLOWED_HOSTS", default=["*"])``, ``os.getenv("ALLOWED_HOSTS", "*")``).

Django matches ``"*"`` only as a whole entry: ``".example.com"`` and ``"*.example.com"``
(which Django does not support and never matches) are not wildcards.
``override_settings(ALLOWED_HOSTS=["*"])`` in tests is not a settings assignment.
"""

from __future__ import annotations

import ast

from ..lookups import EnvLookup, unwrap_lookup
from ..scopes import CLASS, MODULE
from ..values import NO_VALUE
from . import Check

SETTING = "ALLOWED_HOSTS"
#: ``<PREFIX>_ALLOWED_HOSTS`` keys that belong to something other than Django's setting.
OTHER_PREFIXES = frozenset({"CORS", "CSRF", "PROXY", "WS", "WEBSOCKET", "REDIRECT", "SSRF",
                            "WEBHOOK", "EMBED", "IFRAME", "IMAGE", "MEDIA", "DOWNLOAD"})
LIST_METHODS = {"append": 0, "insert": 1, "extend": 0}


def is_allowed_hosts_key(key: str) -> bool:
    if key == SETTING:
        return True
    prefix, _, rest = key.partition("_")
    return (
        rest == SETTING
        and prefix.isupper()
        and prefix not in OTHER_PREFIXES
    )


def _items(value: object) -> list[str]:
    """The host patterns a value stands for (a string is split at commas and spaces)."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [item for item in value if isinstance(item, str)]
    return []


def has_wildcard(value: object) -> bool:
    return "*" in _items(value)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _split_lookup(expr: ast.AST, scope, values):
    """``lookup(...).split(",")`` (and ``lookup(...).strip().split()``) -> the lookup."""
    if (
        type(expr) is ast.Call
        and type(expr.func) is ast.Attribute
        and expr.func.attr in ("split", "rsplit")
    ):
        return unwrap_lookup(expr.func.value, scope, values)
    return None


class _Reporter:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.values = ctx.values
        self.findings = []
        self.judged: set[int] = set()

    def lookup(self, lookup: EnvLookup) -> None:
        self.judged.add(id(lookup.call))
        if lookup.default is None:
            return
        default = self.values.literal_value(lookup.default, lookup.scope)
        if default is not NO_VALUE and has_wildcard(default):
            self.findings.append(
                self.ctx.finding("WEB204", lookup.default_site, value=_show(default))
            )

    def value(self, node: ast.AST, site, scope) -> None:
        pending = [(node, site)]
        while pending:  # an explicit stack: ``[*[*[...]]]`` may nest deeply
            current, current_site = pending.pop()
            unwrapped = unwrap_lookup(current, scope, self.values) or _split_lookup(
                current, scope, self.values
            )
            if unwrapped is not None:
                self.lookup(unwrapped[0])
                continue
            if type(current) in (ast.List, ast.Tuple, ast.Set):
                for element in current.elts:
                    if type(element) is ast.Starred:
                        pending.append((element.value, element.value))
                        continue
                    item = self.values.literal_value(element, scope)
                    if item == "*":
                        self.findings.append(
                            self.ctx.finding("WEB204", element, value=_show(item))
                        )
                    elif item is NO_VALUE:
                        pending.append((element, element))  # a lookup as an element
                continue
            result = self.values.literal_value(current, scope)
            if result is not NO_VALUE and has_wildcard(result):
                self.findings.append(self.ctx.finding("WEB204", current_site, value=_show(result)))


def _is_setting_name(node: ast.AST, scope) -> bool:
    return type(node) is ast.Name and node.id == SETTING and scope.kind in (MODULE, CLASS)


def run(ctx):
    report = _Reporter(ctx)
    for site in ctx.setting_sites():
        if site.name == SETTING and site.form != "cache_config":
            report.value(site.value, site.site, site.scope)
    for node, scope in ctx.nodes(ast.AugAssign):
        if type(node.op) is ast.Add and _is_setting_name(node.target, scope):
            report.value(node.value, node.value, scope)
    for call, scope in ctx.calls_named(*LIST_METHODS):
        func = call.func
        if (
            type(func) is ast.Attribute
            and func.attr in LIST_METHODS
            and _is_setting_name(func.value, scope)
        ):
            position = LIST_METHODS[func.attr]
            if len(call.args) > position:
                argument = call.args[position]
                if func.attr == "extend":
                    report.value(argument, argument, scope)
                else:
                    report.value(ast.List(elts=[argument], ctx=ast.Load()), argument, scope)
    already_judged = set(report.judged)
    lookups = list(ctx.env_lookups())
    for node, scope in ctx.nodes(ast.BoolOp):
        unwrapped = unwrap_lookup(node, scope, ctx.values)
        if unwrapped is not None:
            lookups.append(unwrapped[0])
    for lookup in lookups:
        if (
            lookup.key is not None
            and id(lookup.call) not in already_judged
            and is_allowed_hosts_key(lookup.key)
        ):
            report.lookup(lookup)
    return report.findings


CHECK = Check("allowed_hosts", run)
