"""WEB601 jwt-verification-disabled: JWT decoding that skips or weakens signature checks.

PyJWT and python-jose ``jwt.decode(...)`` (and PyJWT's ``decode_complete``, the JWS-level
``jwt.api_jws`` functions, ``jwt.PyJWT().decode``, python-jose ``jws.verify``) are reported:

* with ``options={"verify_signature": False}`` - a dict literal, ``dict(verify_signature=False)``,
  or a name bound in reach to such a dict (also through ``opts["verify_signature"] = False``);
* with ``verify=False`` (PyJWT 1.x; python-jose ``jws.verify``);
* with an ``algorithms`` value that lists ``"none"`` (any case);
* python-jose ``jwt.decode`` without ``algorithms`` (or with ``algorithms=None``): the
  token's own header then chooses the algorithm.

PyJWT 2 ``jwt.decode`` without ``algorithms`` is not reported: it refuses to verify and raises.
Non-literal values (``options=settings.JWT_OPTIONS``) count as configured elsewhere.
"""

from __future__ import annotations

import ast

from ..names import lookup_name
from ..scopes import ASSIGN
from . import Check

PYJWT, JOSE = "PyJWT", "python-jose"

#: qualified name -> (library, shown name, signature: positional parameter names)
DECODE_FUNCTIONS = {
    "jwt.decode": (PYJWT, "jwt.decode()"),
    "jwt.api_jwt.decode": (PYJWT, "jwt.decode()"),
    "jwt.decode_complete": (PYJWT, "jwt.decode_complete()"),
    "jwt.api_jwt.decode_complete": (PYJWT, "jwt.decode_complete()"),
    "jwt.api_jws.decode": (PYJWT, "jwt.api_jws.decode()"),
    "jwt.api_jws.decode_complete": (PYJWT, "jwt.api_jws.decode_complete()"),
    "jose.jwt.decode": (JOSE, "jose.jwt.decode()"),
    "jose.jws.verify": (JOSE, "jose.jws.verify()"),
}
#: PyJWT classes whose instances have ``decode``/``decode_complete``.
PYJWT_CLASSES = frozenset(
    {"jwt.PyJWT", "jwt.api_jwt.PyJWT", "jwt.PyJWS", "jwt.api_jws.PyJWS"}
)
#: Top-level packages one of which the file must import for a call to be a decode function.
JWT_ROOTS = frozenset(name.partition(".")[0] for name in set(DECODE_FUNCTIONS) | PYJWT_CLASSES)
#: The callee names :func:`_decode_target` accepts (``ctx.calls_named``).
JWT_CALL_NAMES = frozenset(
    {"decode", "decode_complete"} | {name.rpartition(".")[2] for name in DECODE_FUNCTIONS}
)
#: Positional parameters after ``(token, key)``: PyJWT 2 and python-jose take
#: ``algorithms, options``; PyJWT 1 took ``verify, algorithms, options``.
_JOSE_POSITIONS = {"algorithms": 2, "options": 3}
_JOSE_VERIFY_POSITIONS = {"algorithms": 2, "verify": 3}

_FIX = "verify the signature with the key and a fixed list of algorithms"
#: How many name hops an ``options`` value is followed through.
_MAX_HOPS = 8


class _Args:
    def __init__(self, call: ast.Call) -> None:
        self.call = call
        self.keywords = {kw.arg: kw for kw in call.keywords if kw.arg is not None}
        self.has_double_star = any(kw.arg is None for kw in call.keywords)
        self.has_star = any(type(arg) is ast.Starred for arg in call.args)

    def get(self, name: str, position: int | None):
        """(value, site) of a parameter passed by keyword or at ``position``."""
        keyword = self.keywords.get(name)
        if keyword is not None:
            return keyword.value, keyword
        if position is not None and not self.has_star and len(self.call.args) > position:
            argument = self.call.args[position]
            return argument, argument
        return None, None


def _decode_target(call: ast.Call, scope, ctx):
    """(library, shown name) when ``call`` is one of the decode functions."""
    func = call.func
    if type(func) not in (ast.Name, ast.Attribute):
        return None
    for name in ctx.qualnames(func, scope):
        target = DECODE_FUNCTIONS.get(name)
        if target is not None:
            return target
    if type(func) is ast.Attribute and func.attr in ("decode", "decode_complete"):
        receiver = func.value
        if type(receiver) is ast.Name:
            _, bindings = lookup_name(scope, receiver.id)
            if bindings and all(b.kind == ASSIGN for b in bindings):
                receivers = [(b.value, b.scope) for b in bindings]
            else:
                receivers = []
        else:
            receivers = [(receiver, scope)]
        if receivers and all(
            type(value) is ast.Call and ctx.qualnames(value.func, value_scope) & PYJWT_CLASSES
            for value, value_scope in receivers
        ):
            return PYJWT, f"PyJWT().{func.attr}()"
    return None


def _is_false(node: ast.expr, scope, ctx) -> bool:
    value = ctx.values.evaluate(node, scope)
    return value.known and value.value is not None and not value.value


def _dict_disables_verification(node: ast.expr, scope, ctx) -> bool:
    """A dict literal / ``dict(...)`` call with ``verify_signature`` set to a false literal."""
    pending = [node]
    steps = 0
    while pending and steps < 64:
        steps += 1
        current = pending.pop()
        if type(current) is ast.Dict:
            for key, value in zip(current.keys, current.values):
                if key is None:  # ``{**base, ...}``
                    pending.append(value)
                elif ctx.values.literal_value(key, scope) == "verify_signature" and _is_false(
                    value, scope, ctx
                ):
                    return True
        elif type(current) is ast.Call and ctx.qualnames(current.func, scope) & {"builtins.dict"}:
            for keyword in current.keywords:
                if keyword.arg == "verify_signature" and _is_false(keyword.value, scope, ctx):
                    return True
                if keyword.arg is None:
                    pending.append(keyword.value)
            pending.extend(current.args[:1])
    return False


class _OptionStores:
    """``NAME["verify_signature"] = <false literal>`` statements, by (scope, name)."""

    def __init__(self, ctx) -> None:
        self.disabled: set[tuple[int, str]] = set()
        for node, scope in ctx.nodes(ast.Assign):
            for target in node.targets:
                if (
                    type(target) is ast.Subscript
                    and type(target.value) is ast.Name
                    and ctx.values.literal_value(target.slice, scope) == "verify_signature"
                    and _is_false(node.value, scope, ctx)
                ):
                    bound_in, _ = lookup_name(scope, target.value.id)
                    if bound_in is not None:
                        self.disabled.add((id(bound_in), target.value.id))


def _options_disable_verification(node: ast.expr, scope, ctx, stores: _OptionStores) -> bool:
    pending = [(node, scope)]
    hops = 0
    while pending and hops <= _MAX_HOPS:
        current, current_scope = pending.pop()
        if type(current) is ast.Name:
            hops += 1
            bound_in, bindings = lookup_name(current_scope, current.id)
            if bound_in is None:
                continue
            if (id(bound_in), current.id) in stores.disabled:
                return True
            pending.extend((b.value, b.scope) for b in bindings if b.kind == ASSIGN)
        elif _dict_disables_verification(current, current_scope, ctx):
            return True
    return False


def _lists_none(node: ast.expr, scope, ctx) -> bool:
    """An ``algorithms`` value that lists ``"none"`` (any case)."""
    value = ctx.values.literal_value(node, scope)
    if isinstance(value, str):
        return value.lower() == "none"
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(isinstance(item, str) and item.lower() == "none" for item in value)
    if type(node) in (ast.List, ast.Tuple, ast.Set):  # some entries non-literal
        return any(
            isinstance(ctx.values.literal_value(element, scope), str)
            and ctx.values.literal_value(element, scope).lower() == "none"
            for element in node.elts
        )
    return False


def _is_none_literal(node: ast.expr) -> bool:
    return type(node) is ast.Constant and node.value is None


def run(ctx):
    findings = []
    # Gate: every decode function and PyJWT class is a qualified name rooted at ``jwt`` or
    # ``jose``, and qualified names are rooted at modules the file imports: without such an
    # import no call can be a target.
    if not any(module.partition(".")[0] in JWT_ROOTS for module in ctx.model.imported_modules):
        return findings
    stores = None
    for call, scope in ctx.calls_named(*JWT_CALL_NAMES):
        target = _decode_target(call, scope, ctx)
        if target is None:
            continue
        library, shown = target
        if stores is None:
            stores = _OptionStores(ctx)
        args = _Args(call)
        is_jws_verify = shown == "jose.jws.verify()"
        if library == JOSE:
            positions = _JOSE_VERIFY_POSITIONS if is_jws_verify else _JOSE_POSITIONS
            verify_position = positions.get("verify")
            options_position = positions.get("options")
        else:
            # PyJWT 1 took ``verify`` third; PyJWT 2 takes ``algorithms`` third and
            # ``options`` fourth: positional values are told apart by their shape below.
            verify_position = None
            options_position = None
        algorithms_position = 2 if library == JOSE else None

        options, options_site = args.get("options", options_position)
        if options is None and library == PYJWT and len(call.args) > 3 and not args.has_star:
            fourth = call.args[3]
            if type(fourth) is ast.Dict:  # PyJWT 2 positional ``options``
                options, options_site = fourth, fourth
        disabled = False
        if options is not None and _options_disable_verification(options, scope, ctx, stores):
            disabled = True
            findings.append(ctx.finding(
                "WEB601", options_site, what=f"{shown} with verify_signature=False", fix=_FIX))

        verify, verify_site = args.get("verify", verify_position)
        if verify is None and library == PYJWT and len(call.args) > 2 and not args.has_star:
            third = call.args[2]
            if type(third) is ast.Constant and third.value is False:  # PyJWT 1 positional
                verify, verify_site = third, third
        if verify is not None and _is_false(verify, scope, ctx):
            disabled = True
            findings.append(ctx.finding(
                "WEB601", verify_site, what=f"{shown} with verify=False", fix=_FIX))

        algorithms, algorithms_site = args.get("algorithms", algorithms_position)
        if algorithms is None and library == PYJWT and len(call.args) > 2 and not args.has_star:
            third = call.args[2]
            if type(third) in (ast.List, ast.Tuple, ast.Set):  # PyJWT 2 positional
                algorithms, algorithms_site = third, third
        if algorithms is not None and _lists_none(algorithms, scope, ctx):
            findings.append(ctx.finding(
                "WEB601", algorithms_site, what=f'{shown} allowing the "none" algorithm',
                fix='list only the algorithms your keys use, such as ["HS256"]'))
        elif library == JOSE and not is_jws_verify and not disabled and not args.has_double_star:
            if algorithms is None and not args.has_star:
                findings.append(ctx.finding(
                    "WEB601", call.func, what=f"{shown} without algorithms",
                    fix="pass algorithms=[...] naming the algorithm of your key"))
            elif algorithms is not None and _is_none_literal(algorithms):
                findings.append(ctx.finding(
                    "WEB601", algorithms_site, what=f"{shown} with algorithms=None",
                    fix="pass algorithms=[...] naming the algorithm of your key"))
    return findings


CHECK = Check("jwt_verification", run)
