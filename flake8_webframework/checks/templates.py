"""WEB301 template-from-string: a template compiled from a non-literal string."""

from __future__ import annotations

import ast

from ..apps import is_app_receiver
from ..names import lookup_name
from ..scopes import ASSIGN
from . import Check

#: Callables whose first argument (or the named keyword) is template source.
TEMPLATE_SOURCE_CALLABLES = {
    "flask.render_template_string": "source",
    "flask.templating.render_template_string": "source",
    "quart.render_template_string": "source",
    "quart.templating.render_template_string": "source",
    "jinja2.Template": "source",
    "jinja2.environment.Template": "source",
    "django.template.Template": "template_string",
    "django.template.base.Template": "template_string",
    "mako.template.Template": "text",
}
#: Environments whose ``from_string`` compiles a template. Jinja2's SandboxedEnvironment is
#: deliberately absent: compiling untrusted templates is what it is for.
TEMPLATE_ENVIRONMENTS = frozenset(
    {"jinja2.Environment", "jinja2.environment.Environment", "django.template.Engine",
     "django.template.engine.Engine"}
)
DJANGO_ENGINE_CLASSES = frozenset({"django.template.Engine", "django.template.engine.Engine"})
DJANGO_ENGINES_HANDLER = frozenset({"django.template.engines", "django.template.utils.engines"})
JINJA2_TEMPLATES = frozenset(
    {"starlette.templating.Jinja2Templates", "fastapi.templating.Jinja2Templates"}
)


def _is_template_environment(expr: ast.AST, scope, ctx, depth: int = 0) -> bool:
    """An object whose ``from_string`` compiles templates (see TEMPLATE_ENVIRONMENTS)."""
    node_type = type(expr)
    if node_type is ast.Call:
        func = expr.func
        if ctx.qualnames(func, scope) & TEMPLATE_ENVIRONMENTS:
            return True
        return (  # Engine.get_default()
            type(func) is ast.Attribute
            and func.attr == "get_default"
            and bool(ctx.qualnames(func.value, scope) & DJANGO_ENGINE_CLASSES)
        )
    if node_type is ast.Subscript:  # django.template.engines["django"]
        return bool(ctx.qualnames(expr.value, scope) & DJANGO_ENGINES_HANDLER)
    if node_type is ast.Attribute:
        if expr.attr == "jinja_env":
            return is_app_receiver(expr.value, scope)
        if expr.attr == "env" and type(expr.value) is ast.Name:  # Jinja2Templates(...).env
            return _bound_to(expr.value, scope, ctx, lambda value, value_scope: (
                type(value) is ast.Call
                and bool(ctx.qualnames(value.func, value_scope) & JINJA2_TEMPLATES)
            ))
        return False
    if node_type is ast.Name and depth < 4:
        return _bound_to(expr, scope, ctx, lambda value, value_scope: _is_template_environment(
            value, value_scope, ctx, depth + 1))
    return False


def _bound_to(name: ast.Name, scope, ctx, predicate) -> bool:
    """Every binding of ``name`` is an assignment whose value satisfies ``predicate``."""
    _, bindings = lookup_name(scope, name.id)
    return bool(bindings) and all(
        binding.kind == ASSIGN and predicate(binding.value, binding.scope)
        for binding in bindings
    )


def _source_argument(call: ast.Call, keyword_name: str):
    for keyword in call.keywords:
        if keyword.arg == keyword_name:
            return keyword.value
    if call.args and type(call.args[0]) is not ast.Starred:
        return call.args[0]
    return None


def run(ctx):
    findings = []
    values = ctx.values
    for call, scope in ctx.calls():
        func = call.func
        func_type = type(func)
        source = None
        sink = None
        if func_type is ast.Attribute and func.attr == "from_string":
            if _is_template_environment(func.value, scope, ctx):
                source = _source_argument(call, "source")
                sink = "from_string()"
        elif func_type in (ast.Name, ast.Attribute):
            for name in ctx.qualnames(func, scope):
                keyword_name = TEMPLATE_SOURCE_CALLABLES.get(name)
                if keyword_name is not None:
                    source = _source_argument(call, keyword_name)
                    sink = name.rpartition(".")[2] + "()"
                    break
        if source is not None and values.evaluate(source, scope).is_nonliteral:
            findings.append(ctx.finding("WEB301", source, sink=sink))
    return findings


CHECK = Check("templates", ("WEB301",), run)
