"""Settings modules, config classes, and every place a file assigns a framework setting.

A setting can be assigned in many spellings; :func:`collect_setting_sites` turns all of
them into :class:`SettingSite` records so each settings rule checks one list:

* module level of a module (``SECRET_KEY = "..."``), including ``if``/``try`` blocks;
* the body of a config class (``class ProdConfig: DEBUG = False``) and pydantic
  ``BaseSettings`` fields (case-insensitive, ``Field(default=...)``, ``SecretStr(...)``);
* ``django.conf.settings.configure(NAME=...)``;
* ``app.config["NAME"] = ...``, ``app.config.update(NAME=...)``/``from_mapping(...)``
  (keywords, dict literals, ``dict(...)``), ``app.config.setdefault("NAME", ...)``;
* Flask-Caching ``Cache(app, config={...})`` and ``cache.init_app(app, config={...})``.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass

from .apps import is_app_config
from .findings import Span
from .names import class_of_binding, lookup_name, resolve_qualnames
from .scopes import CLASS, MODULE, ModuleModel, Scope

WELL_KNOWN_SETTINGS = frozenset(
    {
        # Django
        "INSTALLED_APPS", "MIDDLEWARE", "MIDDLEWARE_CLASSES", "DATABASES", "ROOT_URLCONF",
        "ALLOWED_HOSTS", "SECRET_KEY", "TEMPLATES", "WSGI_APPLICATION", "ASGI_APPLICATION",
        "STATIC_URL", "STATIC_ROOT", "STATICFILES_DIRS", "MEDIA_URL", "MEDIA_ROOT",
        "AUTH_USER_MODEL", "AUTH_PASSWORD_VALIDATORS", "LANGUAGE_CODE", "TIME_ZONE", "USE_TZ",
        "USE_I18N", "CACHES", "SESSION_ENGINE", "DEFAULT_AUTO_FIELD", "EMAIL_BACKEND",
        "LOGIN_URL", "LOGIN_REDIRECT_URL", "AUTHENTICATION_BACKENDS", "PASSWORD_HASHERS",
        "SITE_ID", "X_FRAME_OPTIONS", "INTERNAL_IPS",
        # Flask and its extensions
        "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_TRACK_MODIFICATIONS", "SQLALCHEMY_BINDS",
        "SESSION_TYPE", "WTF_CSRF_ENABLED", "PERMANENT_SESSION_LIFETIME", "PREFERRED_URL_SCHEME",
        "SERVER_NAME", "APPLICATION_ROOT", "CACHE_TYPE", "MAIL_SERVER", "TESTING",
        "JWT_SECRET_KEY", "SECURITY_PASSWORD_SALT", "BABEL_DEFAULT_LOCALE",
    }
)
WELL_KNOWN_PREFIXES = ("SESSION_COOKIE_", "CSRF_COOKIE_", "SECURE_", "SQLALCHEMY_", "CORS_")
SETTINGS_FILE_PREFIXES = ("settings", "config", "local", "dev", "prod")
FRAMEWORK_PACKAGES = frozenset(
    {"django", "flask", "fastapi", "starlette", "pyramid", "quart", "werkzeug", "environ",
     "apiflask", "flask_sqlalchemy", "flask_wtf", "flask_login", "flask_caching",
     "flask_cors", "flask_talisman", "flask_session", "pydantic_settings"}
)
CONFIG_CLASS_SUFFIXES = ("Config", "Settings")
PYDANTIC_BASE_SETTINGS = frozenset(
    {"pydantic.BaseSettings", "pydantic_settings.BaseSettings", "pydantic.v1.BaseSettings",
     "pydantic.env_settings.BaseSettings", "pydantic_settings.main.BaseSettings"}
)
_PYDANTIC_WRAPPERS = frozenset(
    {"pydantic.Field", "pydantic.fields.Field", "pydantic.SecretStr", "pydantic.SecretBytes",
     "pydantic.types.SecretStr", "pydantic.v1.Field", "pydantic.v1.SecretStr"}
)
_DJANGO_CONFIGURE = frozenset({"django.conf.settings.configure"})
_FLASK_CACHING = frozenset({"flask_caching.Cache", "flask_cache.Cache", "flask.ext.cache.Cache"})


def is_well_known_setting(name: str) -> bool:
    return name in WELL_KNOWN_SETTINGS or name.startswith(WELL_KNOWN_PREFIXES)


def is_setting_name(name: str) -> bool:
    """An UPPER_CASE name (letters, digits and underscores, at least one letter)."""
    return name.isupper() and not name.startswith("__")


@dataclass
class SettingSite:
    """One assignment of a setting, however it is spelled."""

    name: str  # the setting's name, upper-cased for pydantic fields
    value: ast.expr
    #: where a finding about the value points: the value, the keyword or the dict entry
    site: object
    scope: Scope
    form: str  # "module" | "class" | "configure" | "app_config" | "cache_config"


class SettingsInfo:
    """What a file says about settings: is it a settings module, which classes configure."""

    def __init__(self, model: ModuleModel, filename: str, options=None, calls_named=None) -> None:
        self.model = model
        #: ``FileContext.calls_named`` (the calls of a callee name), when there is a context
        self._calls_named = calls_named
        #: ``(base expression, scope) -> bool``: a base class is a config class of another
        #: project module (set by the file's context when the project index is on)
        self.project_config_base = None
        self.filename = filename
        self.declared_settings_file = bool(options and options.is_settings_file(filename))
        module = model.module_scope
        self.module_setting_names = {name for name in module.bindings if is_setting_name(name)}
        self.imports_framework = any(
            name.lstrip(".").partition(".")[0] in FRAMEWORK_PACKAGES
            for name in model.imported_modules
        )
        self._from_object_names: set[str] | None = None
        self._loads_itself = False
        self._config_classes: set[int] | None = None
        self._pydantic_classes: set[int] = set()

    # -- settings modules ------------------------------------------------------------------

    def _scan_from_object(self) -> None:
        if self._from_object_names is not None:
            return
        names: set[str] = set()
        if self._calls_named is not None:
            calls = self._calls_named("from_object")
        else:
            calls = self.model.index.get(ast.Call, ())
        for call, scope in calls:
            func = call.func
            if type(func) is ast.Attribute and func.attr == "from_object" and call.args:
                target = call.args[0]
                if type(target) is ast.Name:
                    if target.id == "__name__":
                        self._loads_itself = True
                    else:
                        names.add(target.id)
                elif type(target) is ast.Constant and isinstance(target.value, str):
                    names.add(target.value.rpartition(".")[2])
                elif type(target) is ast.Attribute:
                    names.add(target.attr)
        self._from_object_names = names

    def settings_file_name(self) -> bool:
        base = os.path.basename(self.filename.replace("\\", "/")).lower()
        parent = os.path.basename(os.path.dirname(self.filename.replace("\\", "/"))).lower()
        return base.startswith(SETTINGS_FILE_PREFIXES) or parent in ("settings", "config")

    def is_settings_module(self, excluding: str | None = None) -> bool:
        """Whether the module is a Django/Flask settings module (see the conventions)."""
        if self.declared_settings_file:
            return True
        others = self.module_setting_names - {excluding} if excluding else self.module_setting_names
        if any(is_well_known_setting(name) for name in others):
            return True
        for star in self.model.module_scope.star_imports:
            if star.startswith(".") or "settings" in star:
                return True
        self._scan_from_object()
        if self._loads_itself:
            return True
        if self.settings_file_name():
            return self.imports_framework or any(
                is_well_known_setting(name) or name == "DEBUG"
                for name in self.module_setting_names
            )
        return False

    def framework_context(self, excluding: str | None = None) -> bool:
        """A settings module, or a module that imports a web framework."""
        return self.imports_framework or self.is_settings_module(excluding)

    # -- config classes ----------------------------------------------------------------------

    def config_classes(self) -> set[int]:
        """ids of the ClassDef nodes that are config classes."""
        if self._config_classes is not None:
            return self._config_classes
        self._scan_from_object()
        classes = self.model.index.get(ast.ClassDef, ())
        config: set[int] = set()
        pydantic: set[int] = set()
        for node, scope in classes:
            if node.name.endswith(CONFIG_CLASS_SUFFIXES) or node.name in self._from_object_names:
                config.add(id(node))
            elif self.project_config_base is not None and any(
                self.project_config_base(base, scope) for base in node.bases
            ):
                config.add(id(node))
            for base in node.bases:
                if resolve_qualnames(base, scope) & PYDANTIC_BASE_SETTINGS:
                    config.add(id(node))
                    pydantic.add(id(node))
        changed = True
        while changed:  # subclasses of config classes in the same file
            changed = False
            for node, scope in classes:
                for base in node.bases:
                    if type(base) is not ast.Name:
                        continue
                    parent = class_of_binding(lookup_name(scope, base.id)[1])
                    if parent is None or id(parent) not in config:
                        continue
                    if id(node) not in config:
                        config.add(id(node))
                        changed = True
                    if id(parent) in pydantic and id(node) not in pydantic:
                        pydantic.add(id(node))
                        changed = True
        self._config_classes = config
        self._pydantic_classes = pydantic
        return config

    def is_pydantic_settings(self, class_node: ast.ClassDef) -> bool:
        self.config_classes()
        return id(class_node) in self._pydantic_classes


def _unwrap_pydantic_default(value: ast.expr, scope: Scope) -> ast.expr | None:
    """``Field("x")``/``Field(default="x")``/``SecretStr("x")`` -> ``"x"``."""
    for _ in range(4):
        if type(value) is not ast.Call:
            return value
        if not resolve_qualnames(value.func, scope) & _PYDANTIC_WRAPPERS:
            return value
        inner = None
        for keyword in value.keywords:
            if keyword.arg == "default":
                inner = keyword.value
        if inner is None and value.args:
            inner = value.args[0]
        if inner is None or (type(inner) is ast.Constant and inner.value is Ellipsis):
            return None
        value = inner
    return value


def _assignment_pairs(node: ast.AST):
    """(target Name, value) pairs of an Assign/AnnAssign, through tuple unpacking."""
    if type(node) is ast.AnnAssign:
        if type(node.target) is ast.Name and node.value is not None:
            yield node.target, node.value
        return
    for target in node.targets:
        pairs = [(target, node.value)]
        while pairs:
            target_node, value = pairs.pop()
            if type(target_node) is ast.Name:
                yield target_node, value
            elif (
                type(target_node) in (ast.Tuple, ast.List)
                and type(value) in (ast.Tuple, ast.List)
                and len(target_node.elts) == len(value.elts)
            ):
                pairs.extend(zip(target_node.elts, value.elts))


def _mapping_sites(node: ast.expr, scope: Scope, form: str):
    """Settings in a dict literal or ``dict(NAME=...)`` call passed to a config method."""
    if type(node) is ast.Dict:
        for key, value in zip(node.keys, node.values):
            if type(key) is ast.Constant and isinstance(key.value, str):
                yield SettingSite(key.value, value, Span(key, value), scope, form)
    elif (
        type(node) is ast.Call
        and type(node.func) is ast.Name
        and node.func.id == "dict"
    ):
        for keyword in node.keywords:
            if keyword.arg:
                yield SettingSite(keyword.arg, keyword.value, keyword, scope, form)


#: Every callee name the call loop of :func:`collect_setting_sites` can act on: the methods
#: it tests ``func.attr`` against, and the last part of each qualified name it matches.
SETTING_CALL_NAMES = frozenset(
    {"configure", "update", "from_mapping", "setdefault", "init_app", "Cache"}
    | {name.rpartition(".")[2] for name in _DJANGO_CONFIGURE | _FLASK_CACHING}
)


def collect_setting_sites(
    model: ModuleModel,
    info: SettingsInfo,
    calls: list[tuple[ast.Call, Scope]] | None = None,
) -> list[SettingSite]:
    """Every setting site of the file. ``calls``: the calls to look at, at least those named
    one of :data:`SETTING_CALL_NAMES` (``FileContext.calls_named``); default every call."""
    sites: list[SettingSite] = []
    config_classes = None
    for node_type in (ast.Assign, ast.AnnAssign):
        for node, scope in model.index.get(node_type, ()):
            if scope.kind == MODULE:
                for target, value in _assignment_pairs(node):
                    if is_setting_name(target.id):
                        sites.append(SettingSite(target.id, value, value, scope, "module"))
            elif scope.kind == CLASS:
                if config_classes is None:
                    config_classes = info.config_classes()
                class_node = scope.node
                if id(class_node) not in config_classes:
                    continue
                pydantic = info.is_pydantic_settings(class_node)
                for target, value in _assignment_pairs(node):
                    name = target.id
                    if pydantic:
                        value = _unwrap_pydantic_default(value, scope)
                        if value is None:
                            continue
                        sites.append(SettingSite(name.upper(), value, value, scope, "class"))
                    elif is_setting_name(name):
                        sites.append(SettingSite(name, value, value, scope, "class"))
            if node_type is ast.Assign:
                for target in node.targets:
                    if (
                        type(target) is ast.Subscript
                        and type(target.slice) is ast.Constant
                        and isinstance(target.slice.value, str)
                        and is_app_config(target.value, scope)
                    ):
                        sites.append(
                            SettingSite(target.slice.value, node.value, node.value, scope,
                                        "app_config")
                        )
    if calls is None:
        calls = model.index.get(ast.Call, [])
    for call, scope in calls:
        func = call.func
        if type(func) is not ast.Attribute:
            if type(func) is ast.Name:
                _cache_config_sites(call, scope, sites)
            continue
        method = func.attr
        if method == "configure":
            if resolve_qualnames(func, scope) & _DJANGO_CONFIGURE:
                for keyword in call.keywords:
                    if keyword.arg:
                        sites.append(SettingSite(keyword.arg, keyword.value, keyword, scope,
                                                 "configure"))
        elif method in ("update", "from_mapping"):
            if is_app_config(func.value, scope):
                for keyword in call.keywords:
                    if keyword.arg:
                        sites.append(SettingSite(keyword.arg, keyword.value, keyword, scope,
                                                 "app_config"))
                for argument in call.args:
                    sites.extend(_mapping_sites(argument, scope, "app_config"))
        elif method == "setdefault":
            if (
                len(call.args) == 2
                and type(call.args[0]) is ast.Constant
                and isinstance(call.args[0].value, str)
                and is_app_config(func.value, scope)
            ):
                sites.append(SettingSite(call.args[0].value, call.args[1], call.args[1], scope,
                                         "app_config"))
        elif method == "init_app" or method == "Cache":
            _cache_config_sites(call, scope, sites)
    return sites


def _cache_config_sites(call: ast.Call, scope: Scope, sites: list[SettingSite]) -> None:
    """Flask-Caching ``Cache(app, config={...})`` and ``cache.init_app(app, config={...})``."""
    func = call.func
    is_cache = bool(resolve_qualnames(func, scope) & _FLASK_CACHING)
    if not is_cache and type(func) is ast.Attribute and func.attr == "init_app":
        is_cache = True
    if not is_cache:
        return
    for keyword in call.keywords:
        if keyword.arg == "config":
            for site in _mapping_sites(keyword.value, scope, "cache_config"):
                if site.name.startswith("CACHE_"):
                    sites.append(site)
