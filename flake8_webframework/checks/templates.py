"""WEB301 template-from-string: a template compiled from a non-literal string.

The template source is reported when the value-provenance engine's :data:`UNTRUSTED_TEXT`
policy finds a part that is neither literal (nor of unknown origin, an imported constant)
nor text read from a file shipped with the code.
"""

from __future__ import annotations

import ast

from ..apps import is_app_receiver
from ..names import lookup_name
from ..provenance import CLEAN, DEFAULT, Op, Policy, Role, bad, summarised
from ..request_data import REQUEST
from ..scopes import ASSIGN, WITH
from ..syntax import receiver_chain
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
#: The callee names the check acts on (``ctx.calls_named``).
TEMPLATE_CALL_NAMES = frozenset(
    {"from_string"} | {name.rpartition(".")[2] for name in TEMPLATE_SOURCE_CALLABLES}
)
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


FILE_OPENERS = frozenset({"builtins.open", "io.open", "codecs.open"})
PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"})
PACKAGE_DATA_READERS = frozenset(
    {"pkgutil.get_data", "importlib.resources.read_text", "importlib.resources.read_binary",
     "importlib_resources.read_text", "pkg_resources.resource_string"}
)
_READ_METHODS = frozenset({"read", "read_text", "read_bytes"})


def _reads_file(call: ast.Call, scope, ctx) -> bool:
    """Text read from a file, whatever gives the path - unless the path is request data:
    ``open(p).read()``, ``f.read()`` with ``with open(p) as f``, ``path.read_text()`` /
    ``read_bytes()`` on any object (pathlib, ``importlib.resources``, zipfile paths),
    ``pkgutil.get_data(...)``. A network response (``urlopen(u).read()``, ``resp.text``) is
    not a file."""
    func = call.func
    if ctx.qualnames(func, scope) & PACKAGE_DATA_READERS:
        return True
    if type(func) is not ast.Attribute or func.attr not in _READ_METHODS:
        return False
    if func.attr == "read" and not _is_file_handle(func.value, scope, ctx):
        return False
    return not _path_from_request(func.value, scope, ctx)


def _path_from_request(receiver: ast.AST, scope, ctx) -> bool:
    """Some argument along the receiver chain (``open(x)``, ``Path(base) / x``) is request
    data."""
    engine = ctx.provenance
    for link in receiver_chain(receiver):
        if type(link) is ast.Call:
            for argument in link.args:
                if engine.judge(REQUEST, argument, scope).bad:
                    return True
        elif type(link) is ast.BinOp:
            return engine.judge(REQUEST, link, scope).bad
        elif type(link) is ast.Name:
            return engine.judge(REQUEST, link, scope).bad
    return False


def _is_file_handle(expr: ast.AST, scope, ctx) -> bool:
    """``open(...)``, ``Path(...).open()``, a name every binding of which is one of those
    (``with open(p) as f``), or a ``Path(...)``/``files(...)`` chain."""
    if type(expr) is ast.Name:
        _, bindings = lookup_name(scope, expr.id)
        return bool(bindings) and all(
            binding.kind in (ASSIGN, WITH) and _is_file_handle(binding.value, binding.scope, ctx)
            for binding in bindings
            if type(binding.value) is not ast.Name  # no alias chains: bounded, no recursion
        ) and all(type(binding.value) is not ast.Name for binding in bindings)
    if (
        type(expr) is ast.Call
        and type(expr.func) is ast.Attribute
        and expr.func.attr == "open"
        and _is_path(expr.func.value, scope, ctx)
    ):
        return True
    return _is_path(expr, scope, ctx)


def _is_path(expr: ast.AST, scope, ctx) -> bool:
    """A call chain rooted at ``open(...)``, ``Path(...)`` or ``importlib.resources.files``,
    or ``self.X``/``Class.X`` that the class binds only to such a chain."""
    if type(expr) is ast.Attribute and type(expr.value) is ast.Name:
        found = ctx.values.attribute_bindings(expr, scope)
        if found is not None:
            bindings = found[1]
            return bool(bindings) and all(
                binding.kind == ASSIGN and _is_path(binding.value, binding.scope, ctx)
                for binding in bindings
                if type(binding.value) is not ast.Attribute
            ) and all(type(binding.value) is not ast.Attribute for binding in bindings)
    for _ in range(16):  # walk down a method chain to the call that made the path
        if type(expr) is ast.Call:
            names = ctx.qualnames(expr.func, scope)
            if names & (FILE_OPENERS | PATH_CLASSES) or any(
                name.startswith(("importlib.resources.files", "importlib_resources.files"))
                for name in names
            ):
                return True
            expr = expr.func
        elif type(expr) is ast.Attribute:
            expr = expr.value
        elif type(expr) is ast.BinOp and type(expr.op) is ast.Div:  # Path(...) / "x.html"
            expr = expr.left
        else:
            return False
    return False


#: Methods that keep a literal text literal when their arguments are (``str`` methods).
_TEXT_METHODS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "casefold", "title", "capitalize",
     "replace", "encode", "decode"}
)
_GETTEXT = frozenset(
    {"_", "_l", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "lazy_gettext",
     "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy", "gettext_noop"}
)


class UntrustedText(Policy):
    """Bad: template text that is neither literal (or of unknown origin) nor read from a
    file shipped with the code."""

    leaf_is_bad = True

    def judge(self, engine, flow):
        op = flow.op
        if op is Op.ATTRIBUTE:
            return CLEAN if engine.is_literal_or_unknown(flow.node, flow.scope) else bad(flow.node)
        if op is Op.CALL:
            call = flow.call
            func = call.func
            scope = flow.scope
            if _reads_file(call, scope, engine.ctx):
                return CLEAN
            if type(func) is ast.Attribute and func.attr in _TEXT_METHODS:
                return flow.parts_with(Role.RECEIVER) + flow.arguments()
            if type(func) is ast.Name and func.id in _GETTEXT:
                return flow.arguments()
            if type(func) is ast.Attribute and func.attr in _GETTEXT and any(
                name.startswith(("django.utils.translation.", "gettext.", "flask_babel."))
                for name in engine.qualnames(func, scope)
            ):
                return flow.arguments()
            return engine.unknown_call(self, flow)
        if op is Op.WITH_TARGET:
            return bad(flow.node)
        return DEFAULT


UNTRUSTED_TEXT = summarised("template-text", UntrustedText())
TRIGGERS = TEMPLATE_CALL_NAMES


def _source_argument(call: ast.Call, keyword_name: str):
    for keyword in call.keywords:
        if keyword.arg == keyword_name:
            return keyword.value
    if call.args and type(call.args[0]) is not ast.Starred:
        return call.args[0]
    return None


def run(ctx):
    findings = []
    for call, scope in ctx.calls_named(*TEMPLATE_CALL_NAMES):
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
        if source is not None and ctx.provenance.judge(UNTRUSTED_TEXT, source, scope).bad:
            findings.append(ctx.finding("WEB301", source, sink=sink))
    return findings


CHECK = Check("templates", run)
