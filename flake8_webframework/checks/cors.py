"""WEB505 cors-wildcard-credentials: CORS that lets any origin make credentialed requests.

* Starlette/FastAPI ``CORSMiddleware`` (direct, ``add_middleware``, ``Middleware(...)``) with
  ``allow_credentials`` true and ``allow_origins`` containing ``"*"`` or an
  ``allow_origin_regex`` that matches any host;
* flask-cors ``CORS(app, ...)`` / ``cors.init_app(app, ...)`` / ``@cross_origin(...)`` with
  ``supports_credentials`` true and origins left at their default ``"*"``, set to ``"*"`` or to
  a regex that matches any host (also per ``resources`` entry, and the ``CORS_ORIGINS`` /
  ``CORS_SUPPORTS_CREDENTIALS`` config keys of the same file);
* django-cors-headers ``CORS_ALLOW_ALL_ORIGINS = True`` (or the old ``CORS_ORIGIN_ALLOW_ALL``),
  or a ``CORS_ALLOWED_ORIGIN_REGEXES`` entry that matches any host, together with
  ``CORS_ALLOW_CREDENTIALS = True`` in the same file.

"Matches any host" is decided as the library decides it: the pattern is compiled with ``re``
and tried (``fullmatch`` for Starlette, ``match`` for flask-cors and django-cors-headers)
against invented attacker origins. Patterns that are long or could backtrack
catastrophically are not tried (and not reported).
"""

from __future__ import annotations

import ast
import re

from ..arguments import call_argument
from ..findings import Span
from ..lookups import unwrap_lookup
from ..names import lookup_name
from ..scopes import ASSIGN, IMPORT, PARAM
from ..values import NO_VALUE
from . import Check
from .transport import bool_verdict, lookup_bool, reads_settings_object, setting_key_matches

#: Origins no legitimate allow-list admits; a pattern that admits one admits any site.
ATTACKER_ORIGINS = (
    "https://evil.example",
    "http://attacker.test",
    "https://attacker.invalid:8443",
    "null",
)
_MAX_PATTERN_LENGTH = 200
#: More unbounded repetitions than this in one pattern are not tried (polynomial blow-up).
_MAX_UNBOUNDED_REPEATS = 5

STARLETTE_CORS = frozenset(
    {"starlette.middleware.cors.CORSMiddleware", "fastapi.middleware.cors.CORSMiddleware"}
)
MIDDLEWARE_WRAPPERS = frozenset({"starlette.middleware.Middleware", "fastapi.middleware.Middleware"})
FLASK_CORS = frozenset({"flask_cors.CORS", "flask_cors.extension.CORS"})
FLASK_CROSS_ORIGIN = frozenset({"flask_cors.cross_origin", "flask_cors.decorator.cross_origin"})
CONVENTIONAL_CORS_NAMES = frozenset({"cors"})
#: The callee names the call loop of :func:`run` acts on (``ctx.calls_named``): the last
#: part of every qualified name it matches, and the methods it tests.
CORS_CALL_NAMES = frozenset(
    {"add_middleware", "init_app"}
    | {
        name.rpartition(".")[2]
        for name in STARLETTE_CORS | MIDDLEWARE_WRAPPERS | FLASK_CORS | FLASK_CROSS_ORIGIN
    }
)

DJANGO_ALLOW_ALL = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
DJANGO_REGEXES = ("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST")
DJANGO_CREDENTIALS = "CORS_ALLOW_CREDENTIALS"
FLASK_ORIGINS = "CORS_ORIGINS"
FLASK_CREDENTIALS = "CORS_SUPPORTS_CREDENTIALS"


# -- regular expressions --------------------------------------------------------------------


def _sre_modules():
    try:
        from re import _constants as constants, _parser as parser  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_constants as constants  # noqa: PLC0415
        import sre_parse as parser  # noqa: PLC0415
    return parser, constants


def _may_backtrack_badly(pattern: str, flags: int) -> bool:
    """Whether trying ``pattern`` might take exponential (or large polynomial) time:
    an unbounded repetition inside another one, an alternation inside one, or many of them."""
    parser, constants = _sre_modules()
    parsed = parser.parse(pattern, flags)
    repeats = {constants.MAX_REPEAT, constants.MIN_REPEAT}
    possessive = getattr(constants, "POSSESSIVE_REPEAT", None)
    if possessive is not None:
        repeats.add(possessive)
    unbounded = 0
    stack = [(parsed, False)]
    while stack:
        sub, inside = stack.pop()
        for op, av in sub:
            if op in repeats:
                _low, high, inner = av
                big = high == constants.MAXREPEAT or high > 32
                if big:
                    if inside:
                        return True
                    unbounded += 1
                stack.append((inner, inside or big))
            elif op == constants.BRANCH:
                if inside:
                    return True
                stack.extend((alternative, inside) for alternative in av[1])
            elif op == constants.SUBPATTERN:
                stack.append((av[-1], inside))
            elif op in (constants.ASSERT, constants.ASSERT_NOT):
                stack.append((av[1], inside))
            elif op == constants.GROUPREF_EXISTS:
                stack.extend((branch, inside) for branch in av[1:] if branch is not None)
            elif op == getattr(constants, "ATOMIC_GROUP", object()):
                stack.append((av, inside))
    return unbounded > _MAX_UNBOUNDED_REPEATS


def regex_admits_any_origin(pattern: object, how: str, flags: int = 0) -> bool:
    """Whether ``pattern`` admits one of the invented attacker origins. ``how`` is "fullmatch"
    (Starlette) or "match" (flask-cors, django-cors-headers). Patterns that cannot be judged
    safely (too long, invalid, possibly catastrophic) give False."""
    if isinstance(pattern, bytes):
        return False
    if not isinstance(pattern, str) or len(pattern) > _MAX_PATTERN_LENGTH:
        return False
    try:
        if _may_backtrack_badly(pattern, flags):
            return False
        compiled = re.compile(pattern, flags)
        matcher = getattr(compiled, how)
        return any(matcher(origin) is not None for origin in ATTACKER_ORIGINS)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError, IndexError):
        return False


def _flask_probably_regex(text: str) -> bool:
    """flask-cors treats an origin string as a regex when it has a regex character."""
    return any(char in text for char in "*\\]?$^[()")


def flask_origin_admits_any(value: object) -> bool:
    """A flask-cors ``origins`` value (string or list) that admits any origin."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple, set, frozenset)):
        return False
    for item in items:
        if not isinstance(item, str):
            continue
        if item == "*":
            return True
        if _flask_probably_regex(item) and regex_admits_any_origin(item, "match", re.IGNORECASE):
            return True
    return False


# -- Starlette / FastAPI ---------------------------------------------------------------------


def _literal(ctx, expr, scope):
    return ctx.values.literal_value(expr, scope)


def _contains_star(ctx, expr, scope) -> bool:
    """A literal origins sequence (or string) containing ``"*"``."""
    if type(expr) in (ast.List, ast.Tuple, ast.Set):
        return any(_literal(ctx, element, scope) == "*" for element in expr.elts)
    value = _literal(ctx, expr, scope)
    if isinstance(value, str):
        return value == "*"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "*" in value
    return False


def _credentials_on(ctx, expr, scope, site) -> bool:
    verdict, _, _ = bool_verdict(ctx, expr, scope, site)
    return verdict is True


def _check_starlette(call: ast.Call, scope, ctx, findings) -> None:
    credentials, credentials_site = call_argument(call, 4, "allow_credentials")
    if credentials is None or not _credentials_on(ctx, credentials, scope, credentials_site):
        return
    origins, origins_site = call_argument(call, 1, "allow_origins")
    if origins is not None and _contains_star(ctx, origins, scope):
        findings.append(ctx.finding(
            "WEB505", origins_site,
            what="CORSMiddleware with allow_origins '*' and allow_credentials=True",
        ))
    regex, regex_site = call_argument(call, 5, "allow_origin_regex")
    if regex is not None:
        pattern = _literal(ctx, regex, scope)
        if regex_admits_any_origin(pattern, "fullmatch"):
            findings.append(ctx.finding(
                "WEB505", regex_site,
                what=f"CORSMiddleware allow_origin_regex {_show(pattern)} with allow_credentials=True",
            ))


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- flask-cors ----------------------------------------------------------------------------


def _is_cors_instance(expr: ast.AST, scope, ctx) -> bool:
    """A name bound to ``CORS()``, or of unknown origin and named ``cors``."""
    if type(expr) is not ast.Name:
        return False
    _, bindings = lookup_name(scope, expr.id)
    unknown = False
    for binding in bindings:
        if binding.kind == ASSIGN:
            value = binding.value
            if type(value) is ast.Call and ctx.qualnames(value.func, binding.scope) & FLASK_CORS:
                return True
            if type(value) is ast.Call:
                continue
            unknown = True
        elif binding.kind in (IMPORT, PARAM):
            if binding.kind == IMPORT and binding.qualname in FLASK_CORS:
                return False
            unknown = True
    return unknown and expr.id in CONVENTIONAL_CORS_NAMES


def _dict_node(expr, scope):
    """A dict literal, directly or as the only binding of a name: (dict node, its scope)."""
    if type(expr) is ast.Dict:
        return expr, scope
    if type(expr) is ast.Name:
        _, bindings = lookup_name(scope, expr.id)
        if len(bindings) == 1 and bindings[0].kind == ASSIGN and type(bindings[0].value) is ast.Dict:
            return bindings[0].value, bindings[0].scope
    return None, None


class _FlaskConfig:
    """The flask-cors config keys this file sets (``CORS_ORIGINS``, ``CORS_SUPPORTS_CREDENTIALS``)."""

    def __init__(self, ctx) -> None:
        self.origins: list = []  # (admits any: bool | None, site)
        self.credentials: list = []  # (on: bool | None, site)
        for site in ctx.setting_sites():
            if site.name == FLASK_ORIGINS:
                value = _literal(ctx, site.value, site.scope)
                admits = flask_origin_admits_any(value) if value is not NO_VALUE else None
                self.origins.append((admits, site))
            elif site.name == FLASK_CREDENTIALS:
                verdict, _, _ = bool_verdict(ctx, site.value, site.scope, site.site)
                self.credentials.append((verdict, site))

    def origins_admit_any(self):
        """True/False when every CORS_ORIGINS the file sets agrees, None if it sets none or
        one of them cannot be judged."""
        if not self.origins or any(admits is None for admits, _ in self.origins):
            return None
        return all(admits for admits, _ in self.origins)

    def credentials_on(self) -> bool:
        return any(verdict is True for verdict, _ in self.credentials)


def _check_flask_cors(call: ast.Call, scope, ctx, config: _FlaskConfig, label: str, findings) -> None:
    if any(keyword.arg is None for keyword in call.keywords):
        return  # CORS(app, **options): configured elsewhere
    credentials, credentials_site = call_argument(call, None, "supports_credentials")
    if credentials is not None:
        credentials_on = _credentials_on(ctx, credentials, scope, credentials_site)
        credentials_from_call = True
    else:
        credentials_on = config.credentials_on()
        credentials_from_call = False
    origins, origins_site = call_argument(call, None, "origins")
    if origins is not None:
        value = _literal(ctx, origins, scope)
        origins_any = value is not NO_VALUE and flask_origin_admits_any(value)
        origins_from_call = True
    else:
        from_config = config.origins_admit_any()
        if from_config is None and config.origins:
            return  # CORS_ORIGINS set to something this file cannot judge
        origins_any = True if from_config is None else from_config
        origins_from_call = from_config is None  # the default "*"
    resources, _ = call_argument(call, None, "resources")
    if resources is not None:
        resource_dict, resource_scope = _dict_node(resources, scope)
        if resource_dict is None:
            if type(resources) not in (ast.List, ast.Tuple, ast.Set, ast.Constant):
                return  # resources configured elsewhere: cannot tell
        else:
            for key, options in zip(resource_dict.keys, resource_dict.values):
                _check_resource(ctx, key, options, resource_scope, origins_any, credentials_on,
                                label, findings)
            return
    if not (credentials_on and origins_any):
        return
    if not (credentials_from_call or origins_from_call):
        return  # both halves come from config keys: reported there
    if origins is not None:
        where = origins_site
        what = f"{label}(origins={_show(_literal(ctx, origins, scope))}, supports_credentials=True)"
    elif credentials is not None:
        where = credentials_site
        what = f"{label}(supports_credentials=True) with the default origins '*'"
    else:
        where = call.func
        what = f"{label}() with the default origins '*' and CORS_SUPPORTS_CREDENTIALS = True"
    findings.append(ctx.finding("WEB505", where, what=what))


def _check_resource(ctx, key, options, scope, origins_any, credentials_on, label, findings) -> None:
    """One ``resources={pattern: {...}}`` entry: its own options override the call's."""
    if key is None:
        return
    if type(options) is not ast.Dict:
        return  # resource options given some other way: cannot tell
    own_origins = own_credentials = None
    for option_key, option_value in zip(options.keys, options.values):
        name = _literal(ctx, option_key, scope) if option_key is not None else None
        if option_key is None:
            return  # {**defaults}: cannot tell
        if name == "origins":
            value = _literal(ctx, option_value, scope)
            if value is NO_VALUE:
                return
            own_origins = flask_origin_admits_any(value)
        elif name == "supports_credentials":
            verdict, _, _ = bool_verdict(ctx, option_value, scope, option_value)
            if verdict is None:
                return
            own_credentials = verdict
    origins = origins_any if own_origins is None else own_origins
    credentials = credentials_on if own_credentials is None else own_credentials
    if origins and credentials:
        findings.append(ctx.finding(
            "WEB505", Span(key, options),
            what=f"{label} resource {_show(_literal(ctx, key, scope))} with any origin "
            "and supports_credentials=True",
        ))


def _check_flask_config(ctx, config: _FlaskConfig, findings) -> None:
    """``CORS_ORIGINS = "*"`` with ``CORS_SUPPORTS_CREDENTIALS = True`` in the same file."""
    if not config.credentials_on():
        return
    for admits, site in config.origins:
        if admits:
            findings.append(ctx.finding(
                "WEB505", site.site,
                what=f"{FLASK_ORIGINS} {_show(_literal(ctx, site.value, site.scope))} with "
                f"{FLASK_CREDENTIALS} = True",
            ))


# -- django-cors-headers -------------------------------------------------------------------


def _check_django(ctx, findings) -> None:
    allow_all = []  # (report at, name, from default)
    regexes = []  # (report at, name, pattern)
    credentials = False
    judged: set[int] = set()
    for site in ctx.setting_sites():
        if site.form == "cache_config":
            continue
        name = site.name
        if name in DJANGO_ALLOW_ALL or name == DJANGO_CREDENTIALS:
            unwrapped = unwrap_lookup(site.value, site.scope, ctx.values)
            if unwrapped is not None:
                judged.add(id(unwrapped[0].default_site))
            verdict, report_at, from_default = bool_verdict(ctx, site.value, site.scope, site.site)
            if verdict is not True:
                continue
            if name == DJANGO_CREDENTIALS:
                credentials = True
            else:
                allow_all.append((report_at, name, from_default))
        elif name in DJANGO_REGEXES:
            entries = site.value
            if type(entries) in (ast.List, ast.Tuple):
                for element in entries.elts:
                    pattern = _literal(ctx, element, site.scope)
                    if regex_admits_any_origin(pattern, "match"):
                        regexes.append((element, name, pattern))
    if ctx.settings.framework_context():
        for lookup in ctx.env_lookups():
            if lookup.key is None or id(lookup.default_site) in judged:
                continue
            if reads_settings_object(lookup):
                continue
            for name in (*DJANGO_ALLOW_ALL, DJANGO_CREDENTIALS):
                if setting_key_matches(lookup.key, name):
                    verdict, report_at = lookup_bool(ctx, lookup, [])
                    if verdict is True:
                        if name == DJANGO_CREDENTIALS:
                            credentials = True
                        else:
                            allow_all.append((report_at, name, True))
                    break
    if not credentials:
        return
    for report_at, name, from_default in allow_all:
        shown = f"{name} defaulting to True" if from_default else f"{name} = True"
        findings.append(ctx.finding(
            "WEB505", report_at, what=f"{shown} with {DJANGO_CREDENTIALS} = True",
        ))
    for element, name, pattern in regexes:
        findings.append(ctx.finding(
            "WEB505", element,
            what=f"{name} entry {_show(pattern)} with {DJANGO_CREDENTIALS} = True",
        ))


# -- the rule ---------------------------------------------------------------------------------


def run(ctx):
    findings = []
    flask_config = None
    for call, scope in ctx.calls_named(*CORS_CALL_NAMES):
        func = call.func
        func_type = type(func)
        if func_type not in (ast.Name, ast.Attribute):
            continue
        names = ctx.qualnames(func, scope)
        if names & STARLETTE_CORS:
            _check_starlette(call, scope, ctx, findings)
            continue
        if (
            names & MIDDLEWARE_WRAPPERS
            or (func_type is ast.Attribute and func.attr == "add_middleware")
        ) and call.args and ctx.qualnames(call.args[0], scope) & STARLETTE_CORS:
            _check_starlette(call, scope, ctx, findings)
            continue
        if names & FLASK_CORS:
            label = "CORS"
        elif names & FLASK_CROSS_ORIGIN:
            label = "@cross_origin"
        elif (
            func_type is ast.Attribute
            and func.attr == "init_app"
            and _is_cors_instance(func.value, scope, ctx)
        ):
            label = "cors.init_app"
        else:
            continue
        if flask_config is None:
            flask_config = _FlaskConfig(ctx)
        _check_flask_cors(call, scope, ctx, flask_config, label, findings)
    if flask_config is None:
        flask_config = _FlaskConfig(ctx)
    _check_flask_config(ctx, flask_config, findings)
    _check_django(ctx, findings)
    return findings


CHECK = Check("cors", run)
