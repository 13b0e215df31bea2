"""WEB101 hardcoded-secret-key and WEB102 secret-key-literal-fallback."""

from __future__ import annotations

import ast

from ..arguments import call_argument
from ..apps import is_app_receiver
from ..lookups import EnvLookup, unwrap_lookup
from ..values import NO_VALUE
from . import Check

SECRET_SETTING_NAMES = frozenset(
    {"SECRET_KEY", "JWT_SECRET_KEY", "WTF_CSRF_SECRET_KEY", "SECURITY_PASSWORD_SALT"}
)
SECRET_SETTING_SUFFIXES = ("SECRET_KEY", "JWT_SECRET", "JWT_SECRET_KEY")
#: A name ending so holds where the key is, not the key.
NOT_A_KEY_SUFFIXES = (
    "_FILE", "_PATH", "_ENV", "_ENV_VAR", "_NAME", "_PREFIX", "_LENGTH",
    # texts about the key, not the key (Django's SECRET_KEY_WARNING_MSG)
    "_MSG", "_MESSAGE", "_WARNING", "_ERROR", "_HELP", "_TEXT", "_URL", "_DOC",
)

SESSION_MIDDLEWARE = frozenset(
    {"starlette.middleware.sessions.SessionMiddleware",
     "fastapi.middleware.sessions.SessionMiddleware"}
)
STARLETTE_MIDDLEWARE_WRAPPER = frozenset(
    {"starlette.middleware.Middleware", "fastapi.middleware.Middleware"}
)
#: Callables whose first argument (or ``secret=``) is a signing secret.
PYRAMID_SECRET_FACTORIES = {
    "pyramid.session.SignedCookieSessionFactory": "SignedCookieSessionFactory secret",
    "pyramid.session.UnencryptedCookieSessionFactoryConfig": "UnencryptedCookieSessionFactoryConfig secret",
    "pyramid.authentication.AuthTktAuthenticationPolicy": "AuthTktAuthenticationPolicy secret",
    "pyramid.authentication.AuthTktCookieHelper": "AuthTktCookieHelper secret",
}
#: PyJWT and python-jose module functions whose second argument (or ``key=``) is the key.
JWT_FUNCTIONS = {
    "jwt.encode": "jwt.encode key",
    "jwt.decode": "jwt.decode key",
    "jwt.api_jwt.encode": "jwt.encode key",
    "jwt.api_jwt.decode": "jwt.decode key",
    "jose.jwt.encode": "jose.jwt.encode key",
    "jose.jwt.decode": "jose.jwt.decode key",
}

#: The callee names :func:`_check_call` acts on (``ctx.calls_named``): ``add_middleware`` and
#: the last part of every qualified name it matches.
SECRET_CALL_NAMES = frozenset(
    {"add_middleware"}
    | {
        name.rpartition(".")[2]
        for name in SESSION_MIDDLEWARE | STARLETTE_MIDDLEWARE_WRAPPER
        | set(PYRAMID_SECRET_FACTORIES) | set(JWT_FUNCTIONS)
    }
)


def is_secret_setting(name: str, extra_names: tuple[str, ...] = ()) -> bool:
    """``SECRET_KEY``, ``*SECRET_KEY``, ``*JWT_SECRET(_KEY)``, ``SECRET_KEY_<suffix>`` ...,
    and the user's ``webframework-secret-names``."""
    if name in extra_names:
        return True
    if not name.isupper() or name.endswith(NOT_A_KEY_SUFFIXES):
        return False
    return (
        name in SECRET_SETTING_NAMES
        or name.endswith(SECRET_SETTING_SUFFIXES)
        or name.startswith("SECRET_KEY_")
    )


def _is_non_empty_literal(value) -> bool:
    """A literal worth reporting: non-empty str/bytes, or literal of uncomputed value."""
    if not value.is_literal:
        return False
    if value.value is NO_VALUE:
        return True
    return isinstance(value.value, (str, bytes)) and len(value.value) > 0


class _SecretReporter:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.values = ctx.values
        self.findings = []

    def fallback(self, lookup: EnvLookup, name: str) -> bool:
        """WEB102 for a lookup whose default is a non-empty literal. True if it reported."""
        if lookup.default is None:
            return False
        default = self.values.evaluate(lookup.default, lookup.scope)
        if not _is_non_empty_literal(default):
            return False
        origin = self.ctx.constant_origin(lookup.default, lookup.scope)
        if origin is not None:
            path, line, constant, _codes = origin
            name = f"{name} (default: the literal {constant} of {path}:{line})"
        self.findings.append(self.ctx.finding("WEB102", lookup.default_site, name=name))
        return True

    def value(self, value: ast.expr, site, scope, name: str) -> None:
        """Report a secret's value: a lookup's literal default (WEB102) or a literal (WEB101)."""
        pending = [(value, site)]
        while pending:
            node, node_site = pending.pop()
            if type(node) in (ast.List, ast.Tuple, ast.Set):  # SECRET_KEY_FALLBACKS = [...]
                pending.extend((element, element) for element in node.elts)
                continue
            unwrapped = unwrap_lookup(node, scope, self.values)
            if unwrapped is not None:
                self.fallback(unwrapped[0], name)
                continue
            self.literal(node, node_site, scope, name)

    def literal(self, node: ast.expr, site, scope, name: str) -> None:
        """WEB101 where ``node`` is literal; through a name, at the name's literal binding."""
        if not _is_non_empty_literal(self.values.evaluate(node, scope)):
            return
        if type(node) not in (ast.Name, ast.Attribute):
            self.findings.append(self.ctx.finding("WEB101", site, name=name))
            return
        for source, source_scope in self.values.literal_sources(node, scope):
            if not _is_non_empty_literal(self.values.evaluate(source, source_scope)):
                continue
            origin = self.ctx.constant_origin(source, source_scope)
            if origin is None:
                self.findings.append(self.ctx.finding("WEB101", source, name=name))
                continue
            path, line, constant, reported_there = origin
            if "WEB101" not in reported_there:  # else its module reports it under its name
                shown = f"{name} (the literal {constant} of {path}:{line})"
                self.findings.append(self.ctx.finding("WEB101", source, name=shown))


def run(ctx):
    report = _SecretReporter(ctx)
    extra = ctx.options.secret_names
    for site in ctx.setting_sites():
        if site.form != "cache_config" and is_secret_setting(site.name, extra):
            report.value(site.value, site.site, site.scope, site.name)
    for node, scope in ctx.nodes(ast.Assign):
        for target in node.targets:
            if (
                type(target) is ast.Attribute
                and target.attr == "secret_key"
                and is_app_receiver(target.value, scope)
            ):
                report.value(node.value, node.value, scope, "app.secret_key")
    for call, scope in ctx.calls_named(*SECRET_CALL_NAMES):
        _check_call(call, scope, ctx, report)
    for lookup in ctx.env_lookups(include_configuration_reads=True):
        if lookup.key is not None and is_secret_setting(lookup.key, extra):
            report.fallback(lookup, lookup.key)
    for node, scope in ctx.nodes(ast.BoolOp):
        unwrapped = unwrap_lookup(node, scope, ctx.values)
        if unwrapped is not None:
            lookup = unwrapped[0]
            if lookup.key is not None and is_secret_setting(lookup.key, extra):
                report.fallback(lookup, lookup.key)
    return report.findings


def _check_call(call: ast.Call, scope, ctx, report: _SecretReporter) -> None:
    func = call.func
    if type(func) not in (ast.Name, ast.Attribute):
        return
    names = ctx.qualnames(func, scope)
    if names & SESSION_MIDDLEWARE:
        value, site = call_argument(call, 1, "secret_key")
        if value is not None:
            report.value(value, site, scope, "SessionMiddleware secret_key")
        return
    if (
        names & STARLETTE_MIDDLEWARE_WRAPPER
        or (type(func) is ast.Attribute and func.attr == "add_middleware")
    ) and call.args and ctx.qualnames(call.args[0], scope) & SESSION_MIDDLEWARE:
        value, site = call_argument(call, 1, "secret_key")
        if value is not None:
            report.value(value, site, scope, "SessionMiddleware secret_key")
        return
    for name in names:
        label = PYRAMID_SECRET_FACTORIES.get(name)
        if label is not None:
            value, site = call_argument(call, 0, "secret")
            if value is not None:
                report.value(value, site, scope, label)
            return
        label = JWT_FUNCTIONS.get(name)
        if label is not None:
            value, site = call_argument(call, 1, "key")
            if value is not None:
                report.value(value, site, scope, label)
            return


CHECK = Check("secrets", run)
