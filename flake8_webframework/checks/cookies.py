"""WEB504 insecure-cookie-setting: session, CSRF and remember-me cookies, and cookies set on a
response, sent without Secure/HttpOnly/SameSite protection.

* settings, in every settings form and through environment lookups with a literal default:
  ``SESSION_COOKIE_SECURE``, ``CSRF_COOKIE_SECURE``, ``REMEMBER_COOKIE_SECURE``,
  ``SESSION_COOKIE_HTTPONLY``, ``REMEMBER_COOKIE_HTTPONLY`` set to a false value, and
  ``SESSION_COOKIE_SAMESITE`` set to ``None``/``False``/``"None"``;
* ``set_cookie(..., secure=False)`` / ``httponly=False`` (also ``http_only=``, positional, and
  ``set_signed_cookie``) on a *response*: see :func:`is_response`;
* Pyramid ``AuthTktAuthenticationPolicy``/``AuthTktCookieHelper``/``SignedCookieSessionFactory``
  (and ``BaseCookieSessionFactory``, the legacy ``UnencryptedCookieSessionFactoryConfig``) with
  ``secure=False``, ``http_only``/``httponly=False`` or ``samesite=None``;
* Starlette ``SessionMiddleware(https_only=False)`` or ``same_site="none"``, directly, through
  ``add_middleware`` or in ``Middleware(...)``;
* Flask-Talisman ``session_cookie_secure=False``, ``session_cookie_http_only=False``,
  ``session_cookie_samesite=None`` (also through ``**config`` dicts and ``init_app``).

Only explicit values are reported: an argument left at a framework's (insecure) default is not.
"""

from __future__ import annotations

import ast

from ..arguments import call_argument
from ..lookups import unwrap_lookup
from ..names import lookup_name
from ..scopes import ASSIGN, IMPORT, PARAM
from ..values import NO_VALUE
from . import Check
from .transport import (
    bool_verdict,
    lookup_bool,
    lookup_plain,
    plain_value,
    reads_settings_object,
    setting_key_matches,
    show,
    shown_value,
    talisman_options,
)

SECURE, HTTPONLY, SAMESITE = "secure", "httponly", "samesite"
PROBLEMS = {
    SECURE: "over plain HTTP",
    HTTPONLY: "without HttpOnly, so page scripts can read it",
    SAMESITE: "on cross-site requests",
}

#: Setting -> which protection it switches.
COOKIE_SETTINGS = {
    "SESSION_COOKIE_SECURE": SECURE,
    "CSRF_COOKIE_SECURE": SECURE,
    "REMEMBER_COOKIE_SECURE": SECURE,
    "SESSION_COOKIE_HTTPONLY": HTTPONLY,
    "REMEMBER_COOKIE_HTTPONLY": HTTPONLY,
    "SESSION_COOKIE_SAMESITE": SAMESITE,
}

# -- responses --------------------------------------------------------------------------

#: Callables (classes, factories, shortcuts) whose result is an HTTP response object.
RESPONSE_FACTORIES = frozenset(
    {
        # Flask / Werkzeug / Quart
        "flask.make_response", "flask.helpers.make_response", "flask.Response",
        "flask.wrappers.Response", "flask.redirect", "flask.helpers.redirect", "flask.jsonify",
        "flask.json.jsonify", "flask.send_file", "flask.helpers.send_file",
        "flask.send_from_directory", "flask.helpers.send_from_directory", "flask.stream_template",
        "werkzeug.Response", "werkzeug.utils.redirect", "werkzeug.utils.send_file",
        "quart.make_response", "quart.helpers.make_response", "quart.Response",
        "quart.wrappers.Response", "quart.redirect", "quart.helpers.redirect", "quart.jsonify",
        "quart.send_file",
        # Django and Django REST framework
        "django.shortcuts.render", "django.shortcuts.redirect",
        "django.shortcuts.render_to_response", "django.template.response.TemplateResponse",
        "django.template.response.SimpleTemplateResponse", "rest_framework.response.Response",
        # FastAPI / Starlette
        "fastapi.Response",
        # Pyramid
        "pyramid.response.Response", "pyramid.response.FileResponse",
        "pyramid.renderers.render_to_response",
        # aiohttp, Bottle
        "aiohttp.web.json_response", "bottle.response", "bottle.HTTPResponse",
        "bottle.redirect",
    }
)
#: Modules whose ``*Response`` classes are responses (``django.http.JsonResponse``, ...).
RESPONSE_MODULES = (
    "django.http.", "starlette.responses.", "fastapi.responses.", "werkzeug.wrappers.",
    "aiohttp.web.", "pyramid.response.", "sanic.response.", "falcon.",
)
#: Results of these packages are HTTP *client* responses, never server responses.
CLIENT_PACKAGES = frozenset({"requests", "httpx", "urllib", "urllib3", "http", "aiohttp.client"})
CONVENTIONAL_RESPONSE_NAMES = frozenset({"response", "resp", "http_response"})
CONVENTIONAL_RESPONSE_SUFFIXES = ("_response", "_resp")

COOKIE_METHODS = {
    # method -> {protection: (keywords, positional index or None)}
    "set_cookie": {SECURE: (("secure",), 6), HTTPONLY: (("httponly", "http_only"), 7)},
    "set_signed_cookie": {SECURE: (("secure",), None), HTTPONLY: (("httponly",), None)},
}


def _is_response_name(qualname: str) -> bool:
    if qualname in RESPONSE_FACTORIES:
        return True
    tail = qualname.rpartition(".")[2]
    if qualname.startswith("pyramid.httpexceptions.") and tail.startswith("HTTP"):
        return True  # Pyramid's HTTP exceptions are responses (HTTPFound(...))
    return tail.endswith("Response") and qualname.startswith(RESPONSE_MODULES)


def _call_verdict(expr: ast.AST, scope, ctx):
    """True: makes a server response; False: makes something else known; None: unknown."""
    if type(expr) is ast.Await:
        expr = expr.value
    if type(expr) is not ast.Call:
        return None
    func = expr.func
    if type(func) not in (ast.Name, ast.Attribute):
        return None
    names = ctx.qualnames(func, scope)
    if any(_is_response_name(name) for name in names):
        return True
    for name in names:
        if name.partition(".")[0] in CLIENT_PACKAGES or name.startswith("aiohttp.client"):
            return False
    return None


def _annotation_is_response(annotation, scope, ctx) -> bool:
    """``Response``, ``HttpResponse``, ``"Response"``, ``Response | None`` (iteratively: a
    long ``|`` chain must not recurse)."""
    pending = [annotation]
    while pending:
        node = pending.pop()
        node_type = type(node)
        if node_type is ast.Constant and isinstance(node.value, str):
            if node.value.rpartition(".")[2] in ("Response", "HttpResponse"):
                return True
        elif node_type is ast.BinOp:  # Response | None
            pending.append(node.left)
            pending.append(node.right)
        elif node_type in (ast.Name, ast.Attribute):
            if any(_is_response_name(name) for name in ctx.qualnames(node, scope)):
                return True
    return False


def _conventional_name(name: str) -> bool:
    return name in CONVENTIONAL_RESPONSE_NAMES or name.endswith(CONVENTIONAL_RESPONSE_SUFFIXES)


def is_response(expr: ast.AST, scope, ctx) -> bool:
    """Whether ``expr`` is an HTTP response that a server sends.

    * a call of a known response class or factory (``make_response(...)``,
      ``HttpResponse(...)``, ``JSONResponse(...)``, ``redirect(...)``, ``render(...)``);
    * a name bound to one (``resp = make_response(...)``, ``await make_response(...)``) or a
      parameter annotated with a response class (``response: Response``);
    * a name of unknown origin (a parameter, an import, a call of a project function) that is
      conventionally a response: ``response``, ``resp``, ``http_response``, ``*_response``,
      ``*_resp`` -- Flask ``after_request`` hooks, Django middleware ``process_response``,
      FastAPI's injected ``response: Response``, Bottle's ``response``;
    * ``self.response`` / ``self.resp``.

    A name bound to something known not to be a server response (``requests.get(...)``,
    ``httpx``) is not one, whatever it is called.
    """
    node_type = type(expr)
    if node_type in (ast.Call, ast.Await):
        return _call_verdict(expr, scope, ctx) is True
    if node_type is ast.Attribute:
        return (
            type(expr.value) is ast.Name
            and expr.value.id == "self"
            and expr.attr in CONVENTIONAL_RESPONSE_NAMES
        )
    if node_type is not ast.Name:
        return False
    _, bindings = lookup_name(scope, expr.id)
    verdicts = set()
    for binding in bindings:
        if binding.kind == ASSIGN:
            verdicts.add(_call_verdict(binding.value, binding.scope, ctx))
        elif binding.kind == PARAM:
            if _annotation_is_response(getattr(binding.node, "annotation", None), binding.scope, ctx):
                verdicts.add(True)
        elif binding.kind == IMPORT:
            if binding.qualname and _is_response_name(binding.qualname):
                verdicts.add(True)
    if True in verdicts:
        return True
    if False in verdicts:
        return False
    return _conventional_name(expr.id)


# -- framework objects that set cookies --------------------------------------------------

#: Pyramid callables -> {protection: (keywords, positional index or None)}.
PYRAMID_COOKIE_FACTORIES = {
    "pyramid.authentication.AuthTktAuthenticationPolicy": {
        SECURE: (("secure",), 3), HTTPONLY: (("http_only",), 9), SAMESITE: (("samesite",), None),
    },
    "pyramid.authentication.AuthTktCookieHelper": {
        SECURE: (("secure",), 2), HTTPONLY: (("http_only",), 7), SAMESITE: (("samesite",), None),
    },
    "pyramid.session.SignedCookieSessionFactory": {
        SECURE: (("secure",), 5), HTTPONLY: (("httponly",), 6), SAMESITE: (("samesite",), 7),
    },
    "pyramid.session.BaseCookieSessionFactory": {
        SECURE: (("secure",), 5), HTTPONLY: (("httponly",), 6), SAMESITE: (("samesite",), 7),
    },
    "pyramid.session.UnencryptedCookieSessionFactoryConfig": {
        SECURE: (("cookie_secure",), 6), HTTPONLY: (("cookie_httponly",), 7),
    },
}
SESSION_MIDDLEWARE = frozenset(
    {"starlette.middleware.sessions.SessionMiddleware",
     "fastapi.middleware.sessions.SessionMiddleware"}
)
MIDDLEWARE_WRAPPERS = frozenset({"starlette.middleware.Middleware", "fastapi.middleware.Middleware"})
#: SessionMiddleware(app, secret_key, session_cookie, max_age, path, same_site, https_only);
#: ``add_middleware(SessionMiddleware, ...)`` and ``Middleware(SessionMiddleware, ...)`` put
#: the class where the app goes, so the positions are the same.
SESSION_MIDDLEWARE_OPTIONS = {SECURE: (("https_only",), 6), SAMESITE: (("same_site",), 5)}
#: The callee names :func:`_check_call` acts on (``ctx.calls_named``): the cookie methods,
#: ``add_middleware``, and the last part of every qualified name it matches.
COOKIE_CALL_NAMES = frozenset(
    set(COOKIE_METHODS)
    | {"add_middleware"}
    | {
        name.rpartition(".")[2]
        for name in SESSION_MIDDLEWARE | MIDDLEWARE_WRAPPERS | set(PYRAMID_COOKIE_FACTORIES)
    }
)
TALISMAN_COOKIE_OPTIONS = {
    "session_cookie_secure": SECURE,
    "session_cookie_http_only": HTTPONLY,
    "session_cookie_samesite": SAMESITE,
}


def _argument(call: ast.Call, keywords, position):
    """(value, site, keyword used) of the first matching keyword or the positional argument."""
    value, site = call_argument(call, position, *keywords)
    if value is None:
        return None, None, None
    return value, site, site.arg if type(site) is ast.keyword else keywords[0]


def samesite_off(value: object) -> bool:
    """A SameSite value that lets the browser send the cookie on cross-site requests."""
    if value is None or value is False:
        return True
    return isinstance(value, str) and value.strip().lower() == "none"


class _Reporter:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.findings = []
        self.judged: set[int] = set()

    def add(self, node, what: str, protection: str, fix: str) -> None:
        self.findings.append(
            self.ctx.finding("WEB504", node, what=what, problem=PROBLEMS[protection], fix=fix)
        )

    # settings ------------------------------------------------------------------------
    def setting(self, name: str, expr, scope, site, form: str) -> None:
        unwrapped = unwrap_lookup(expr, scope, self.ctx.values)
        if unwrapped is not None:
            self.judged.add(id(unwrapped[0].default_site))
            if _is_none(unwrapped[0].default):
                return  # ``default=None`` is no default
        protection = COOKIE_SETTINGS[name]
        if protection == SAMESITE:
            value, report_at, from_default = plain_value(self.ctx, expr, scope, site)
            if value is NO_VALUE or not samesite_off(value):
                return
            shown = show(value)
        else:
            verdict, report_at, from_default = bool_verdict(self.ctx, expr, scope, site)
            if verdict is not False:
                return
            shown = shown_value(self.ctx, expr, scope)
        self.setting_finding(name, shown, report_at, form, from_default)

    def lookup(self, name: str, lookup) -> None:
        """A lookup keyed by a cookie setting whose value the file does not assign to it."""
        if lookup.default is None or _is_none(lookup.default):
            return
        protection = COOKIE_SETTINGS[name]
        if protection == SAMESITE:
            value, report_at = lookup_plain(self.ctx, lookup, [])
            if value is NO_VALUE or not samesite_off(value):
                return
            shown = show(value)
        else:
            verdict, report_at = lookup_bool(self.ctx, lookup, [])
            if verdict is not False:
                return
            shown = show(self.ctx.values.literal_value(lookup.default, lookup.scope))
        self.setting_finding(name, shown, report_at, "lookup", True)

    def setting_finding(self, name, shown, report_at, form, from_default) -> None:
        protection = COOKIE_SETTINGS[name]
        if from_default:
            what = f"{name} defaulting to {shown} when the environment lacks it"
        elif form in ("module", "class"):
            what = f"{name} = {shown}"
        else:
            what = f"setting {name} to {shown}"
        fix = "set it to 'Lax' or 'Strict'" if protection == SAMESITE else "set it to True"
        self.add(report_at, what, protection, fix)

    # calls -----------------------------------------------------------------------------
    def options(self, call, scope, label: str, options: dict, call_form: str) -> None:
        """Report the cookie options of ``call`` that switch a protection off."""
        for protection, (keywords, position) in options.items():
            value, site, keyword = _argument(call, keywords, position)
            if value is None:
                continue
            if protection == SAMESITE:
                if _none_default_lookup(value, scope, self.ctx):
                    continue
                result, report_at, from_default = plain_value(self.ctx, value, scope, site)
                if result is NO_VALUE or not samesite_off(result):
                    continue
                fix = f"pass {keyword}='lax' or 'strict'"
            else:
                verdict, report_at, from_default = bool_verdict(self.ctx, value, scope, site)
                if verdict is not False:
                    continue
                fix = f"pass {keyword}=True"
            what = option_text(label, call_form, keyword, shown_value(self.ctx, value, scope),
                               from_default)
            self.add(report_at, what, protection, fix)


def option_text(label: str, call_form: str, keyword: str, shown: str, from_default: bool) -> str:
    """``set_cookie(..., secure=False)``; for an environment default
    ``set_cookie(..., secure=<environment, default '0'>)``."""
    if from_default:
        return f"{label}({call_form}{keyword}=<environment, default {shown}>)"
    return f"{label}({call_form}{keyword}={shown})"


def _is_none(node) -> bool:
    return type(node) is ast.Constant and node.value is None


def _none_default_lookup(expr, scope, ctx) -> bool:
    """An environment lookup whose default is ``None``: no default, not a literal value."""
    unwrapped = unwrap_lookup(expr, scope, ctx.values)
    return unwrapped is not None and _is_none(unwrapped[0].default)


def run(ctx):
    report = _Reporter(ctx)
    for site in ctx.setting_sites():
        if site.form != "cache_config" and site.name in COOKIE_SETTINGS:
            report.setting(site.name, site.value, site.scope, site.site, site.form)
    if ctx.settings.framework_context():
        for lookup in ctx.env_lookups():
            if lookup.key is None or id(lookup.default_site) in report.judged:
                continue
            if reads_settings_object(lookup):
                continue
            for name in COOKIE_SETTINGS:
                if setting_key_matches(lookup.key, name):
                    report.judged.add(id(lookup.default_site))
                    report.lookup(name, lookup)
                    break
    for call, scope in ctx.calls_named(*COOKIE_CALL_NAMES):
        _check_call(call, scope, ctx, report)
    for option, value, site, scope, form in talisman_options(ctx):
        protection = TALISMAN_COOKIE_OPTIONS.get(option)
        if protection is None:
            continue
        if protection == SAMESITE:
            if _none_default_lookup(value, scope, ctx):
                continue
            result, report_at, from_default = plain_value(ctx, value, scope, site)
            if result is NO_VALUE or not samesite_off(result):
                continue
            fix = "remove it (Talisman sets SameSite=Lax by default)"
        else:
            verdict, report_at, from_default = bool_verdict(ctx, value, scope, site)
            if verdict is not False:
                continue
            fix = "remove it (Talisman protects the session cookie by default)"
        what = option_text(form, "", option, shown_value(ctx, value, scope), from_default)
        report.add(report_at, what, protection, fix)
    return report.findings


def _check_call(call: ast.Call, scope, ctx, report: _Reporter) -> None:
    func = call.func
    func_type = type(func)
    if func_type is ast.Attribute and func.attr in COOKIE_METHODS:
        if is_response(func.value, scope, ctx):
            report.options(call, scope, func.attr, COOKIE_METHODS[func.attr], "..., ")
        return
    if func_type not in (ast.Name, ast.Attribute):
        return
    names = ctx.qualnames(func, scope)
    if names & SESSION_MIDDLEWARE:
        report.options(call, scope, "SessionMiddleware", SESSION_MIDDLEWARE_OPTIONS, "")
        return
    if (
        names & MIDDLEWARE_WRAPPERS
        or (func_type is ast.Attribute and func.attr == "add_middleware")
    ) and call.args and ctx.qualnames(call.args[0], scope) & SESSION_MIDDLEWARE:
        report.options(call, scope, "SessionMiddleware", SESSION_MIDDLEWARE_OPTIONS, "")
        return
    for name in names:
        options = PYRAMID_COOKIE_FACTORIES.get(name)
        if options is not None:
            report.options(call, scope, name.rpartition(".")[2], options, "")
            return


CHECK = Check("cookies", run)
