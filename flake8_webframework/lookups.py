"""Environment lookups with defaults, and the casts applied to what they return.

Recognised readers (see the rule catalogue's "Environment lookup" convention):

* ``os.environ.get(K, d)``, ``os.getenv(K, d)``, ``os.environ.setdefault(K, d)``;
* django-environ: ``env(K, default=d)``, ``env.bool/str/int/list/...(K, default=d)`` on a
  name bound to ``environ.Env(...)`` (or a name containing ``env``), and the
  ``Env(NAME=(cast, default))`` scheme;
* python-decouple ``config(K, default=d, cast=bool)``;
* ``getattr(settings, K, d)``;
* project helpers whose name contains ``env``, ``config`` or ``setting``
  (``get_env(K, d)``, ``get_bool_env(K, d)``, ``settings.get(K, d)``).

``lookup(...) or "literal"`` is a lookup whose default is the literal.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .arguments import call_argument, keyword_argument
from .names import lookup_name, resolve_qualnames
from .scopes import ASSIGN, Scope
from .values import NO_VALUE, ValueAnalysis, compare_values

# Casts a lookup applies to what it reads.
RAW = "raw"  # the environment's string; the default as written
BOOL = "bool"  # a boolean parse ("true", "1", "yes", "on" are true)
NUMBER = "number"
LIST = "list"
AS_IS = "as-is"  # the stored value, or the default as written (``app.config.get``)
UNKNOWN_CAST = "unknown"  # a project helper: judge a string default as a boolean parse would

TRUE_STRINGS = frozenset({"1", "true", "yes", "on", "y", "t", "ok"})
FALSE_STRINGS = frozenset({"0", "false", "no", "off", "n", "f", ""})

_OS_READERS = frozenset(
    {
        "os.environ.get",
        "os.getenv",
        "os.environ.setdefault",
        "os.environ.pop",
        "os.environb.get",
        "os.getenvb",
    }
)
_DJANGO_ENVIRON_CLASSES = frozenset({"environ.Env", "environ.environ.Env", "environ.FileAwareEnv"})
_DECOUPLE_CONFIG = frozenset({"decouple.config", "decouple.AutoConfig", "decouple.Config"})
#: django-environ typed getters and the cast they apply.
_ENV_METHODS = {
    "str": RAW,
    "unicode": RAW,
    "bytes": RAW,
    "bool": BOOL,
    "int": NUMBER,
    "float": NUMBER,
    "list": LIST,
    "tuple": LIST,
    "dict": LIST,
    "json": AS_IS,
    "url": RAW,
    "db_url": RAW,
    "db": RAW,
    "cache_url": RAW,
    "cache": RAW,
    "email_url": RAW,
    "email": RAW,
    "search_url": RAW,
    "path": RAW,
    "get_value": AS_IS,
}
_CAST_NAMES = {"bool": BOOL, "int": NUMBER, "float": NUMBER, "str": RAW, "list": LIST,
               "tuple": LIST, "dict": LIST, "strtobool": BOOL}
_GETTER_METHODS = {"get": AS_IS, "str": RAW, "bool": BOOL, "int": NUMBER, "float": NUMBER,
                   "list": LIST, "get_bool": BOOL, "getbool": BOOL, "getboolean": BOOL}
_HELPER_WORDS = ("env", "config", "setting")


@dataclass
class EnvLookup:
    call: ast.Call
    scope: Scope
    key: str | None
    #: the default expression (``None`` when the lookup has no default)
    default: ast.expr | None
    #: where a finding about the default points: the ``default=`` keyword or the argument
    default_site: ast.AST | None
    cast: str
    #: a read of configuration the program already holds (``app.config.get(K, d)``,
    #: ``getattr(settings, K, d)``, ``cfg.get(section, option, fallback=d)``) rather than of
    #: the environment: it configures a setting only where it is assigned to one.
    reads_configuration: bool = False


def _literal_key(node: ast.AST | None, values: ValueAnalysis, scope: Scope) -> str | None:
    if node is None:
        return None
    value = values.literal_value(node, scope)
    return value if isinstance(value, str) else None


def _cast_of(node: ast.AST | None) -> str | None:
    """The cast a ``cast=`` argument names (``bool``, ``int``, ``Csv()``, ...)."""
    if node is None:
        return None
    if type(node) is ast.Name:
        return _CAST_NAMES.get(node.id, UNKNOWN_CAST)
    if type(node) is ast.Attribute:
        return _CAST_NAMES.get(node.attr, UNKNOWN_CAST)
    if type(node) is ast.Call:
        return LIST
    return UNKNOWN_CAST


_HELPER_WORD = re.compile("|".join(_HELPER_WORDS), re.IGNORECASE).search


def _has_helper_word(text: str) -> bool:
    return _HELPER_WORD(text) is not None


def _last_name(node: ast.AST) -> str | None:
    if type(node) is ast.Name:
        return node.id
    if type(node) is ast.Attribute:
        return node.attr
    return None


def _is_env_instance(node: ast.AST, scope: Scope) -> bool:
    """A name bound (only) to ``environ.Env(...)``."""
    if type(node) is not ast.Name:
        return False
    _, bindings = lookup_name(scope, node.id)
    return bool(bindings) and all(
        binding.kind == ASSIGN
        and type(binding.value) is ast.Call
        and resolve_qualnames(binding.value.func, binding.scope) & _DJANGO_ENVIRON_CLASSES
        for binding in bindings
    )


def _django_environ_call(call, scope, values, cast_position: int | None, cast: str) -> EnvLookup | None:
    key_node, _ = call_argument(call, 0, "var")
    key = _literal_key(key_node, values, scope)
    if key is None:
        return None
    if cast_position is not None:
        cast_node, _ = call_argument(call, cast_position, "cast")
        if cast_node is not None:
            cast = _cast_of(cast_node) or cast
        default, site = call_argument(call, cast_position + 1, "default")
    else:
        default, site = call_argument(call, 1, "default")
    return EnvLookup(call, scope, key, default, site, cast)


_CANDIDATE_METHODS = frozenset(
    {"get", "getenv", "getenvb", "setdefault", "pop", "config", "getboolean", "getint",
     "getfloat"}
) | frozenset(_ENV_METHODS) | frozenset(_GETTER_METHODS)


#: Last parts of the qualified names a lookup (or an ``Env(NAME=(cast, default))`` scheme)
#: is recognised by.
_LOOKUP_LAST_NAMES = frozenset(
    name.rpartition(".")[2]
    for name in _OS_READERS | _DECOUPLE_CONFIG | _DJANGO_ENVIRON_CLASSES | {"builtins.getattr"}
)


def may_name_lookup(name: str) -> bool:
    """Whether a call indexed under callee ``name`` (``FileContext.calls_named``) can be an
    environment lookup: every call :func:`match_env_lookup` or :func:`env_scheme_lookups`
    accepts is indexed under at least one name for which this is true (its method, its
    helper word, or the last part of the reader it resolves to)."""
    return name in _CANDIDATE_METHODS or name in _LOOKUP_LAST_NAMES or _has_helper_word(name)


def _could_be_lookup(func: ast.AST, values: ValueAnalysis) -> bool:
    """A cheap test that rules out most calls before any name is resolved."""
    if type(func) is ast.Attribute:
        return func.attr in _CANDIDATE_METHODS or _has_helper_word(func.attr)
    if type(func) is ast.Name:
        name = func.id
        if name == "getattr" or _has_helper_word(name):
            return True
        return name in values.model.module_scope.import_names  # an alias (getenv as ge)
    return False


def match_env_lookup(call: ast.Call, scope: Scope, values: ValueAnalysis) -> EnvLookup | None:
    """The environment lookup ``call`` is, or ``None``."""
    func = call.func
    if not _could_be_lookup(func, values):
        return None
    qualnames = resolve_qualnames(func, scope)
    if qualnames & _OS_READERS:
        key_node, _ = call_argument(call, 0, "key")
        default, site = call_argument(call, 1, "default")
        return EnvLookup(call, scope, _literal_key(key_node, values, scope), default, site, RAW)
    if "builtins.getattr" in qualnames:
        if len(call.args) >= 3 and _is_settings_object(call.args[0], scope):
            key = _literal_key(call.args[1], values, scope)
            if key is not None:
                return EnvLookup(call, scope, key, call.args[2], call.args[2], AS_IS,
                                 reads_configuration=True)
        return None
    if qualnames & _DECOUPLE_CONFIG:
        return _helper_lookup(call, scope, values, RAW)
    if type(func) is ast.Name:
        if _is_env_instance(func, scope):
            return _django_environ_call(call, scope, values, 1, AS_IS)
        if not _has_helper_word(func.id):
            return None
        if func.id.lower() == "env" and len(call.args) >= 2 and _looks_like_cast(call.args[1]):
            return _django_environ_call(call, scope, values, 1, AS_IS)
        return _helper_lookup(call, scope, values, _helper_cast(func.id))
    # attribute callee: receiver.method(...)
    receiver, method = func.value, func.attr
    receiver_name = _last_name(receiver)
    if method in _ENV_METHODS and (
        _is_env_instance(receiver, scope)
        or (receiver_name is not None and "env" in receiver_name.lower())
    ):
        cast = _ENV_METHODS[method]
        if method in ("list", "tuple", "dict"):
            return _django_environ_call(call, scope, values, 1, cast)
        return _django_environ_call(call, scope, values, None, cast)
    if (
        method in _GETTER_METHODS
        and receiver_name is not None
        and _has_helper_word(receiver_name)
    ):
        if _is_config_parser_call(call, receiver, method, scope, values):
            return _config_parser_lookup(call, scope, values, method)
        lookup = _helper_lookup(call, scope, values, _GETTER_METHODS[method])
        if lookup is not None:
            lookup.reads_configuration = True
        return lookup
    if _has_helper_word(method) and method not in ("configure", "from_envvar"):
        return _helper_lookup(call, scope, values, _helper_cast(method))
    return None


_CONFIG_PARSER_CLASSES = frozenset(
    {"configparser.ConfigParser", "configparser.RawConfigParser", "configparser.SafeConfigParser"}
)
_CONFIG_PARSER_GETTERS = {"get": RAW, "getboolean": BOOL, "getint": NUMBER, "getfloat": NUMBER}


def _is_config_parser_call(call, receiver, method, scope, values) -> bool:
    """``cfg.get(section, option[, fallback=d])``: a ConfigParser, or the same shape.

    The receiver is bound to a ``configparser`` class, or the call passes two literal
    strings of which the first is not an UPPER_CASE setting name (``config.get("django",
    "secret")``; ``app.config.get("SECRET_KEY", "dev")`` keeps mapping semantics).
    """
    if method not in _CONFIG_PARSER_GETTERS:
        return False
    if type(receiver) is ast.Name:
        _, bindings = lookup_name(scope, receiver.id)
        if bindings and all(
            binding.kind == ASSIGN
            and type(binding.value) is ast.Call
            and resolve_qualnames(binding.value.func, binding.scope) & _CONFIG_PARSER_CLASSES
            for binding in bindings
        ):
            return True
    if len(call.args) < 2:
        return False
    section = _literal_key(call.args[0], values, scope)
    option = _literal_key(call.args[1], values, scope)
    return section is not None and option is not None and not section.isupper()


def _config_parser_lookup(call, scope, values, method) -> EnvLookup | None:
    """A ConfigParser read: the option is the key; only ``fallback=`` is a default."""
    option = _literal_key(call.args[1], values, scope) if len(call.args) >= 2 else None
    fallback = keyword_argument(call, "fallback")
    default = fallback.value if fallback is not None else None
    return EnvLookup(call, scope, option, default, fallback, _CONFIG_PARSER_GETTERS[method],
                     reads_configuration=True)


def _looks_like_cast(node: ast.AST) -> bool:
    return (type(node) is ast.Name and node.id in _CAST_NAMES) or type(node) is ast.Call


def _helper_cast(name: str) -> str:
    lowered = name.lower()
    if "bool" in lowered:
        return BOOL
    if "int" in lowered:
        return NUMBER
    if "list" in lowered:
        return LIST
    return UNKNOWN_CAST


def _helper_lookup(call, scope, values, cast: str) -> EnvLookup | None:
    if not call.args:
        return None
    key = _literal_key(call.args[0], values, scope)
    if key is None:
        return None
    default, site = call_argument(call, 1, "default")
    cast_node = keyword_argument(call, "cast")
    if cast_node is not None:
        cast = _cast_of(cast_node.value) or cast
    return EnvLookup(call, scope, key, default, site, cast)


def _is_settings_object(node: ast.AST, scope: Scope) -> bool:
    if type(node) is ast.Name and node.id == "settings":
        return True
    return any(name.endswith(".settings") for name in resolve_qualnames(node, scope))


def env_scheme_lookups(call: ast.Call, scope: Scope) -> list[EnvLookup]:
    """``environ.Env(DEBUG=(bool, True))``: one lookup per scheme entry with a default."""
    if not any(type(keyword.value) is ast.Tuple for keyword in call.keywords):
        return []
    if not resolve_qualnames(call.func, scope) & _DJANGO_ENVIRON_CLASSES:
        return []
    found = []
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg and type(value) is ast.Tuple and len(value.elts) >= 2:
            cast = _cast_of(value.elts[0]) or AS_IS
            default = value.elts[1]
            found.append(EnvLookup(call, scope, keyword.arg, default, default, cast))
    return found


# -- what the lookup's default becomes after the casts around it ----------------------


class _Unjudgeable(Exception):
    pass


def unwrap_lookup(expr: ast.AST, scope: Scope, values: ValueAnalysis):
    """Find a lookup at the top of ``expr`` through casts and comparisons.

    Returns ``(lookup, casts)`` with ``casts`` the operations applied to the lookup's result,
    innermost first, or ``None``. ``lookup(...) or "x"`` becomes a lookup whose default is
    ``"x"``.
    """
    casts: list[tuple] = []
    node = expr
    for _ in range(64):
        node_type = type(node)
        if node_type is ast.Call:
            lookup = match_env_lookup(node, scope, values)
            if lookup is not None:
                casts.reverse()
                return lookup, casts
            func = node.func
            if type(func) is ast.Attribute and func.attr in (
                "lower", "upper", "strip", "casefold", "title", "capitalize"
            ) and not node.args:
                casts.append(("method", func.attr))
                node = func.value
                continue
            name = _last_name(func)
            if name in ("bool", "int", "str", "strtobool", "loads", "literal_eval") and len(
                node.args
            ) == 1:
                casts.append(("call", name))
                node = node.args[0]
                continue
            return None
        if node_type is ast.Compare and len(node.ops) == 1:
            left, right = node.left, node.comparators[0]
            if values.literal_value(right, scope) is not NO_VALUE:
                casts.append(("compare", node.ops[0], values.literal_value(right, scope), True))
                node = left
                continue
            if values.literal_value(left, scope) is not NO_VALUE:
                casts.append(("compare", node.ops[0], values.literal_value(left, scope), False))
                node = right
                continue
            return None
        if node_type is ast.UnaryOp and type(node.op) is ast.Not:
            casts.append(("not",))
            node = node.operand
            continue
        if node_type is ast.BoolOp and type(node.op) is ast.Or and len(node.values) == 2:
            first, fallback = node.values
            if type(first) is ast.Call:
                lookup = match_env_lookup(first, scope, values)
                if lookup is not None and lookup.default is None:
                    lookup = EnvLookup(lookup.call, scope, lookup.key, fallback, fallback,
                                       lookup.cast)
                    casts.reverse()
                    return lookup, casts
            return None
        return None
    return None


def _bool_parse(value: object) -> bool:
    if isinstance(value, (bool, int, float)):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_STRINGS:
            return True
        if text in FALSE_STRINGS:
            return False
    raise _Unjudgeable


def default_after_casts(lookup: EnvLookup, default_value: object, casts: list[tuple]) -> object:
    """The value a lookup yields when the variable is unset. Raises ``_Unjudgeable``."""
    cast = lookup.cast
    if isinstance(default_value, bytes):
        default_value = default_value.decode("latin-1")
    if cast == BOOL:
        value = _bool_parse(default_value)
    elif cast == NUMBER:
        try:
            value = int(default_value) if isinstance(default_value, str) else default_value
        except ValueError:
            raise _Unjudgeable from None
    elif cast == UNKNOWN_CAST and not casts:
        value = _bool_parse(default_value)
    elif cast == LIST:
        value = default_value
    else:  # RAW, AS_IS, or a project helper followed by explicit casts
        value = default_value
    for step in casts:
        kind = step[0]
        if kind == "method":
            if not isinstance(value, str):
                raise _Unjudgeable
            value = getattr(value, step[1])()
        elif kind == "call":
            name = step[1]
            if name == "bool":
                value = bool(value)
            elif name == "str":
                value = str(value)
            elif name == "int":
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise _Unjudgeable from None
            elif name == "strtobool":
                value = _bool_parse(value)
            elif name in ("loads", "literal_eval"):
                text = str(value).strip()
                table = {"true": True, "false": False, "True": True, "False": False,
                         "1": 1, "0": 0, "null": None, "None": None}
                if text not in table:
                    raise _Unjudgeable
                value = table[text]
        elif kind == "compare":
            _, op, other, lookup_on_left = step
            pair = [value, other] if lookup_on_left else [other, value]
            value = compare_values([op], pair)
            if value is NO_VALUE:
                raise _Unjudgeable
        elif kind == "not":
            value = not value
    return value


def lookup_turns_on(lookup: EnvLookup, casts: list[tuple], values: ValueAnalysis) -> bool | None:
    """Whether the lookup's default, after its casts, is true. ``None``: cannot tell."""
    if lookup.default is None:
        return None
    default_value = values.literal_value(lookup.default, lookup.scope)
    if default_value is NO_VALUE:
        return None
    try:
        return bool(default_after_casts(lookup, default_value, casts))
    except _Unjudgeable:
        return None
