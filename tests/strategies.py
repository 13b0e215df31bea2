"""Hypothesis strategies and in-process front-end harnesses for the reliability tests.

Imported by ``tests/test_reliability.py`` and by ``benchmarks/fuzz.py`` (the longer run).

Two parts:

* **Harnesses** that run one source text through the three ways the plugin is used, each
  the way the real program calls it, with exceptions left to escape:

  - :func:`core_findings` - ``check_source`` (the Python API);
  - :func:`flake8_findings` - ``WebFrameworkPlugin(tree, filename, lines).run()``, with
    the tree and lines built as flake8 builds them for a file (universal newlines, BOM
    stripped, ``ast.parse`` of the joined lines);
  - :class:`PylintHarness` - a real ``PyLinter`` with the plugin loaded through
    ``load_plugin_modules`` (as ``--load-plugins`` does), only its messages enabled, a
    ``CollectingReporter``, and the checker's ``process_module`` called on an astroid module
    built by ``AstroidBuilder.string_build`` (pylint's own ``--from-stdin`` path). Messages
    go through the real ``PyLinter.add_message`` (message-id validation, enabling).

  Each returns sorted ``(line, col, code)`` with 0-based columns (flake8 prints ``col + 1``,
  pylint prints ``col``), so the three are directly comparable.

* **Strategies**: :func:`framework_modules` composes real framework calls, settings and
  configuration forms (Django settings, ``app.config[...]``, ``.update(...)``, config classes,
  pydantic ``BaseSettings``, templates from strings, ``mark_safe``, raw SQL, ``jwt.decode``,
  environment lookups with defaults, ``FastAPI(...)``, CORS, Pyramid ACLs, ...) with random
  arguments (literals, names, parameters, f-strings, formatting, environment lookups), every
  import spelling (``import m``, ``import m as a``, ``from m import n``, ``from m import n as
  a``, ``from parent import m``, ``from m import *``, function-local and ``try/except
  ImportError`` imports) and random nesting (functions, async functions, classes,
  ``if/else``, ``try/except/finally``, ``with``, ``for``, ``while``, ``match``).
"""

from __future__ import annotations

import ast
import io
import keyword
import os
import tokenize
import warnings
from dataclasses import dataclass

from hypothesis import strategies as st

from flake8_webframework import RULES, check_source
from flake8_webframework.flake8_plugin import WebFrameworkPlugin

Key = tuple[int, int, str]  # (line, 0-based col, code)

CODE_BY_MSGID = {rule.msgid: code for code, rule in RULES.items()}
FAILURE_CODE = "WEB000"


# -- harnesses -----------------------------------------------------------------------------


def core_findings(source: str | bytes, filename: str) -> list[Key]:
    """``check_source`` as the Python API runs it (raises ``UnparsableSourceError``)."""
    return [(f.line, f.col, f.code) for f in check_source(source, filename)]


def flake8_lines(source: str) -> list[str]:
    """The lines flake8 reads from a file: universal newlines (``\\r\\n`` and ``\\r`` become
    ``\\n``; form feeds and U+2028 stay inside their line), a leading BOM stripped."""
    lines = io.StringIO(source, newline=None).readlines()
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    return lines


def flake8_findings(source: str, filename: str) -> list[Key]:
    """The flake8 adapter as flake8 drives it: ``ast.parse`` of the joined lines, then the
    plugin class instantiated with ``tree``, ``filename`` and ``lines``, ``run()`` listed."""
    lines = flake8_lines(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings of generated code
        tree = ast.parse("".join(lines))
    plugin = WebFrameworkPlugin(tree, filename, lines)
    found = []
    for line, col, text, plugin_type in plugin.run():
        assert plugin_type is WebFrameworkPlugin
        found.append((line, col, text.split(" ", 1)[0]))
    return sorted(found)


class PylintHarness:
    """One real ``PyLinter`` with the plugin loaded, reused across sources."""

    MODNAME = "generated"

    def __init__(self) -> None:
        from astroid import MANAGER
        from astroid.builder import AstroidBuilder
        from pylint.lint import PyLinter
        from pylint.reporters import CollectingReporter

        self._builder = AstroidBuilder(MANAGER)
        self.reporter = CollectingReporter()
        self.linter = PyLinter(reporter=self.reporter)
        self.linter.load_plugin_modules(["pylint_webframework"])
        self.linter.disable("all")
        self.linter.enable("webframework")
        (self.checker,) = [c for c in self.linter.get_checkers() if c.name == "webframework"]
        self.checker.open()

    def build(self, source: str, filename: str):
        """The astroid module pylint builds for this source, or ``None`` where astroid itself
        refuses it (pylint then reports syntax-error/astroid-error and never runs plugins)."""
        import astroid

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return self._builder.string_build(source, self.MODNAME, filename)
        except (astroid.AstroidError, RecursionError, SyntaxError, ValueError, tokenize.TokenError):
            # e.g. astroid 4 on 3.13 re-tokenizes class headers and fails on "\\\r" line
            # continuations (tokenize.TokenError); real pylint reports astroid-error there
            return None

    def findings(self, source: str, filename: str) -> list[Key] | None:
        """Sorted ``(line, col, code)`` of the plugin's messages; ``None`` if astroid
        cannot build the module. Exceptions of the plugin escape."""
        from pylint.utils import FileState

        module = self.build(source, filename)
        if module is None:
            return None
        self.linter.set_current_module(self.MODNAME, filename)
        self.linter.file_state = FileState(self.MODNAME, self.linter.msgs_store, module)
        self.reporter.messages = []
        self.checker.process_module(module)
        return sorted(
            (m.line, m.column, CODE_BY_MSGID[m.msg_id]) for m in self.reporter.messages
        )


def utf8_encodable(source: str) -> bool:
    """Source a file could hold (no lone surrogates)."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# -- framework-aware generator ---------------------------------------------------------------

#: role -> (module, name). ``import module`` must be a real spelling for ``module.name``.
SYMBOLS: dict[str, tuple[str, str]] = {
    "Flask": ("flask", "Flask"),
    "Quart": ("quart", "Quart"),
    "render_template_string": ("flask", "render_template_string"),
    "request": ("flask", "request"),
    "FlaskMarkup": ("flask", "Markup"),
    "Markup": ("markupsafe", "Markup"),
    "mark_safe": ("django.utils.safestring", "mark_safe"),
    "format_html": ("django.utils.html", "format_html"),
    "DjangoTemplate": ("django.template", "Template"),
    "Environment": ("jinja2", "Environment"),
    "SandboxedEnvironment": ("jinja2.sandbox", "SandboxedEnvironment"),
    "JinjaTemplate": ("jinja2", "Template"),
    "select_autoescape": ("jinja2", "select_autoescape"),
    "MakoTemplate": ("mako.template", "Template"),
    "jwt_decode": ("jwt", "decode"),
    "jose_decode": ("jose.jwt", "decode"),
    "environ": ("os", "environ"),
    "getenv": ("os", "getenv"),
    "Env": ("environ", "Env"),
    "config": ("decouple", "config"),
    "BaseSettings": ("pydantic_settings", "BaseSettings"),
    "BaseSettingsV1": ("pydantic", "BaseSettings"),
    "Field": ("pydantic", "Field"),
    "FastAPI": ("fastapi", "FastAPI"),
    "CORSMiddleware": ("fastapi.middleware.cors", "CORSMiddleware"),
    "StarletteCORS": ("starlette.middleware.cors", "CORSMiddleware"),
    "csrf_exempt": ("django.views.decorators.csrf", "csrf_exempt"),
    "pickle_loads": ("pickle", "loads"),
    "yaml_load": ("yaml", "load"),
    "connect": ("sqlite3", "connect"),
    "RawSQL": ("django.db.models.expressions", "RawSQL"),
    "text": ("sqlalchemy", "text"),
    "Allow": ("pyramid.security", "Allow"),
    "Everyone": ("pyramid.security", "Everyone"),
    "Authenticated": ("pyramid.authorization", "Authenticated"),
    "ALL_PERMISSIONS": ("pyramid.security", "ALL_PERMISSIONS"),
    "DebuggedApplication": ("werkzeug.debug", "DebuggedApplication"),
    "run_simple": ("werkzeug.serving", "run_simple"),
    "Talisman": ("flask_talisman", "Talisman"),
    "CORS": ("flask_cors", "CORS"),
    "Configurator": ("pyramid.config", "Configurator"),
}

SETTING_NAMES = [
    "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "JWT_SECRET_KEY", "SECRET_KEY_FALLBACKS",
    "WTF_CSRF_SECRET_KEY", "SECURITY_PASSWORD_SALT", "WTF_CSRF_ENABLED", "TESTING", "ENV",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "REMEMBER_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "X_FRAME_OPTIONS", "SESSION_ENGINE",
    "CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", "CORS_ALLOW_CREDENTIALS",
    "CORS_SUPPORTS_CREDENTIALS", "CORS_ORIGINS", "MAIL_PASSWORD", "SQLALCHEMY_DATABASE_URI",
    "DATABASE_URL", "EMAIL_HOST_PASSWORD", "SESSION_SERIALIZER", "TEMPLATES_AUTO_RELOAD",
    "INSTALLED_APPS", "MIDDLEWARE", "PASSWORD_HASHERS", "CACHES", "DATABASES", "TEMPLATES",
    "VERBOSE", "TIMEOUT", "NAME", "secret_key", "debug",
]
CACHE_BACKENDS = [
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.db.DatabaseCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.locmem.LocMemCache",
    "django_redis.cache.RedisCache",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "corsheaders.middleware.CorsMiddleware",
]
HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher",
    "django.contrib.auth.hashers.SHA1PasswordHasher",
]
SESSION_ENGINES = [
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.signed_cookies",
    "django.contrib.sessions.backends.db",
]
FILENAMES = [
    "settings.py", "app.py", "config.py", "views.py", "module.py", "main.py",
    "mysite/settings.py", "project/settings/dev.py", "project/settings/base.py",
    "config_prod.py", "api/routes.py", "ünïcode_views.py",
]
PARAMS = ["request", "name", "token", "user", "data", "value", "sql", "app", "jwt", "cursor",
          "template", "key", "x", "ünï", "options", "settings", "env"]
CONSTANTS = ["TEMPLATE", "GREETING", "QUERY", "OPTIONS", "KEY", "HOSTS", "ORIGINS", "ÉTÉ"]


def identifiers() -> st.SearchStrategy[str]:
    """Short identifiers, some non-ASCII (they shift UTF-8 byte columns)."""
    ascii_names = st.from_regex(r"[a-z_][a-z0-9_]{0,7}", fullmatch=True)
    unicode_names = st.sampled_from(["ünï", "ключ", "café_", "名前", "Ωmega"])
    return st.one_of(ascii_names, unicode_names).filter(
        lambda n: n.isidentifier() and not keyword.iskeyword(n) and not keyword.issoftkeyword(n)
    )


IDENTIFIERS = identifiers()


@dataclass(frozen=True)
class Spelling:
    """How one symbol is imported: the import line and the expression that refers to it."""

    line: str
    ref: str
    star: bool = False


def spell(module: str, name: str, alias: str, kind: str) -> Spelling:
    parts = module.split(".")
    if kind.startswith("from_parent") and len(parts) == 1:
        kind = "from"
    if kind == "import":
        return Spelling(f"import {module}", f"{module}.{name}")
    if kind == "import_as":
        return Spelling(f"import {module} as {alias}", f"{alias}.{name}")
    if kind == "from":
        return Spelling(f"from {module} import {name}", name)
    if kind == "from_as":
        return Spelling(f"from {module} import {name} as {alias}", alias)
    if kind == "star":
        return Spelling(f"from {module} import *", name, star=True)
    parent, last = ".".join(parts[:-1]), parts[-1]
    if kind == "from_parent":
        return Spelling(f"from {parent} import {last}", f"{last}.{name}")
    return Spelling(f"from {parent} import {last} as {alias}", f"{alias}.{name}")


SPELLING_KINDS = ["import", "import_as", "from", "from_as", "star", "from_parent", "from_parent_as"]


@st.composite
def import_table(draw) -> dict[str, Spelling]:
    """Every symbol's spelling for one module (aliases unique within the module)."""
    aliases = draw(st.lists(IDENTIFIERS, min_size=len(SYMBOLS), max_size=len(SYMBOLS), unique=True))
    kinds = draw(st.lists(st.sampled_from(SPELLING_KINDS), min_size=len(SYMBOLS), max_size=len(SYMBOLS)))
    return {
        role: spell(module, name, alias, kind)
        for (role, (module, name)), alias, kind in zip(SYMBOLS.items(), aliases, kinds)
    }


def R(role: str) -> str:  # noqa: N802 - reads as a name in the templates below
    """Placeholder for a symbol, replaced by the module's spelling of it at the end."""
    assert role in SYMBOLS, role
    return f"\u27e8{role}\u27e9"


def substitute(text: str, table: dict[str, Spelling]) -> str:
    for role, spelling in table.items():
        text = text.replace(R(role), spelling.ref)
    return text


# Expressions ------------------------------------------------------------------------------

_TEXT = st.lists(
    st.sampled_from(list("abcXYZ019 _-*/.:%{}<>'\"\\\t") + ["é", "ключ", "名", "\u2028"]),
    max_size=12,
).map("".join)

STRING_LITERALS = st.one_of(
    _TEXT.map(repr),
    _TEXT.map(repr),
    st.tuples(st.sampled_from(["r", "b", "u", "R", "rb"]), st.text("abc%s{} ", max_size=8)).map(
        lambda p: f'{p[0]}"{p[1]}"'
    ),
    # raw line-like characters inside strings (str.splitlines splits on them, Python does not)
    st.sampled_from(['"a\x0cb"', '"é\x0cé"', '"x\u2028y"', '"é\x1cé\x85\x0bé"']),
    _TEXT.filter(lambda t: '"' not in t and "\\" not in t).map(lambda t: f'"""{t}\n{t}"""'),
    st.tuples(_TEXT, _TEXT).map(lambda p: f"{p[0]!r} {p[1]!r}"),  # implicit concatenation
)
LITERALS = st.one_of(
    STRING_LITERALS,
    st.sampled_from(["True", "False", "None", "0", "1", "-1", "3.5", "10**12", "...", "'*'",
                     '"0.0.0.0"', '""', '"true"', '"False"', "b''"]),
)
NAMES = st.sampled_from(PARAMS + CONSTANTS + ["__name__", "undefined_name", "self.TPL", "cls.KEY"])
REQUEST_DATA = st.sampled_from(
    [
        R("request") + '.args.get("q")',
        R("request") + '.args["q"]',
        R("request") + ".data",
        R("request") + ".get_data()",
        R("request") + '.form.get("x", "")',
        "request.GET['q']",
        "request.body",
        'request.query_params.get("x")',
    ]
)
_ENV_FORMS = {
    "get": R("environ") + '.get("{key}", {default})',
    "get_kw": R("environ") + '.get("{key}", default={default})',
    "getenv": R("getenv") + '("{key}", {default})',
    "item": R("environ") + '["{key}"]',
    "or": R("environ") + '.get("{key}") or {default}',
    "setdefault": R("environ") + '.setdefault("{key}", {default})',
    "env": 'env("{key}", default={default})',
    "env_bool": 'env.bool("{key}", default={default})',
    "decouple": R("config") + '("{key}", default={default}, cast=bool)',
    "compare": R("getenv") + '("{key}", {default}).lower() in ("1", "true")',
    "int": "bool(int(" + R("environ") + '.get("{key}", {default})))',
    "getattr": 'getattr(settings, "{key}", {default})',
    "scheme": R("Env") + "({key}=(bool, {default}))",
}


def env_lookups(default: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(sorted(_ENV_FORMS)), st.sampled_from(SETTING_NAMES), default).map(
        lambda p: _ENV_FORMS[p[0]].replace("{key}", p[1]).replace("{default}", p[2])
    )


FSTRINGS = st.lists(
    st.one_of(
        st.lists(st.sampled_from(list("SELECT *=<>/ ab%é") + ["{{", "}}"]), max_size=8).map("".join),
        st.sampled_from(PARAMS[:8] + CONSTANTS[:3] + ["x.y", "f(x)", "1 + 2", "x!r", "x:>10", "x!s:^4"])
        .map(lambda f: "{" + f + "}"),
    ),
    max_size=4,
).map(lambda parts: 'f"' + "".join(parts) + '"')


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "%", "*", "or", "and", "if c else"]), inner)
        .map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
        st.tuples(STRING_LITERALS, inner).map(lambda p: f"{p[0]}.format({p[1]})"),
        st.tuples(STRING_LITERALS, inner).map(lambda p: f"{p[0]} % ({p[1]},)"),
        st.lists(inner, max_size=3).map(lambda xs: f'"".join([{", ".join(xs)}])'),
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(inner, max_size=2).map(lambda xs: "(" + "".join(x + ", " for x in xs) + ")"),
        st.lists(st.tuples(st.sampled_from(SETTING_NAMES), inner), max_size=3).map(
            lambda kv: "{" + ", ".join(f'"{k}": {v}' for k, v in kv) + "}"
        ),
        st.tuples(st.sampled_from(["str", "make", "_", "gettext", "escape", "bool"]), inner)
        .map(lambda p: f"{p[0]}({p[1]})"),
        inner.map(lambda x: f"({x})[0]"),
        inner.map(lambda x: f"(lambda: {x})()"),
        env_lookups(inner),
    )


#: Argument expressions: literals, names in scope, request data, environment lookups,
#: formatting, f-strings, containers, calls and conditionals.
EXPRESSIONS = st.recursive(
    st.one_of(LITERALS, LITERALS, NAMES, REQUEST_DATA, FSTRINGS, env_lookups(LITERALS)),
    _extend,
    max_leaves=5,
)


# Statements -------------------------------------------------------------------------------


def _kwargs(names: list[str]) -> st.SearchStrategy[str]:
    return st.lists(
        st.tuples(st.sampled_from(names), EXPRESSIONS), max_size=3, unique_by=lambda kv: kv[0]
    ).map(lambda kvs: ", ".join(f"{k}={v}" for k, v in kvs))


def _one(fmt: str, *parts: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.tuples(*parts).map(lambda args: [fmt.format(*args)])


_E = EXPRESSIONS
_SETTING = st.sampled_from(SETTING_NAMES)
_UPPER = st.sampled_from([n for n in SETTING_NAMES if n.isupper()])
_BOOLS = st.sampled_from(["True", "False", "None", "1", "0", '"yes"'])

#: One framework statement (a list of source lines, placeholders not yet substituted).
STATEMENTS = st.one_of(
    # Django settings module forms
    _one("{} = {}", _SETTING, _E),
    _one("{}: {} = {}", _SETTING, st.sampled_from(["str", "bool", "int", "list"]), _E),
    _one("{} += {}", _SETTING, _E),
    _one("{}, {} = {}, {}", _UPPER, _UPPER, _E, _E),
    _one("ALLOWED_HOSTS = [{}, {}]", _E, st.sampled_from(['"*"', '".example.com"', '"localhost"'])),
    _one('DATABASES = {{"default": {{"ENGINE": "django.db.backends.postgresql", "PASSWORD": {}}}}}', _E),
    _one('CACHES = {{"default": {{"BACKEND": {}, "LOCATION": {}}}}}',
         st.sampled_from(CACHE_BACKENDS).map(repr), _E),
    st.lists(st.sampled_from(MIDDLEWARE), unique=True, max_size=6).map(lambda m: [f"MIDDLEWARE = {m!r}"]),
    st.lists(st.sampled_from(HASHERS), unique=True, min_size=1, max_size=3)
    .map(lambda h: [f"PASSWORD_HASHERS = {h!r}"]),
    _one("SESSION_ENGINE = {}", st.sampled_from(SESSION_ENGINES).map(repr)),
    _one('TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", '
         '"OPTIONS": {{"autoescape": {}}}}}]', _E),
    _one('INSTALLED_APPS = ["django.contrib.auth", {}]', _E),
    # Flask / Quart app configuration
    _one("app = {}(__name__)", st.sampled_from([R("Flask"), R("Quart")])),
    _one("app.config[{!r}] = {}", _SETTING, _E),
    _one("app.config.update({}={})", _UPPER, _E),
    _one("app.config.update({{{!r}: {}}})", _SETTING, _E),
    _one("app.config.from_mapping({}={})", _UPPER, _E),
    _one("app.config.from_object(__name__)"),
    _one("app.secret_key = {}", _E),
    _one("app.debug = {}", _E),
    _one("app.run({})", _kwargs(["host", "port", "debug", "use_debugger", "use_reloader"])),
    _one(R("Talisman") + "(app, {})",
         _kwargs(["force_https", "strict_transport_security", "frame_options", "session_cookie_secure"])),
    _one(R("CORS") + "(app, {})", _kwargs(["origins", "supports_credentials", "resources"])),
    # templates and escaping
    _one(R("render_template_string") + "({}, name={})", _E, _E),
    _one(R("Environment") + "({}).from_string({})", _kwargs(["autoescape", "loader", "trim_blocks"]), _E),
    _one(R("SandboxedEnvironment") + "(autoescape={}).from_string({})", _E, _E),
    _one(R("JinjaTemplate") + "({}, autoescape={})", _E, _E),
    _one(R("DjangoTemplate") + "({})", _E),
    _one(R("MakoTemplate") + "({})", _E),
    _one(R("Environment") + "(autoescape=" + R("select_autoescape") + "({}))", _E),
    _one(R("mark_safe") + "({})", _E),
    _one(R("Markup") + "({})", _E),
    _one(R("FlaskMarkup") + "({}).format({})", _E, _E),
    _one(R("format_html") + "({}, {})", _E, _E),
    # raw SQL
    _one("cursor.execute({})", _E),
    _one("cursor.execute({}, ({},))", _E, _E),
    _one('cursor.execute(f"SELECT * FROM t WHERE a = {{{}}}")', st.sampled_from(PARAMS[:6])),
    _one("conn = " + R("connect") + '(":memory:"); cur = conn.cursor(); cur.executescript({})', _E),
    _one("User.objects.raw({})", _E),
    _one("User.objects.extra(where=[{}])", _E),
    _one(R("RawSQL") + "({}, [])", _E),
    _one("session.execute(" + R("text") + "({}))", _E),
    # JWT
    _one(R("jwt_decode") + '({}, {}, algorithms=["HS256"], options={{"verify_signature": {}}})', _E, _E, _BOOLS),
    _one(R("jwt_decode") + "({}, options={})", _E, _E),
    _one(R("jwt_decode") + "({}, verify={})", _E, _BOOLS),
    _one(R("jose_decode") + '({}, {}, options={{"verify_signature": {}}})', _E, _E, _BOOLS),
    # environment lookups with defaults
    _one("env = " + R("Env") + "()"),
    _one("{} = {}", _UPPER, env_lookups(_E)),
    # FastAPI / Starlette
    _one("api = " + R("FastAPI") + "({})", _kwargs(["docs_url", "redoc_url", "openapi_url", "debug", "title"])),
    _one("api.add_middleware(" + R("CORSMiddleware") + ", {})",
         _kwargs(["allow_origins", "allow_credentials", "allow_origin_regex"])),
    _one(R("StarletteCORS") + "(api, allow_origins={}, allow_credentials={})", _E, _BOOLS),
    # deserialisation
    _one(R("pickle_loads") + "({})", _E),
    _one(R("yaml_load") + "({}, Loader=None)", _E),
    # Pyramid
    _one("__acl__ = [({}, {}, {})]", st.sampled_from([R("Allow"), '"Allow"']),
         st.sampled_from([R("Everyone"), R("Authenticated"), '"group:x"']),
         st.sampled_from([R("ALL_PERMISSIONS"), '"view"'])),
    _one("config = " + R("Configurator") + "(settings={{{!r}: {}}})",
         st.sampled_from(["pyramid.includes", "debugtoolbar.hosts", "pyramid.reload_templates"]), _E),
    # Werkzeug
    _one(R("DebuggedApplication") + "(app, evalex={})", _BOOLS),
    _one(R("run_simple") + "({}, 5000, app, use_debugger={})", _E, _BOOLS),
    # name bindings the value analysis follows
    _one("{} = {}", st.sampled_from(CONSTANTS + PARAMS[:6]), _E),
    _one("{} += {}", st.sampled_from(CONSTANTS + PARAMS[:6]), _E),
    _one("{} = {}", st.sampled_from(["rts", "ms", "decode"]),
         st.sampled_from([R("render_template_string"), R("mark_safe"), R("jwt_decode")])),
    _one("del {}", st.sampled_from(CONSTANTS)),
    _one("{}", _E),
)

#: An import of one symbol inside a block (function-local import); the module's spelling
#: is substituted at the end (star imports, which only module level allows, are skipped).
LOCAL_IMPORT = st.sampled_from(sorted(SYMBOLS)).map(lambda role: [f"\u27e8import:{role}\u27e9"])

#: Parameter annotations, string (forward-reference) forms included: the raw-SQL check
#: re-parses those to find SQLAlchemy sessions.
ANNOTATIONS = st.sampled_from(
    ["", ": Session", ': "Session"', ': "Optional[Session]"', ': "Annotated[Session, Depends(get_db)]"',
     ': "Session | None"', ": Annotated[Session, Depends()]", ': "sqlalchemy.orm.Session"',
     ': "not valid ]"', ': ""', ': "Ωmega"', ': "Session\\t"', ": str", ': "Request"']
)
_PARAM_LISTS = st.lists(
    st.tuples(st.sampled_from(PARAMS), ANNOTATIONS), unique_by=lambda p: p[0], max_size=3
).map(lambda params: ", ".join(name + annotation for name, annotation in params))
_DECORATORS = st.lists(
    st.sampled_from(['@app.route("/x")', "@" + R("csrf_exempt"), "@staticmethod",
                     "@login_required", "@api.get('/items')"]),
    max_size=2,
)
_BASES = st.lists(
    st.sampled_from(["object", "Config", R("BaseSettings"), R("BaseSettingsV1"), "BaseConfig"]),
    unique=True, max_size=2,
).map(", ".join)
_CLASS_NAMES = st.sampled_from(["Config", "DevelopmentConfig", "ProductionConfig", "Settings",
                                "TestConfig", "View", "Root", "Ünï"])
HEADERS = st.one_of(
    st.tuples(_DECORATORS, st.sampled_from(["def", "async def"]), IDENTIFIERS, _PARAM_LISTS)
    .map(lambda p: ([*p[0], f"{p[1]} {p[2]}({p[3]}):"], "def")),
    st.tuples(_CLASS_NAMES, _BASES).map(lambda p: ([f"class {p[0]}({p[1]}):"], "class")),
    st.just((["if DEBUG:"], "if")),
    st.just((["while running:"], "loop")),
    st.just((["for item in items:"], "loop")),
    st.just((['with open("f") as fh, lock:'], "with")),
    st.just((["try:"], "try")),
    st.just((["match command:", '    case {"action": action}:'], "match")),
)
_HANDLERS = st.sampled_from(["except ImportError:", "except Exception as exc:", "except (KeyError, ValueError):"])


def _nest(inner: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    body = st.lists(st.one_of(inner, LOCAL_IMPORT), min_size=1, max_size=3).map(
        lambda parts: [line for part in parts for line in part]
    )

    @st.composite
    def wrapped(draw) -> list[str]:
        header, kind = draw(HEADERS)
        indent = "        " if kind == "match" else "    "
        out = header + [indent + line for line in draw(body)]
        if kind == "if" and draw(st.booleans()):
            out += ["else:"] + ["    " + line for line in draw(body)]
        if kind == "try":
            out += [draw(_HANDLERS)] + ["    " + line for line in draw(body)]
            if draw(st.booleans()):
                out += ["finally:", "    pass"]
        return out

    return wrapped()


#: A statement or a statement nested in random blocks.
BLOCKS = st.recursive(STATEMENTS, _nest, max_leaves=6)


@dataclass(frozen=True)
class GeneratedModule:
    source: str
    filename: str

    def __repr__(self) -> str:  # hypothesis prints this on failure: make it pasteable
        return f"GeneratedModule(filename={self.filename!r}, source=\n{self.source})"


_PLACEMENT = st.sampled_from(["top", "top", "top", "top", "try", "absent"])


@st.composite
def framework_modules(draw, max_statements: int = 8) -> GeneratedModule:
    """A module of framework code: random statements and nested blocks, preceded by an
    import of each symbol they use in a random spelling (at the top, inside ``try/except
    ImportError``, or missing; blocks may import it again locally); ``\\n`` or ``\\r\\n``
    line endings; a random file name."""
    table = draw(import_table())
    body = draw(st.lists(BLOCKS, min_size=1, max_size=max_statements))
    text = "\n".join(line for block in body for line in block)
    head: list[str] = []
    for role, spelling in table.items():
        if R(role) not in text and f"\u27e8import:{role}\u27e9" not in text:
            continue
        text = text.replace(f"\u27e8import:{role}\u27e9", "pass" if spelling.star else spelling.line)
        placement = draw(_PLACEMENT)
        if placement == "top":
            head.append(spelling.line)
        elif placement == "try" and not spelling.star:
            head += ["try:", f"    {spelling.line}", "except ImportError:",
                     f"    {spelling.ref.split('.')[0]} = None"]
    text = substitute("\n".join([*head, text]), table)
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    source = text.replace("\n", newline) + newline
    return GeneratedModule(source, draw(st.sampled_from(FILENAMES)))


def parses(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


# -- corpus of installed Python files -------------------------------------------------------

#: Packages read in full by the sampled corpus run (web-facing parts of the stdlib, and
#: web frameworks/template engines wherever a test environment has them installed).
WEB_PACKAGES = (
    "http", "wsgiref", "urllib", "email", "html", "json", "sqlite3", "xmlrpc",
    "django", "flask", "jinja2", "markupsafe", "werkzeug", "starlette", "fastapi",
    "pyramid", "jwt", "pydantic", "pydantic_settings", "itsdangerous",
)


def installed_python_files() -> list[tuple[str, str]]:
    """``(root, path)`` of every ``.py`` file of the running interpreter's standard library
    (without its site-packages) and of its installed site-packages (purelib, platlib), sorted
    by path."""
    import sysconfig

    paths = sysconfig.get_paths()
    roots = [("stdlib", paths["stdlib"])]
    for key in ("purelib", "platlib"):
        if all(paths[key] != root for _, root in roots):
            roots.append((key, paths[key]))
    found = []
    for label, root in roots:
        for directory, dirs, files in os.walk(root):
            dirs[:] = sorted(
                d for d in dirs
                if d != "__pycache__" and not (label == "stdlib" and d in ("site-packages", "dist-packages"))
            )
            found += [(root, os.path.join(directory, f)) for f in sorted(files) if f.endswith(".py")]
    return found


def sample_files(files: list[tuple[str, str]], every: int) -> list[str]:
    """Every ``every``-th file, plus every file of :data:`WEB_PACKAGES`."""
    chosen = []
    for index, (root, path) in enumerate(files):
        top = os.path.relpath(path, root).split(os.sep)[0]
        if index % every == 0 or top.removesuffix(".py") in WEB_PACKAGES:
            chosen.append(path)
    return chosen


def check_file(path: str) -> str | None:
    """``None`` if the core handles the file (findings or a clean refusal of a file Python
    cannot parse either); otherwise what went wrong."""
    from flake8_webframework import UnparsableSourceError

    with open(path, "rb") as handle:
        data = handle.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            findings = check_source(data, path)
    except UnparsableSourceError as error:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(data, path, "exec", ast.PyCF_ONLY_AST)
        except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
            return None  # Python refuses it too: not a file "that parses"
        return f"refused a file Python parses: {error}"
    except BaseException as error:  # noqa: BLE001 - the point is that nothing escapes
        if isinstance(error, KeyboardInterrupt):
            raise
        return f"raised {type(error).__name__}: {error}"
    failed = [f.message for f in findings if f.code == FAILURE_CODE]
    return f"WEB000: {failed}" if failed else None


__all__ = [
    "FILENAMES", "GeneratedModule", "PylintHarness", "check_file", "core_findings",
    "flake8_findings", "flake8_lines", "framework_modules", "installed_python_files",
    "parses", "sample_files", "utf8_encodable",
]
