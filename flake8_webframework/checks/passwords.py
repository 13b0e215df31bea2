"""WEB103 hardcoded-password-setting.

A literal password in framework settings:

* Django ``DATABASES[alias]["PASSWORD"]`` (dict literals, ``dict(PASSWORD=...)``,
  ``DATABASES["default"]["PASSWORD"] = ...``, ``DATABASES["default"].update(...)``);
* ``EMAIL_HOST_PASSWORD`` (Django), ``MAIL_PASSWORD`` (Flask-Mail) and any other upper-case
  setting named ``PASSWORD`` / ``<PREFIX>PASSWORD`` (``POSTGRES_PASSWORD``), in every setting
  form (module level of a settings module, config classes, pydantic ``BaseSettings``,
  ``settings.configure``, ``app.config``);
* database URLs that embed a password (``postgresql://user:pw@host/db``) in
  ``SQLALCHEMY_DATABASE_URI`` / ``DATABASE_URL`` (and ``<PREFIX>_DATABASE_URL/URI``), in the
  values of ``SQLALCHEMY_BINDS`` / ``SQLALCHEMY_ENGINES``, passed to SQLAlchemy's
  ``create_engine``/``create_async_engine``/``make_url``, ``URL.create(password=...)``, and
  ``dj_database_url.parse(...)`` / ``dj_database_url.config(default=...)``;
* an environment lookup of such a setting whose default is a literal password (or a URL
  with one): reported at the default.

Empty passwords, placeholders (``${DB_PASSWORD}``, ``{password}``, ``%(password)s``,
``<password>``, ``***``) and lookups without a default are not reported.
"""

from __future__ import annotations

import ast
import re

from ..arguments import call_argument
from ..findings import Span
from ..lookups import EnvLookup, unwrap_lookup
from ..names import lookup_name
from ..scopes import ASSIGN, CLASS, MODULE
from ..values import NO_VALUE
from . import Check

#: Password settings the frameworks and their common extensions define.
FRAMEWORK_PASSWORD_SETTINGS = frozenset({"EMAIL_HOST_PASSWORD", "MAIL_PASSWORD"})
#: ``<ACTION>_PASSWORD`` names a feature (a URL, a template, a switch), not a credential.
NOT_A_CREDENTIAL_SUFFIXES = (
    "RESET_PASSWORD", "CHANGE_PASSWORD", "FORGOT_PASSWORD", "FORGOTTEN_PASSWORD",
    "RECOVER_PASSWORD", "SET_PASSWORD", "UPDATE_PASSWORD", "VERIFY_PASSWORD",
    "CONFIRM_PASSWORD", "SHOW_PASSWORD", "HIDE_PASSWORD", "REQUIRE_PASSWORD",
    "REQUIRES_PASSWORD", "NO_PASSWORD", "EMPTY_PASSWORD",
)
URL_SETTING_SUFFIXES = ("DATABASE_URI", "DATABASE_URL")
#: Settings whose values map bind names to database URLs (or to ``{"url": ...}`` dicts).
URL_MAP_SETTINGS = frozenset({"SQLALCHEMY_BINDS", "SQLALCHEMY_ENGINES"})
#: Callables whose first argument (or ``url=``) is a database URL.
URL_CALLABLES = {
    "sqlalchemy.create_engine": "create_engine URL",
    "sqlalchemy.engine.create_engine": "create_engine URL",
    "sqlalchemy.engine.create.create_engine": "create_engine URL",
    "sqlalchemy.ext.asyncio.create_async_engine": "create_async_engine URL",
    "sqlalchemy.ext.asyncio.engine.create_async_engine": "create_async_engine URL",
    "sqlalchemy.make_url": "make_url URL",
    "sqlalchemy.engine.make_url": "make_url URL",
    "sqlalchemy.engine.url.make_url": "make_url URL",
    "dj_database_url.parse": "dj_database_url.parse URL",
}
#: ``URL.create(drivername, username, password, ...)``.
URL_CREATE = frozenset(
    {"sqlalchemy.URL.create", "sqlalchemy.engine.URL.create", "sqlalchemy.engine.url.URL.create"}
)
DJ_DATABASE_URL_CONFIG = frozenset({"dj_database_url.config"})
#: The callee names :func:`_check_call` acts on (``ctx.calls_named``): the last part of
#: every qualified name it matches.
URL_CALL_NAMES = frozenset(
    name.rpartition(".")[2]
    for name in set(URL_CALLABLES) | URL_CREATE | DJ_DATABASE_URL_CONFIG
)
#: Packages whose import makes a module database/framework configuration code.
CONTEXT_PACKAGES = frozenset({"sqlalchemy", "dj_database_url", "flask_mail"})

#: SQLAlchemy's own reading of ``scheme://user:password@host``: the user stops at ``:`` or
#: ``/``, the password at the first ``@``.
_URL_PASSWORD = re.compile(r"^[A-Za-z][\w+.\-]*://(?P<user>[^:/]*):(?P<password>[^@]*)@")
_PLACEHOLDER_INSIDE = re.compile(
    r"\$\{[^}]*\}|\{\{?\s*[A-Za-z_][\w.]*\s*\}?\}|%\([A-Za-z_]\w*\)[sr]"
)
_PLACEHOLDER_WHOLE = re.compile(
    r"^(?:\$[A-Za-z_]\w*|\$\([A-Za-z_]\w*\)|%s|<[^<>]+>|\*+|\.\.\.|\u2026|x{3,}|X{3,})$"
)


def is_password_setting(name: str) -> bool:
    """``PASSWORD``, ``EMAIL_HOST_PASSWORD``, ``MAIL_PASSWORD``, ``<PREFIX>_PASSWORD``."""
    if name in FRAMEWORK_PASSWORD_SETTINGS:
        return True
    return (
        name.isupper()
        and name.endswith("PASSWORD")
        and not name.endswith(NOT_A_CREDENTIAL_SUFFIXES)
    )


def is_url_setting(name: str) -> bool:
    return name.isupper() and name.endswith(URL_SETTING_SUFFIXES)


def _is_placeholder(text: str) -> bool:
    stripped = text.strip()
    return bool(_PLACEHOLDER_INSIDE.search(stripped) or _PLACEHOLDER_WHOLE.match(stripped))


def real_password(value: object) -> bool:
    """A non-empty literal password that is not a placeholder."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return isinstance(value, str) and value.strip() != "" and not _is_placeholder(value)


def url_password(value: object) -> bool:
    """A database URL that embeds a real password."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return False
    match = _URL_PASSWORD.match(value.strip())
    return match is not None and real_password(match.group("password"))


def _dict_entries(node: ast.AST):
    """(key node, key, value node, site) of a dict literal or a ``dict(K=...)`` call."""
    if type(node) is ast.Dict:
        for key, value in zip(node.keys, node.values):
            if type(key) is ast.Constant and isinstance(key.value, str):
                yield key.value, value, Span(key, value)
    elif type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "dict":
        for keyword in node.keywords:
            if keyword.arg:
                yield keyword.arg, keyword.value, keyword


def _as_mapping(node: ast.AST, scope) -> ast.AST | None:
    """A dict literal, or a name bound (only) to one."""
    if type(node) in (ast.Dict, ast.Call):
        return node
    if type(node) is ast.Name:
        _, bindings = lookup_name(scope, node.id)
        if len(bindings) == 1 and bindings[0].kind == ASSIGN and type(bindings[0].value) is ast.Dict:
            return bindings[0].value
    return None


class _PasswordReporter:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.values = ctx.values
        self.findings = []
        self.judged: set[int] = set()

    def lookup(self, lookup: EnvLookup, judge, name: str) -> None:
        """A lookup's literal default, judged by ``judge`` (password or URL)."""
        self.judged.add(id(lookup.call))
        if lookup.default is None:
            return
        default = self.values.literal_value(lookup.default, lookup.scope)
        if default is not NO_VALUE and judge(default):
            self.findings.append(self.ctx.finding("WEB103", lookup.default_site, name=name))

    def value(self, node: ast.AST, site, scope, judge, name: str) -> None:
        """A setting's value: a lookup (its default) or a literal (at its binding)."""
        unwrapped = unwrap_lookup(node, scope, self.values)
        if unwrapped is not None:
            self.lookup(unwrapped[0], judge, name)
            return
        value = self.values.literal_value(node, scope)
        if value is NO_VALUE or not judge(value):
            return
        if type(node) not in (ast.Name, ast.Attribute):
            self.findings.append(self.ctx.finding("WEB103", site, name=name))
            return
        for source, source_scope in self.values.literal_sources(node, scope):
            if judge(self.values.literal_value(source, source_scope)):
                self.findings.append(self.ctx.finding("WEB103", source, name=name))

    def databases(self, node: ast.AST, scope) -> None:
        """``DATABASES = {alias: {"PASSWORD": ...}}``."""
        mapping = _as_mapping(node, scope)
        if mapping is None:
            return
        for alias, conf, site in _dict_entries(mapping):
            if unwrap_lookup(conf, scope, self.values) is not None:
                # ``env.db("DB_URL", default="postgres://u:pw@h/db")``
                self.value(conf, site, scope, url_password, f'DATABASES["{alias}"]')
                continue
            self.database_entry(_as_mapping(conf, scope), scope, alias)

    def database_entry(self, conf: ast.AST | None, scope, alias: str) -> None:
        if conf is None:
            return
        for key, value, site in _dict_entries(conf):
            if key == "PASSWORD":
                self.value(value, site, scope, real_password, f'DATABASES["{alias}"]["PASSWORD"]')

    def url_map(self, node: ast.AST, scope, name: str) -> None:
        """``SQLALCHEMY_BINDS = {bind: url}`` or ``{bind: {"url": url, ...}}``."""
        mapping = _as_mapping(node, scope)
        if mapping is None:
            return
        for bind, value, site in _dict_entries(mapping):
            inner = _as_mapping(value, scope)
            if inner is not None and (
                type(inner) is ast.Dict
                or (type(inner.func) is ast.Name and inner.func.id == "dict")
            ):
                for key, url, url_site in _dict_entries(inner):
                    if key == "url":
                        self.value(url, url_site, scope, url_password, f'{name}["{bind}"] url')
                continue
            self.value(value, site, scope, url_password, f'{name}["{bind}"]')


def _imports_context(ctx) -> bool:
    if ctx.settings.framework_context():
        return True
    return any(
        name.lstrip(".").partition(".")[0] in CONTEXT_PACKAGES for name in ctx.model.imported_modules
    )


def _site_in_context(ctx, site) -> bool:
    """Module-level assignments count in settings modules (framework-defined names also in
    any module that imports a framework); the other forms always count."""
    if site.form == "cache_config":
        return False
    if site.form != "module":
        return True
    name = site.name
    if name in FRAMEWORK_PASSWORD_SETTINGS or name == "DATABASES" or is_url_setting(name) \
            or name in URL_MAP_SETTINGS:
        return ctx.settings.framework_context(excluding=name)
    return ctx.settings.is_settings_module(excluding=name)


def run(ctx):
    report = _PasswordReporter(ctx)
    for site in ctx.setting_sites():
        name = site.name
        if not (
            name == "DATABASES" or name in URL_MAP_SETTINGS or is_url_setting(name)
            or is_password_setting(name)
        ):
            continue
        if not _site_in_context(ctx, site):
            continue
        if name == "DATABASES":
            report.databases(site.value, site.scope)
        elif name in URL_MAP_SETTINGS:
            report.url_map(site.value, site.scope, name)
        elif is_url_setting(name):
            report.value(site.value, site.site, site.scope, url_password, name)
        else:
            report.value(site.value, site.site, site.scope, real_password, name)
    _database_item_assignments(ctx, report)
    for call, scope in ctx.calls_named(*URL_CALL_NAMES):
        _check_call(call, scope, ctx, report)
    if _imports_context(ctx):
        already_judged = set(report.judged)
        lookups = list(ctx.env_lookups())
        for node, scope in ctx.nodes(ast.BoolOp):
            unwrapped = unwrap_lookup(node, scope, ctx.values)
            if unwrapped is not None:
                lookups.append(unwrapped[0])
        for lookup in lookups:
            if lookup.key is None:
                continue
            if is_password_setting(lookup.key):
                judge = real_password
            elif is_url_setting(lookup.key):
                judge = url_password
            else:
                continue
            if id(lookup.call) in already_judged:
                continue  # judged as the value of a setting it is assigned to
            report.lookup(lookup, judge, lookup.key)
    return report.findings


def _database_item_assignments(ctx, report: _PasswordReporter) -> None:
    """``DATABASES["default"]["PASSWORD"] = "..."`` and ``DATABASES["default"].update(...)``
    at module level or in a config class."""
    for node, scope in ctx.nodes(ast.Assign):
        if scope.kind not in (MODULE, CLASS):
            continue
        for target in node.targets:
            alias = _database_alias(target.value if type(target) is ast.Subscript else None)
            if alias is None:
                continue
            key = target.slice
            if type(key) is ast.Constant and key.value == "PASSWORD":
                report.value(node.value, node.value, scope, real_password,
                             f'DATABASES["{alias}"]["PASSWORD"]')
    for call, scope in ctx.calls_named("update"):
        func = call.func
        if scope.kind not in (MODULE, CLASS) or type(func) is not ast.Attribute:
            continue
        if func.attr != "update":
            continue
        alias = _database_alias(func.value)
        if alias is None:
            continue
        for keyword in call.keywords:
            if keyword.arg == "PASSWORD":
                report.value(keyword.value, keyword, scope, real_password,
                             f'DATABASES["{alias}"]["PASSWORD"]')
        for argument in call.args:
            report.database_entry(_as_mapping(argument, scope), scope, alias)


def _database_alias(node: ast.AST | None) -> str | None:
    """``DATABASES["alias"]`` -> ``"alias"``."""
    if (
        type(node) is ast.Subscript
        and type(node.value) is ast.Name
        and node.value.id == "DATABASES"
        and type(node.slice) is ast.Constant
        and isinstance(node.slice.value, str)
    ):
        return node.slice.value
    return None


def _check_call(call: ast.Call, scope, ctx, report: _PasswordReporter) -> None:
    func = call.func
    if type(func) not in (ast.Name, ast.Attribute):
        return
    names = ctx.qualnames(func, scope)
    if not names:
        return
    for name in names:
        label = URL_CALLABLES.get(name)
        if label is not None:
            value, site = call_argument(call, 0, "url")
            if value is not None:
                report.value(value, site, scope, url_password, label)
            return
    if names & URL_CREATE:
        value, site = call_argument(call, 2, "password")
        if value is not None:
            report.value(value, site, scope, real_password, "URL.create password")
        return
    if names & DJ_DATABASE_URL_CONFIG:
        value, site = call_argument(call, 1, "default")
        if value is not None:
            report.value(value, site, scope, url_password, "dj_database_url.config default")


CHECK = Check("passwords", run)
